package sdm.transport.zmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

class WireFieldsTest {

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,62}");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final String ALPHABET = "az09-_AZ.é \u0000/g";

    @Test
    void namesAreWhatTheContractsPatternSays() {
        assertThatCode(() -> WireFields.checkName("a")).doesNotThrowAnyException();
        assertThatCode(() -> WireFields.checkName("calc-2" + "x".repeat(57))).doesNotThrowAnyException();
        for (String bad : new String[] {"", " ", "2calc", "-calc", "Calc", "calc_2", "calc.2", "calc/x", "a".repeat(64)}) {
            assertThatThrownBy(() -> WireFields.checkName(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> WireFields.checkName(null)).isInstanceOf(IllegalArgumentException.class);
        Random random = new Random(17);
        for (int i = 0; i < 20_000; i++) {
            String s = randomText(random, 1 + random.nextInt(66));
            assertThat(accepted(() -> WireFields.checkName(s))).as(s).isEqualTo(NAME.matcher(s).matches());
        }
    }

    @Test
    void digestsAreSixtyFourLowerCaseHexDigits() {
        assertThatCode(() -> WireFields.checkSha("0123456789abcdef".repeat(4))).doesNotThrowAnyException();
        for (String bad : new String[] {"", "0".repeat(63), "0".repeat(65), "A".repeat(64), "g" + "0".repeat(63)}) {
            assertThatThrownBy(() -> WireFields.checkSha(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> WireFields.checkSha(null)).isInstanceOf(IllegalArgumentException.class);
        Random random = new Random(18);
        String hexish = "0123456789abcdefABCg";
        for (int i = 0; i < 5_000; i++) {
            StringBuilder b = new StringBuilder();
            int length = 63 + random.nextInt(3);
            for (int j = 0; j < length; j++) {
                b.append(random.nextInt(40) == 0 ? hexish.charAt(16 + random.nextInt(4)) : hexish.charAt(random.nextInt(16)));
            }
            String s = b.toString();
            assertThat(accepted(() -> WireFields.checkSha(s))).as(s).isEqualTo(SHA256.matcher(s).matches());
        }
    }

    private static String randomText(Random random, int length) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < length; i++) {
            b.append(random.nextInt(8) == 0 ? ALPHABET.charAt(random.nextInt(ALPHABET.length()))
                    : (char) ('a' + random.nextInt(26)));
        }
        return b.toString();
    }

    private static boolean accepted(Runnable check) {
        try {
            check.run();
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}

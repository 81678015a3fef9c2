package sdm.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NativeTypeTest {

    @Test
    void argumentsFromTextAndFromJsonBecomeTheirJavaValues() {
        assertThat(NativeType.INT.argument("42")).isEqualTo(42);
        assertThat(NativeType.INT.argument(-7L)).isEqualTo(-7);
        assertThat(NativeType.INT.argument(3.0)).isEqualTo(3);
        assertThat(NativeType.LONG.argument("9000000000")).isEqualTo(9_000_000_000L);
        assertThat(NativeType.LONG.argument(5)).isEqualTo(5L);
        assertThat(NativeType.DOUBLE.argument("2.5")).isEqualTo(2.5);
        assertThat(NativeType.DOUBLE.argument(2)).isEqualTo(2.0);
        assertThat(NativeType.BOOL.argument("true")).isEqualTo(true);
        assertThat(NativeType.BOOL.argument(false)).isEqualTo(false);
        assertThat(NativeType.STRING.argument("héllo")).isEqualTo("héllo");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "INT    | x        | 'x' is not an int",
            "INT    | 3000000000 | '3000000000' is not an int",
            "INT    | 1.5      | '1.5' is not an int",
            "LONG   | 1e3      | '1e3' is not a long",
            "DOUBLE | abc      | 'abc' is not a double",
            "DOUBLE | NaN      | 'NaN' is not a double",
            "DOUBLE | 0x1p3    | '0x1p3' is not a double",
            "DOUBLE | 1f       | '1f' is not a double",
            "BOOL   | yes      | 'yes' is not a bool",
            "BOOL   | 1        | '1' is not a bool"})
    void textThatDoesNotParseIsNamed(NativeType type, String text, String message) {
        assertThatThrownBy(() -> type.argument(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
    }

    @Test
    void valuesOfTheWrongKindAreRefused() {
        assertThatThrownBy(() -> NativeType.INT.argument(3_000_000_000L)).hasMessage("3000000000 is not an int");
        assertThatThrownBy(() -> NativeType.INT.argument(1.5)).hasMessage("1.5 is not an int");
        assertThatThrownBy(() -> NativeType.INT.argument(true)).hasMessage("true is not an int");
        assertThatThrownBy(() -> NativeType.STRING.argument(5)).hasMessage("5 is not a string");
        assertThatThrownBy(() -> NativeType.STRING.argument("a\0b")).hasMessageContaining("is not a string");
        assertThatThrownBy(() -> NativeType.BOOL.argument(null)).hasMessage("null is not a bool");
        assertThatThrownBy(() -> NativeType.LONG.argument(Double.NaN)).hasMessage("NaN is not a long");
        assertThatThrownBy(() -> NativeType.DOUBLE.argument((1L << 53) + 1)).hasMessage("9007199254740993 is not a double");
        assertThat(NativeType.DOUBLE.argument(1L << 53)).isEqualTo(9.007199254740992E15);
        assertThat(NativeType.DOUBLE.argument("-1.5e3")).isEqualTo(-1500.0);
        assertThatThrownBy(() -> NativeType.INT.argument("1\n2")).hasMessage("'1?2' is not an int");
    }
}

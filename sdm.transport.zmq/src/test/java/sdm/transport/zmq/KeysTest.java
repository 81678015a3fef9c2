package sdm.transport.zmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KeysTest {

    @Test
    void aSecretKeyGivesBackItsPublicKey() {
        CurveKeyPair pair = CurveKeyPair.generate();
        assertThat(CurveKeyPair.fromSecret(pair.secretKey())).isEqualTo(pair);
    }

    @Test
    void derivedKeysDependOnLabelAndSeed() {
        byte[] seed = new byte[32];
        assertThat(CurveKeyPair.derive("a", seed)).isEqualTo(CurveKeyPair.derive("a", seed))
                .isNotEqualTo(CurveKeyPair.derive("b", seed));
    }

    @Test
    void aTokenSurvivesItsTextForm() {
        JoinToken token = JoinToken.create(CurveKeyPair.generate().publicKey());
        JoinToken back = JoinToken.parse(token.text());
        assertThat(back.masterPublicKey()).isEqualTo(token.masterPublicKey());
        assertThat(back.slaveKeys()).isEqualTo(token.slaveKeys());
        assertThat(token.toString()).doesNotContain(token.text().substring(70));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "hello", "SDM1-", "SDM1-abc-def", "SDM2-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "SDM1-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef-zz23456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "SDM1-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"})
    void aBadTokenGetsOneLine(String text) {
        assertThatThrownBy(() -> JoinToken.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .message().startsWith("a join token").doesNotContain("\n");
    }
}

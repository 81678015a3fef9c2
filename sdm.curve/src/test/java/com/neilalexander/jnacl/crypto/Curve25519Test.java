package com.neilalexander.jnacl.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.util.HexFormat;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * The JDK-backed scalar multiplication against RFC 7748's vectors and against jnacl's own
 * class, loaded from jnacl's jar on a class loader of its own.
 */
class Curve25519Test {

    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] ALICE_SECRET = HEX.parseHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
    private static final byte[] ALICE_PUBLIC = HEX.parseHex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
    private static final byte[] BOB_SECRET = HEX.parseHex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
    private static final byte[] BOB_PUBLIC = HEX.parseHex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
    private static final byte[] SHARED = HEX.parseHex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");

    @Test
    void rfc7748KeysAndSharedSecret() {
        assertThat(base(ALICE_SECRET)).isEqualTo(ALICE_PUBLIC);
        assertThat(base(BOB_SECRET)).isEqualTo(BOB_PUBLIC);
        assertThat(mult(ALICE_SECRET, BOB_PUBLIC)).isEqualTo(SHARED);
        assertThat(mult(BOB_SECRET, ALICE_PUBLIC)).isEqualTo(SHARED);
    }

    @Test
    void sameAsJnaclOnRandomScalarsAndPoints() throws Exception {
        Method jnacl = Jnacl.type("curve25519").getMethod("crypto_scalarmult", byte[].class, byte[].class, byte[].class);
        Random random = new Random(25519);
        for (int i = 0; i < 200; i++) {
            byte[] n = new byte[32];
            byte[] p = new byte[32];
            random.nextBytes(n);
            random.nextBytes(p);
            if (i % 2 == 0) {
                p = base(p); // a point on the curve; the others are random u values, top bit too
            }
            byte[] expected = new byte[32];
            jnacl.invoke(null, expected, n, p);
            assertThat(mult(n, p)).as("scalar %s, point %s", HEX.formatHex(n), HEX.formatHex(p)).isEqualTo(expected);
        }
    }

    @Test
    void aBoxSealedHereOpensWithJnacl() throws Exception {
        Class<?> box = Jnacl.type("curve25519xsalsa20poly1305");
        Method open = box.getMethod("crypto_box_open", byte[].class, byte[].class, long.class, byte[].class,
                byte[].class, byte[].class);
        byte[] nonce = new byte[24];
        new Random(7).nextBytes(nonce);
        byte[] message = new byte[32 + 100];
        new Random(8).nextBytes(message);
        java.util.Arrays.fill(message, 0, 32, (byte) 0);
        byte[] sealed = new byte[message.length];
        assertThat(curve25519xsalsa20poly1305.crypto_box(sealed, message, message.length, nonce, BOB_PUBLIC,
                ALICE_SECRET)).isZero();
        byte[] opened = new byte[sealed.length];
        assertThat(open.invoke(null, opened, sealed, (long) sealed.length, nonce, ALICE_PUBLIC, BOB_SECRET)).isEqualTo(0);
        assertThat(opened).isEqualTo(message);
    }

    @Test
    void aPointOfSmallOrderGivesNoKnownSecret() {
        byte[] q = new byte[32];
        assertThat(curve25519.crypto_scalarmult(q, ALICE_SECRET, new byte[32])).isEqualTo(-1);
        assertThat(q).isNotEqualTo(new byte[32]);
    }

    private static byte[] base(byte[] n) {
        byte[] q = new byte[32];
        assertThat(curve25519.crypto_scalarmult_base(q, n)).isZero();
        return q;
    }

    private static byte[] mult(byte[] n, byte[] p) {
        byte[] q = new byte[32];
        curve25519.crypto_scalarmult(q, n, p);
        return q;
    }
}

package com.neilalexander.jnacl.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;

import org.junit.jupiter.api.Test;

class Hsalsa20Test {

    private static final byte[] SIGMA = "expand 32-byte k".getBytes(StandardCharsets.US_ASCII);

    /** NaCl's {@code tests/core1.c}: the first key of a box from the shared point of its Alice and Bob. */
    @Test
    void naclsFirstKey() {
        byte[] shared = HexFormat.of().parseHex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
        byte[] firstKey = new byte[32];
        String expected = "1b27556473e985d462cd51197a9a46c76009549eac6474f206c4ee0844f68389";
        hsalsa20.crypto_core(firstKey, new byte[16], shared, SIGMA);
        assertThat(HexFormat.of().formatHex(firstKey)).isEqualTo(expected);
        byte[] again = new byte[32];
        hsalsa20.crypto_core(again, null, shared, SIGMA); // crypto_box_beforenm's zero input
        assertThat(HexFormat.of().formatHex(again)).isEqualTo(expected);
    }

    @Test
    void sameAsJnacl() throws Exception {
        Method theirs = Jnacl.type("hsalsa20").getMethod("crypto_core", byte[].class, byte[].class, byte[].class,
                byte[].class);
        Random random = new Random(32);
        for (int i = 0; i < 200; i++) {
            byte[] in = new byte[16];
            byte[] key = new byte[32];
            byte[] constant = i % 2 == 0 ? SIGMA : new byte[16];
            random.nextBytes(in);
            random.nextBytes(key);
            if (i % 2 == 1) {
                random.nextBytes(constant);
            }
            byte[] expected = new byte[32];
            byte[] actual = new byte[32];
            theirs.invoke(null, expected, in, key, constant);
            hsalsa20.crypto_core(actual, in, key, constant);
            assertThat(actual).isEqualTo(expected);
        }
    }
}

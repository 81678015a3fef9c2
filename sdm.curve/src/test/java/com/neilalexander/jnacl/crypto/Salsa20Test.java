package com.neilalexander.jnacl.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * Salsa20 against jnacl's own class: key stream, XOR and the core, on random keys, nonces and
 * lengths. jnacl's {@code crypto_stream} differs from its own {@code crypto_stream_xor} of zeros
 * from 128 bytes on; this class's stream is the XOR of zeros at every length.
 */
class Salsa20Test {

    @Test
    void sameStreamAsJnaclForManyLengths() throws Exception {
        Class<?> theirs = Jnacl.type("salsa20");
        Method xor = theirs.getMethod("crypto_stream_xor", byte[].class, byte[].class, int.class, byte[].class,
                int.class, byte[].class);
        Method stream = theirs.getMethod("crypto_stream", byte[].class, int.class, byte[].class, int.class,
                byte[].class);
        Random random = new Random(20);
        int[] lengths = new int[300 + 3];
        for (int i = 0; i < 300; i++) {
            lengths[i] = i;
        }
        lengths[300] = 4096;
        lengths[301] = 100_003;
        lengths[302] = 262_144;
        for (int length : lengths) {
            byte[] key = new byte[32];
            byte[] nonce = new byte[24];
            byte[] message = new byte[length];
            random.nextBytes(key);
            random.nextBytes(nonce);
            random.nextBytes(message);
            byte[] expected = new byte[length];
            byte[] actual = new byte[length];
            xor.invoke(null, expected, message, length, nonce, 16, key);
            salsa20.crypto_stream_xor(actual, message, length, nonce, 16, key);
            assertThat(actual).as("xor, length %d", length).isEqualTo(expected);
            salsa20.crypto_stream(actual, length, nonce, 16, key);
            salsa20.crypto_stream_xor(expected, new byte[length], length, nonce, 16, key);
            assertThat(actual).as("stream, length %d", length).isEqualTo(expected);
            if (length < 128) { // jnacl's own crypto_stream goes wrong from two blocks on; CURVE asks it for 32 bytes
                stream.invoke(null, expected, length, nonce, 16, key);
                assertThat(actual).as("stream against jnacl, length %d", length).isEqualTo(expected);
            }
            byte[] inPlace = message.clone();
            salsa20.crypto_stream_xor(inPlace, inPlace, length, nonce, 16, key);
            xor.invoke(null, expected, message, length, nonce, 16, key);
            assertThat(inPlace).as("in place, length %d", length).isEqualTo(expected);
        }
    }

    @Test
    void sameCoreAsJnacl() throws Exception {
        Method core = Jnacl.type("salsa20").getMethod("crypto_core", byte[].class, byte[].class, byte[].class,
                byte[].class);
        Random random = new Random(64);
        for (int i = 0; i < 100; i++) {
            byte[] in = new byte[16];
            byte[] key = new byte[32];
            byte[] constant = new byte[16];
            random.nextBytes(in);
            random.nextBytes(key);
            random.nextBytes(constant);
            byte[] expected = new byte[64];
            byte[] actual = new byte[64];
            core.invoke(null, expected, in, key, constant);
            salsa20.crypto_core(actual, in, key, constant);
            assertThat(actual).isEqualTo(expected);
        }
    }
}

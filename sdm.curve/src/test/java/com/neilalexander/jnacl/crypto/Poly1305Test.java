package com.neilalexander.jnacl.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;

import org.junit.jupiter.api.Test;

/** Poly1305 against RFC 8439's vector and against jnacl's own class on random keys and messages. */
class Poly1305Test {

    private static final HexFormat HEX = HexFormat.of();

    @Test
    void rfc8439Vector() {
        byte[] key = HEX.parseHex("85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b");
        byte[] message = "Cryptographic Forum Research Group".getBytes(StandardCharsets.US_ASCII);
        byte[] tag = new byte[16];
        poly1305.crypto_onetimeauth(tag, 0, message, 0, message.length, key);
        assertThat(HEX.formatHex(tag)).isEqualTo("a8061dc1305136c6c22b8baf0c0127a9");
        assertThat(poly1305.crypto_onetimeauth_verify(tag, 0, message, 0, message.length, key)).isZero();
        tag[15] ^= 1;
        assertThat(poly1305.crypto_onetimeauth_verify(tag, 0, message, 0, message.length, key)).isEqualTo(-1);
    }

    @Test
    void sameTagsAsJnaclForEveryLengthAndExtremeKeys() throws Exception {
        Method jnacl = Jnacl.type("poly1305").getMethod("crypto_onetimeauth", byte[].class, int.class, byte[].class,
                int.class, long.class, byte[].class);
        Random random = new Random(1305);
        for (int length = 0; length < 600; length++) {
            for (int variant = 0; variant < 4; variant++) {
                byte[] key = new byte[32];
                byte[] message = new byte[length + 7];
                random.nextBytes(key);
                random.nextBytes(message);
                if (variant == 1) {
                    java.util.Arrays.fill(key, (byte) 0xff); // largest r and s: every carry
                    java.util.Arrays.fill(message, (byte) 0xff);
                } else if (variant == 2) {
                    java.util.Arrays.fill(key, 16, 32, (byte) 0xff);
                }
                byte[] expected = new byte[20];
                byte[] actual = new byte[20];
                jnacl.invoke(null, expected, 2, message, 5, (long) length, key);
                poly1305.crypto_onetimeauth(actual, 2, message, 5, length, key);
                assertThat(actual).as("length %d, variant %d", length, variant).isEqualTo(expected);
            }
        }
    }

    @Test
    void aBoxSealedWithJnaclOpensHereAndBack() throws Exception {
        Class<?> box = Jnacl.type("xsalsa20poly1305");
        Method seal = box.getMethod("crypto_secretbox", byte[].class, byte[].class, long.class, byte[].class, byte[].class);
        Method open = box.getMethod("crypto_secretbox_open", byte[].class, byte[].class, long.class, byte[].class,
                byte[].class);
        Random random = new Random(20);
        byte[] key = new byte[32];
        byte[] nonce = new byte[24];
        random.nextBytes(key);
        random.nextBytes(nonce);
        for (int length : new int[] {0, 1, 15, 16, 17, 100, 4096, 262_144}) {
            byte[] plain = new byte[32 + length];
            random.nextBytes(plain);
            java.util.Arrays.fill(plain, 0, 32, (byte) 0);
            byte[] sealedThere = new byte[plain.length];
            seal.invoke(null, sealedThere, plain, (long) plain.length, nonce, key);
            byte[] opened = new byte[plain.length];
            assertThat(xsalsa20poly1305.crypto_secretbox_open(opened, sealedThere, plain.length, nonce, key)).isZero();
            assertThat(opened).isEqualTo(plain);
            byte[] sealedHere = new byte[plain.length];
            xsalsa20poly1305.crypto_secretbox(sealedHere, plain, plain.length, nonce, key);
            assertThat(sealedHere).isEqualTo(sealedThere);
            // a tag byte and the last byte of the text (jnacl misses the tag's last byte: see below)
            for (int at : length == 0 ? new int[] {16} : new int[] {16, sealedHere.length - 1}) {
                byte[] tampered = sealedHere.clone();
                tampered[at] ^= 1;
                assertThat(open.invoke(null, opened, tampered, (long) plain.length, nonce, key)).isEqualTo(-1);
                assertThat(xsalsa20poly1305.crypto_secretbox_open(opened, tampered, plain.length, nonce, key)).isEqualTo(-1);
            }
        }
    }

    /** jnacl's verify_16 compares 15 of the tag's 16 bytes; this one all of them. */
    @Test
    void everyByteOfTheTagCounts() {
        byte[] key = new byte[32];
        byte[] message = new byte[40];
        new Random(16).nextBytes(key);
        byte[] tag = new byte[16];
        poly1305.crypto_onetimeauth(tag, 0, message, 0, message.length, key);
        for (int i = 0; i < 16; i++) {
            byte[] wrong = tag.clone();
            wrong[i] ^= (byte) 0x80;
            assertThat(poly1305.crypto_onetimeauth_verify(wrong, 0, message, 0, message.length, key)).as("byte %d", i)
                    .isEqualTo(-1);
        }
    }
}

package com.neilalexander.jnacl.crypto;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The Salsa20/20 stream cipher (Bernstein), as NaCl's {@code crypto_stream_salsa20} and
 * {@code crypto_core_salsa20}. It takes the place of jnacl's own class of this name, which reads
 * and writes every word a byte at a time and was most of a CURVE box's time once Poly1305 was
 * fast. This one keeps the state in sixteen {@code int}s and moves words with little-endian
 * views of the arrays. The name and signatures are jnacl's, because {@link xsalsa20} calls them.
 */
public class salsa20 {

    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    /** "expand 32-byte k", the constant of a 32-byte key. */
    private static final int[] SIGMA = {0x61707865, 0x3320646e, 0x79622d32, 0x6b206574};

    public salsa20() {
    }

    /** One block: Salsa20/20 of the 16 bytes {@code in} under the 32-byte {@code k} and the 16-byte constant {@code c}. */
    public static int crypto_core(byte[] out, byte[] in, byte[] k, byte[] c) {
        int[] state = {word(c, 0), word(k, 0), word(k, 4), word(k, 8), word(k, 12), word(c, 4), word(in, 0),
            word(in, 4), word(in, 8), word(in, 12), word(c, 8), word(k, 16), word(k, 20), word(k, 24), word(k, 28),
            word(c, 12)};
        int[] block = new int[16];
        core(state, block);
        for (int i = 0; i < 16; i++) {
            INT.set(out, 4 * i, block[i]);
        }
        return 0;
    }

    /** {@code clen} bytes of key stream for the 8-byte nonce at {@code n[noffset]}. */
    public static int crypto_stream(byte[] c, int clen, byte[] n, int noffset, byte[] k) {
        java.util.Arrays.fill(c, 0, clen, (byte) 0);
        return crypto_stream_xor(c, c, clen, n, noffset, k);
    }

    /** {@code c = m XOR key stream}, {@code mlen} bytes from the start of each (they may be one array). */
    public static int crypto_stream_xor(byte[] c, byte[] m, int mlen, byte[] n, int noffset, byte[] k) {
        int[] state = {SIGMA[0], word(k, 0), word(k, 4), word(k, 8), word(k, 12), SIGMA[1], word(n, noffset),
            word(n, noffset + 4), 0, 0, SIGMA[2], word(k, 16), word(k, 20), word(k, 24), word(k, 28), SIGMA[3]};
        int[] block = new int[16];
        byte[] tail = null;
        for (int at = 0; at < mlen; at += 64) {
            core(state, block);
            if (mlen - at >= 64) {
                for (int i = 0; i < 16; i += 2) {
                    long stream = (block[i] & 0xffffffffL) | ((long) block[i + 1] << 32);
                    LONG.set(c, at + 4 * i, (long) LONG.get(m, at + 4 * i) ^ stream);
                }
            } else {
                if (tail == null) {
                    tail = new byte[64];
                }
                for (int i = 0; i < 16; i++) {
                    INT.set(tail, 4 * i, block[i]);
                }
                for (int i = at; i < mlen; i++) {
                    c[i] = (byte) (m[i] ^ tail[i - at]);
                }
            }
            if (++state[8] == 0) { // the 64-bit block counter, low word first
                state[9]++;
            }
        }
        return 0;
    }

    static int word(byte[] b, int at) {
        return (int) INT.get(b, at);
    }

    /** Ten double rounds (columns, then rows) of {@code in}, plus {@code in}, into {@code out}. */
    static void core(int[] in, int[] out) {
        int x0 = in[0];
        int x1 = in[1];
        int x2 = in[2];
        int x3 = in[3];
        int x4 = in[4];
        int x5 = in[5];
        int x6 = in[6];
        int x7 = in[7];
        int x8 = in[8];
        int x9 = in[9];
        int x10 = in[10];
        int x11 = in[11];
        int x12 = in[12];
        int x13 = in[13];
        int x14 = in[14];
        int x15 = in[15];
        for (int round = 0; round < 10; round++) {
            x4 ^= Integer.rotateLeft(x0 + x12, 7);
            x8 ^= Integer.rotateLeft(x4 + x0, 9);
            x12 ^= Integer.rotateLeft(x8 + x4, 13);
            x0 ^= Integer.rotateLeft(x12 + x8, 18);
            x9 ^= Integer.rotateLeft(x5 + x1, 7);
            x13 ^= Integer.rotateLeft(x9 + x5, 9);
            x1 ^= Integer.rotateLeft(x13 + x9, 13);
            x5 ^= Integer.rotateLeft(x1 + x13, 18);
            x14 ^= Integer.rotateLeft(x10 + x6, 7);
            x2 ^= Integer.rotateLeft(x14 + x10, 9);
            x6 ^= Integer.rotateLeft(x2 + x14, 13);
            x10 ^= Integer.rotateLeft(x6 + x2, 18);
            x3 ^= Integer.rotateLeft(x15 + x11, 7);
            x7 ^= Integer.rotateLeft(x3 + x15, 9);
            x11 ^= Integer.rotateLeft(x7 + x3, 13);
            x15 ^= Integer.rotateLeft(x11 + x7, 18);

            x1 ^= Integer.rotateLeft(x0 + x3, 7);
            x2 ^= Integer.rotateLeft(x1 + x0, 9);
            x3 ^= Integer.rotateLeft(x2 + x1, 13);
            x0 ^= Integer.rotateLeft(x3 + x2, 18);
            x6 ^= Integer.rotateLeft(x5 + x4, 7);
            x7 ^= Integer.rotateLeft(x6 + x5, 9);
            x4 ^= Integer.rotateLeft(x7 + x6, 13);
            x5 ^= Integer.rotateLeft(x4 + x7, 18);
            x11 ^= Integer.rotateLeft(x10 + x9, 7);
            x8 ^= Integer.rotateLeft(x11 + x10, 9);
            x9 ^= Integer.rotateLeft(x8 + x11, 13);
            x10 ^= Integer.rotateLeft(x9 + x8, 18);
            x12 ^= Integer.rotateLeft(x15 + x14, 7);
            x13 ^= Integer.rotateLeft(x12 + x15, 9);
            x14 ^= Integer.rotateLeft(x13 + x12, 13);
            x15 ^= Integer.rotateLeft(x14 + x13, 18);
        }
        out[0] = x0 + in[0];
        out[1] = x1 + in[1];
        out[2] = x2 + in[2];
        out[3] = x3 + in[3];
        out[4] = x4 + in[4];
        out[5] = x5 + in[5];
        out[6] = x6 + in[6];
        out[7] = x7 + in[7];
        out[8] = x8 + in[8];
        out[9] = x9 + in[9];
        out[10] = x10 + in[10];
        out[11] = x11 + in[11];
        out[12] = x12 + in[12];
        out[13] = x13 + in[13];
        out[14] = x14 + in[14];
        out[15] = x15 + in[15];
    }
}

package com.neilalexander.jnacl.crypto;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * HSalsa20 (Bernstein, "Extending the Salsa20 nonce"), as NaCl's {@code crypto_core_hsalsa20}:
 * the 32 bytes that XSalsa20 derives from a key and the first 16 bytes of a nonce, and that
 * CURVE's {@code crypto_box_beforenm} derives from a shared point. XSalsa20 runs it once per
 * message, so a CURVE box of a few bytes spends as much time here as in the stream itself. It
 * takes the place of jnacl's class of this name, which works a byte at a time; the name and
 * signature are jnacl's, for {@link xsalsa20} and {@link curve25519xsalsa20poly1305}.
 */
public class hsalsa20 {

    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    /** The words of Salsa20's state that HSalsa20 puts out, in order: the diagonal, then the input's. */
    private static final int[] OUTPUT = {0, 5, 10, 15, 6, 7, 8, 9};

    public hsalsa20() {
    }

    private static final byte[] ZEROS = new byte[16];

    /**
     * Puts into {@code out} the 32-byte HSalsa20 of the 16 bytes {@code in} (null: zeros, as
     * {@code crypto_box_beforenm} asks) under the key {@code k} and constant {@code c}.
     */
    public static int crypto_core(byte[] out, byte[] input, byte[] k, byte[] c) {
        byte[] in = input == null ? ZEROS : input;
        int[] state = {salsa20.word(c, 0), salsa20.word(k, 0), salsa20.word(k, 4), salsa20.word(k, 8),
            salsa20.word(k, 12), salsa20.word(c, 4), salsa20.word(in, 0), salsa20.word(in, 4), salsa20.word(in, 8),
            salsa20.word(in, 12), salsa20.word(c, 8), salsa20.word(k, 16), salsa20.word(k, 20), salsa20.word(k, 24),
            salsa20.word(k, 28), salsa20.word(c, 12)};
        int[] block = new int[16];
        salsa20.core(state, block);
        // Salsa20's core adds its input back at the end; HSalsa20 is the rounds alone.
        for (int i = 0; i < OUTPUT.length; i++) {
            INT.set(out, 4 * i, block[OUTPUT[i]] - state[OUTPUT[i]]);
        }
        return 0;
    }
}

package com.neilalexander.jnacl.crypto;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Poly1305 (RFC 8439, section 2.5), as NaCl's {@code crypto_onetimeauth}. It takes the place of
 * jnacl's own class of this name: jnacl's is the reference code, bytewise arithmetic that took 80%
 * of a CURVE box's time here (5 ms of the 6.1 ms a 256 KiB box took). This one keeps the
 * accumulator in five 26-bit limbs of a {@code long} each, so a block is 25 multiplications and a
 * carry chain, in constant time. The name and signatures are jnacl's, because
 * {@link xsalsa20poly1305} calls them.
 */
public class poly1305 {

    private static final long M26 = 0x3ffffff;
    private static final VarHandle LITTLE_ENDIAN = MethodHandles.byteArrayViewVarHandle(long[].class,
            ByteOrder.LITTLE_ENDIAN);

    public poly1305() {
    }

    /**
     * The 16-byte tag of {@code inlen} bytes of {@code in} from {@code inoffset}, under the
     * 32-byte one-time key {@code k}, written to {@code out} at {@code outoffset} (which may
     * overlap the key: the key is read first).
     */
    public static int crypto_onetimeauth(byte[] out, int outoffset, byte[] in, int inoffset, long inlen, byte[] k) {
        long[] tag = tag(in, inoffset, (int) inlen, k);
        putLong(out, outoffset, tag[0]);
        putLong(out, outoffset + 8, tag[1]);
        return 0;
    }

    /** 0 if the 16 bytes of {@code h} at {@code hoffset} are the tag, -1 if not; in constant time. */
    public static int crypto_onetimeauth_verify(byte[] h, int hoffset, byte[] in, int inoffset, long inlen, byte[] k) {
        long[] tag = tag(in, inoffset, (int) inlen, k);
        long diff = (tag[0] ^ getLong(h, hoffset)) | (tag[1] ^ getLong(h, hoffset + 8));
        return diff == 0 ? 0 : -1;
    }

    private static long[] tag(byte[] in, int offset, int length, byte[] k) {
        long rLow = getLong(k, 0) & 0x0ffffffc0fffffffL;
        long rHigh = getLong(k, 8) & 0x0ffffffc0ffffffcL;
        long sLow = getLong(k, 16);
        long sHigh = getLong(k, 24);
        long r0 = rLow & M26;
        long r1 = (rLow >>> 26) & M26;
        long r2 = ((rLow >>> 52) | (rHigh << 12)) & M26;
        long r3 = (rHigh >>> 14) & M26;
        long r4 = rHigh >>> 40;
        // 2^130 = 5 (mod 2^130 - 5): what a product carries past the top limb comes back times five
        long s1 = r1 * 5;
        long s2 = r2 * 5;
        long s3 = r3 * 5;
        long s4 = r4 * 5;
        long h0 = 0;
        long h1 = 0;
        long h2 = 0;
        long h3 = 0;
        long h4 = 0;
        byte[] last = new byte[16];
        for (int at = 0; at < length; at += 16) {
            long low;
            long high;
            long topBit;
            if (length - at >= 16) {
                low = getLong(in, offset + at);
                high = getLong(in, offset + at + 8);
                topBit = 1L << 24; // 2^128, in the top limb (bits 104..129)
            } else {
                // a short last block: its bytes, a 1 after them, zeros up to 16 bytes
                int n = length - at;
                System.arraycopy(in, offset + at, last, 0, n);
                last[n] = 1;
                low = getLong(last, 0);
                high = getLong(last, 8);
                topBit = 0;
            }
            h0 += low & M26;
            h1 += (low >>> 26) & M26;
            h2 += ((low >>> 52) | (high << 12)) & M26;
            h3 += (high >>> 14) & M26;
            h4 += (high >>> 40) | topBit;

            long d0 = h0 * r0 + h1 * s4 + h2 * s3 + h3 * s2 + h4 * s1;
            long d1 = h0 * r1 + h1 * r0 + h2 * s4 + h3 * s3 + h4 * s2;
            long d2 = h0 * r2 + h1 * r1 + h2 * r0 + h3 * s4 + h4 * s3;
            long d3 = h0 * r3 + h1 * r2 + h2 * r1 + h3 * r0 + h4 * s4;
            long d4 = h0 * r4 + h1 * r3 + h2 * r2 + h3 * r1 + h4 * r0;
            d1 += d0 >>> 26;
            h0 = d0 & M26;
            d2 += d1 >>> 26;
            h1 = d1 & M26;
            d3 += d2 >>> 26;
            h2 = d2 & M26;
            d4 += d3 >>> 26;
            h3 = d3 & M26;
            h0 += (d4 >>> 26) * 5;
            h4 = d4 & M26;
            h1 += h0 >>> 26;
            h0 &= M26;
        }
        // carry fully, then subtract p = 2^130 - 5 if h >= p (h + 5 reaches 2^130)
        h2 += h1 >>> 26;
        h1 &= M26;
        h3 += h2 >>> 26;
        h2 &= M26;
        h4 += h3 >>> 26;
        h3 &= M26;
        h0 += (h4 >>> 26) * 5;
        h4 &= M26;
        h1 += h0 >>> 26;
        h0 &= M26;
        long g0 = h0 + 5;
        long g1 = h1 + (g0 >>> 26);
        g0 &= M26;
        long g2 = h2 + (g1 >>> 26);
        g1 &= M26;
        long g3 = h3 + (g2 >>> 26);
        g2 &= M26;
        long g4 = h4 + (g3 >>> 26) - (1L << 26);
        g3 &= M26;
        long useG = ~(g4 >> 63); // all ones if g4 >= 0, that is h >= p
        h0 = (h0 & ~useG) | (g0 & useG);
        h1 = (h1 & ~useG) | (g1 & useG);
        h2 = (h2 & ~useG) | (g2 & useG);
        h3 = (h3 & ~useG) | (g3 & useG);
        h4 = (h4 & ~useG) | (g4 & M26 & useG);
        long low = h0 | (h1 << 26) | (h2 << 52);
        long high = (h2 >>> 12) | (h3 << 14) | (h4 << 40);
        long tagLow = low + sLow;
        long carry = ((low & sLow) | ((low | sLow) & ~tagLow)) >>> 63; // without a branch on the secret
        return new long[] {tagLow, high + sHigh + carry};
    }

    private static long getLong(byte[] b, int at) {
        return (long) LITTLE_ENDIAN.get(b, at);
    }

    private static void putLong(byte[] b, int at, long v) {
        LITTLE_ENDIAN.set(b, at, v);
    }
}

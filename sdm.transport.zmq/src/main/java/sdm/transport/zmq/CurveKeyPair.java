package sdm.transport.zmq;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

import org.zeromq.ZMQ;

import com.neilalexander.jnacl.crypto.curve25519;

/**
 * A Curve25519 key pair as CurveZMQ uses it, both halves in Z85 text (40 characters).
 *
 * @param publicKey Z85 of the 32-byte public key
 * @param secretKey Z85 of the 32-byte secret key
 */
public record CurveKeyPair(String publicKey, String secretKey) {

    private static final SecureRandom RANDOM = new SecureRandom();

    public CurveKeyPair {
        checkKey("public key", publicKey);
        checkKey("secret key", secretKey);
    }

    /** A new random key pair. */
    public static CurveKeyPair generate() {
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        return fromSecret(secret);
    }

    /**
     * A node's own key pair, kept in {@code file} of its data folder: made there on first use, and
     * refused, as ssh does, if others may read it.
     */
    public static CurveKeyPair kept(sdm.api.node.DataFolder data, String file) throws java.io.IOException {
        var secret = data.readSecret(file);
        if (secret.isEmpty()) {
            CurveKeyPair keys = generate();
            data.write(file, keys.secretKey(), true);
            return keys;
        }
        try {
            return fromSecret(secret.get());
        } catch (IllegalArgumentException e) {
            throw new java.io.IOException(file + " is not a CURVE secret key: " + e.getMessage());
        }
    }

    /** The key pair whose secret key is the given Z85 text. */
    public static CurveKeyPair fromSecret(String secretKeyZ85) {
        checkKey("secret key", secretKeyZ85);
        return fromSecret(ZMQ.Curve.z85Decode(secretKeyZ85));
    }

    /**
     * The key pair derived from a seed: the secret key is SHA-256 of a domain label and the
     * seed, so the same seed always gives the same keys and different labels never collide.
     */
    public static CurveKeyPair derive(String label, byte[] seed) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(label.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(seed);
            return fromSecret(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    private static CurveKeyPair fromSecret(byte[] secret) {
        byte[] pub = new byte[32];
        curve25519.crypto_scalarmult_base(pub, secret);
        return new CurveKeyPair(ZMQ.Curve.z85Encode(pub), ZMQ.Curve.z85Encode(secret));
    }

    byte[] publicBytes() {
        return ZMQ.Curve.z85Decode(publicKey);
    }

    byte[] secretBytes() {
        return ZMQ.Curve.z85Decode(secretKey);
    }

    static void checkKey(String what, String z85) {
        if (z85 == null || z85.length() != 40) {
            throw new IllegalArgumentException("a CURVE " + what + " is 40 characters of Z85, got "
                    + (z85 == null ? "nothing" : z85.length() + " characters"));
        }
        byte[] raw;
        try {
            raw = ZMQ.Curve.z85Decode(z85);
        } catch (RuntimeException e) {
            raw = null;
        }
        if (raw == null || raw.length != 32) {
            throw new IllegalArgumentException("a CURVE " + what + " must be Z85 text");
        }
    }

    @Override
    public String toString() {
        return "CurveKeyPair[publicKey=" + publicKey + "]";
    }
}

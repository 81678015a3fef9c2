package sdm.transport.zmq;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Locale;

import org.zeromq.ZMQ;

/**
 * The join token a slave needs to enter a machine: {@code SDM1-<master public key>-<secret>},
 * both parts in hex. The master's public key lets the slave pin the master (it accepts no
 * other server); the secret derives the client key pair slaves present at the CURVE handshake.
 * The master admits that public key and refuses any other at the handshake.
 *
 * @param masterPublicKey Z85 public key of the master
 * @param secret          32 random bytes
 */
public record JoinToken(String masterPublicKey, byte[] secret) {

    private static final String PREFIX = "SDM1-";
    private static final HexFormat HEX = HexFormat.of();

    public JoinToken {
        CurveKeyPair.checkKey("master public key", masterPublicKey);
        if (secret.length != 32) {
            throw new IllegalArgumentException("a join token secret is 32 bytes, got " + secret.length);
        }
        secret = secret.clone();
    }

    /** A new token for the master with this public key. */
    public static JoinToken create(String masterPublicKey) {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        return new JoinToken(masterPublicKey, secret);
    }

    /**
     * Parses the text form.
     *
     * @throws IllegalArgumentException naming what is wrong, if {@code text} is not a token
     */
    public static JoinToken parse(String text) {
        String t = text == null ? "" : text.strip();
        if (!t.startsWith(PREFIX)) {
            throw new IllegalArgumentException("a join token starts with " + PREFIX);
        }
        String[] parts = t.substring(PREFIX.length()).split("-", -1);
        if (parts.length != 2 || parts[0].length() != 64 || parts[1].length() != 64) {
            throw new IllegalArgumentException("a join token is " + PREFIX + "<64 hex digits>-<64 hex digits>");
        }
        try {
            byte[] pub = HEX.parseHex(parts[0].toLowerCase(Locale.ROOT));
            byte[] secret = HEX.parseHex(parts[1].toLowerCase(Locale.ROOT));
            return new JoinToken(ZMQ.Curve.z85Encode(pub), secret);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("a join token holds only hex digits after " + PREFIX);
        }
    }

    /** The key pair every slave of this machine presents at the handshake. */
    public CurveKeyPair slaveKeys() {
        return CurveKeyPair.derive("sdm join v1", secret);
    }

    @Override
    public byte[] secret() {
        return secret.clone();
    }

    /** The text form, as written to {@code join.token} and given to {@code --token}. */
    public String text() {
        return PREFIX + HEX.formatHex(ZMQ.Curve.z85Decode(masterPublicKey)) + "-" + HEX.formatHex(secret);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof JoinToken t && t.masterPublicKey.equals(masterPublicKey)
                && java.security.MessageDigest.isEqual(t.secret, secret);
    }

    @Override
    public int hashCode() {
        return masterPublicKey.hashCode() * 31 + java.util.Arrays.hashCode(secret);
    }

    /** Never shows the secret, so a token cannot leak through a log line. */
    @Override
    public String toString() {
        return "JoinToken[master=" + masterPublicKey + "]";
    }
}

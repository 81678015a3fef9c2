package sdm.replication.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The key the masters of one machine share for their consensus links: an EC key and its
 * self-signed certificate in {@code DATA/consensus.p12}, owner-only. Every link is mutual TLS,
 * and a peer is accepted only if it presents this very certificate: who has no copy of the
 * file can neither read the masters' log nor write to it. The first master of the list creates
 * the key (with the JDK's {@code keytool}); the others are given a copy, as the members of an
 * Erlang cluster share a cookie.
 */
final class ConsensusKey {

    static final String FILE = sdm.api.node.NodeFiles.CONSENSUS_KEY;
    /** The file is the secret (owner-only), not this: PKCS12 wants a password. */
    private static final char[] PASSWORD = "sdm-consensus".toCharArray();
    private static final String ALIAS = "sdm";

    private final KeyManager keyManager;
    private final X509Certificate certificate;

    private ConsensusKey(KeyManager keyManager, X509Certificate certificate) {
        this.keyManager = keyManager;
        this.certificate = certificate;
    }

    /** Reads the key from {@code file}. @throws IOException naming the file and what is wrong */
    static ConsensusKey load(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, PASSWORD);
            if (!(store.getCertificate(ALIAS) instanceof X509Certificate cert)) {
                throw new IOException(file + " holds no consensus certificate");
            }
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(store, PASSWORD);
            return new ConsensusKey(kmf.getKeyManagers()[0], cert);
        } catch (GeneralSecurityException e) {
            throw new IOException(file + " is not a consensus key: " + e.getMessage());
        }
    }

    /**
     * Creates a new key in {@code file} with the keytool of the JDK this process runs on.
     *
     * @throws IOException if keytool fails, with its output
     */
    static void create(Path file) throws IOException, InterruptedException {
        Path java = Path.of(ProcessHandle.current().info().command().orElse("java"));
        Path keytool = java.resolveSibling("keytool");
        Path temp = file.resolveSibling("." + FILE + ".tmp");
        Files.deleteIfExists(temp);
        Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", ALIAS, "-keyalg", "EC",
                "-groupname", "secp256r1", "-sigalg", "SHA256withECDSA", "-validity", "36500",
                "-dname", "CN=sdm consensus", "-storetype", "PKCS12", "-keystore", temp.toString(),
                "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD))
                .redirectErrorStream(true).start();
        byte[] output = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            Files.deleteIfExists(temp);
            throw new IOException("keytool could not create the consensus key: " + new String(output).strip());
        }
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
    }

    KeyManager keyManager() {
        return keyManager;
    }

    /** Accepts exactly the machine's certificate, whatever address the peer has: the key is pinned, not a name. */
    X509ExtendedTrustManager trustManager() {
        return new X509ExtendedTrustManager() {
            private void check(X509Certificate[] chain) throws CertificateException {
                if (chain == null || chain.length == 0 || !chain[0].equals(certificate)) {
                    throw new CertificateException("the peer does not hold this machine's consensus key");
                }
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                check(chain);
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                check(chain);
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                    throws CertificateException {
                check(chain);
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                    throws CertificateException {
                check(chain);
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                    throws CertificateException {
                check(chain);
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                    throws CertificateException {
                check(chain);
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return List.of(certificate).toArray(X509Certificate[]::new);
            }
        };
    }
}

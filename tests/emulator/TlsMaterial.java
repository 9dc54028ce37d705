package emulator;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;

/**
 * The emulator's private CA and its server certificate for 127.0.0.1 and localhost, stored as PEM
 * files (ca.pem, ca-key.pem, server.pem, server-key.pem) in one folder. Existing files are
 * reused, so a sandbox keeps the CA that kubeconfigs already trust across restarts.
 */
final class TlsMaterial {

    private static final Duration CA_VALIDITY = Duration.ofDays(3650);
    private static final Duration SERVER_VALIDITY = Duration.ofDays(365);
    /** Remaining validity below which the server certificate is reissued, so it cannot expire during a test run. */
    private static final Duration RENEW_BEFORE = Duration.ofDays(1);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path caFile;
    private final X509Certificate caCertificate;
    private final X509Certificate serverCertificate;
    private final PrivateKey serverKey;

    private TlsMaterial(Path caFile, X509Certificate ca, X509Certificate server, PrivateKey serverKey) {
        this.caFile = caFile;
        this.caCertificate = ca;
        this.serverCertificate = server;
        this.serverKey = serverKey;
    }

    /** Loads the CA and server certificate from {@code dir}, creating whichever is missing or unusable. */
    static TlsMaterial loadOrCreate(Path dir) throws IOException {
        try {
            Files.createDirectories(dir);
            Path caFile = dir.resolve("ca.pem");
            Path caKeyFile = dir.resolve("ca-key.pem");
            KeyPair caKeys;
            X509Certificate ca;
            if (Files.exists(caFile) && Files.exists(caKeyFile)) {
                ca = readCertificate(caFile);
                caKeys = new KeyPair(ca.getPublicKey(), readKey(caKeyFile));
            } else {
                caKeys = newKeyPair();
                ca = issueCa(caKeys);
                writePem(caKeyFile, caKeys.getPrivate(), true);
                writePem(caFile, ca, false);
            }
            return withServerCertificate(dir, caFile, ca, caKeys);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IOException("failed to create or load TLS certificates in " + dir + ": " + e.getMessage(), e);
        }
    }

    private static TlsMaterial withServerCertificate(Path dir, Path caFile, X509Certificate ca, KeyPair caKeys)
            throws IOException, GeneralSecurityException, OperatorCreationException {
        Path serverFile = dir.resolve("server.pem");
        Path serverKeyFile = dir.resolve("server-key.pem");
        if (Files.exists(serverFile) && Files.exists(serverKeyFile)) {
            X509Certificate server = readCertificate(serverFile);
            if (isUsable(server, ca)) {
                return new TlsMaterial(caFile.toAbsolutePath(), ca, server, readKey(serverKeyFile));
            }
        }
        KeyPair serverKeys = newKeyPair();
        X509Certificate server = issueServer(serverKeys.getPublic(), ca, caKeys.getPrivate());
        writePem(serverKeyFile, serverKeys.getPrivate(), true);
        writePem(serverFile, server, false);
        return new TlsMaterial(caFile.toAbsolutePath(), ca, server, serverKeys.getPrivate());
    }

    private static boolean isUsable(X509Certificate server, X509Certificate ca) {
        try {
            server.verify(ca.getPublicKey());
            server.checkValidity(Date.from(Instant.now().plus(RENEW_BEFORE)));
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    Path caFile() {
        return caFile;
    }

    String caPem() {
        try {
            return Files.readString(caFile);
        } catch (IOException e) {
            throw new IllegalStateException("failed to read " + caFile + ": " + e.getMessage(), e);
        }
    }

    X509Certificate caCertificate() {
        return caCertificate;
    }

    /** Builds a server-side SSL context presenting the server certificate and the CA as its chain. */
    SSLContext serverContext() throws GeneralSecurityException, IOException {
        char[] password = new char[0];
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("server", serverKey, password, new Certificate[] {serverCertificate, caCertificate});
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(store, password);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(factory.getKeyManagers(), null, RANDOM);
        return context;
    }

    private static KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return generator.generateKeyPair();
    }

    private static X509Certificate issueCa(KeyPair keys) throws GeneralSecurityException, IOException, OperatorCreationException {
        X500Name name = new X500Name("CN=Datum Cloud emulator CA " + Instant.now().getEpochSecond());
        Instant now = Instant.now();
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, serial(),
                Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(CA_VALIDITY)), name, keys.getPublic());
        JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        builder.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(keys.getPublic()));
        return sign(builder, keys.getPrivate());
    }

    private static X509Certificate issueServer(PublicKey key, X509Certificate ca, PrivateKey caKey)
            throws GeneralSecurityException, IOException, OperatorCreationException {
        Instant now = Instant.now();
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(ca, serial(),
                Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(SERVER_VALIDITY)),
                new X500Name("CN=localhost"), key);
        JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
        GeneralNames names = new GeneralNames(new GeneralName[] {
            new GeneralName(GeneralName.iPAddress, InetAddress.getLoopbackAddress().getHostAddress()),
            new GeneralName(GeneralName.dNSName, "localhost")});
        builder.addExtension(Extension.subjectAlternativeName, false, names);
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
        builder.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(key));
        builder.addExtension(Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(ca));
        return sign(builder, caKey);
    }

    private static BigInteger serial() {
        return new BigInteger(127, RANDOM).add(BigInteger.ONE);
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key)
            throws GeneralSecurityException, OperatorCreationException {
        X509CertificateHolder holder = builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key));
        return new JcaX509CertificateConverter().getCertificate(holder);
    }

    private static X509Certificate readCertificate(Path file) throws IOException, GeneralSecurityException {
        Object parsed = readPem(file);
        if (!(parsed instanceof X509CertificateHolder holder)) {
            throw new IOException(file + " does not contain a PEM certificate; delete it to let the emulator create a new one");
        }
        return new JcaX509CertificateConverter().getCertificate(holder);
    }

    private static PrivateKey readKey(Path file) throws IOException {
        Object parsed = readPem(file);
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        if (parsed instanceof PrivateKeyInfo info) {
            return converter.getPrivateKey(info);
        }
        if (parsed instanceof PEMKeyPair pair) {
            return converter.getKeyPair(pair).getPrivate();
        }
        throw new IOException(file + " does not contain a PEM private key; delete it to let the emulator create a new one");
    }

    private static Object readPem(Path file) throws IOException {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
                PEMParser parser = new PEMParser(reader)) {
            return parser.readObject();
        }
    }

    /** Writes one PEM object. Private key files get mode 0600 before any byte is written. */
    private static void writePem(Path file, Object object, boolean secret) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            // Private keys go out as PKCS#8 ("PRIVATE KEY"), which OpenSSL, Go and BouncyCastle all read back.
            writer.writeObject(object instanceof PrivateKey key ? new JcaPKCS8Generator(key, null) : object);
        }
        Files.deleteIfExists(file);
        if (secret && file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        Files.writeString(file, text.toString(), StandardCharsets.US_ASCII);
    }
}

package unit;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import lib.CredentialStore;
import lib.Json;
import lib.JwtBearer;
import lib.ServiceAccountKey;
import lib.ServiceAccountLogin;
import lib.ServiceAccountSession;
import lib.Sessions;
import lib.StoredSession;
import lib.UserError;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Service account key files: validation, PEM forms, and the assertions minted with Nimbus and with the JDK. */
class ServiceAccountKeyTest {

    static final String TOKEN_URI = "https://auth.example.test:8443/oauth/v2/token";

    static KeyPair rsa;
    static String pkcs8Pem;
    static String pkcs1Pem;

    @TempDir
    Path dir;

    @BeforeAll
    static void generateKeys() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        rsa = generator.generateKeyPair();
        pkcs8Pem = pem("PRIVATE KEY", rsa.getPrivate().getEncoded());
        byte[] pkcs1 = PrivateKeyInfo.getInstance(rsa.getPrivate().getEncoded()).parsePrivateKey().toASN1Primitive().getEncoded();
        pkcs1Pem = pem("RSA PRIVATE KEY", pkcs1);
    }

    static String pem(String label, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der);
        return "-----BEGIN " + label + "-----\n" + body + "\n-----END " + label + "-----\n";
    }

    /** Builds a complete key document, from which tests remove or replace fields. */
    static Map<String, Object> keyDocument(String privateKeyPem) {
        Map<String, Object> key = new LinkedHashMap<>();
        key.put("type", "datum_service_account");
        key.put("client_id", "320000000000000009");
        key.put("client_email", "robot@example.com");
        key.put("private_key_id", "kid-1");
        key.put("private_key", privateKeyPem);
        key.put("token_uri", TOKEN_URI);
        return key;
    }

    static UserError rejected(Map<String, Object> document) {
        UserError error = assertThrows(UserError.class, () -> ServiceAccountKey.parse(Json.write(document), "file key.json"));
        Object pem = document.get("private_key");
        if (pem instanceof String text && text.length() > 100) {
            String material = text.lines().skip(1).findFirst().orElseThrow();
            assertFalse(error.describe().contains(material), "the error shows key material: " + error.describe());
        }
        return error;
    }

    @Test
    void missingFieldsAreListedByName() {
        Map<String, Object> document = keyDocument(pkcs8Pem);
        document.remove("client_id");
        document.remove("private_key");
        document.put("token_uri", "");

        UserError error = rejected(document);

        assertTrue(error.getMessage().contains("key.json"), error.getMessage());
        assertTrue(error.getMessage().contains("missing client_id, private_key, token_uri"), error.getMessage());
        assertEquals(1, error.exitCode());
    }

    @Test
    void wrongTypeIsNamed() {
        Map<String, Object> document = keyDocument(pkcs8Pem);
        document.put("type", "service_account");

        UserError error = rejected(document);

        assertTrue(error.getMessage().contains("type is \"service_account\", expected \"datum_service_account\""),
            error.getMessage());
    }

    @Test
    void missingTypeIsNamed() {
        Map<String, Object> document = keyDocument(pkcs8Pem);
        document.remove("type");

        assertTrue(rejected(document).getMessage().contains("type is missing"));
    }

    @Test
    void notJsonIsRejected() {
        UserError error = assertThrows(UserError.class, () -> ServiceAccountKey.parse("client_id: 1", "from stdin"));

        assertTrue(error.getMessage().contains("from stdin: it is not a JSON object"), error.getMessage());
    }

    @Test
    void textThatIsNoPemIsRejected() {
        UserError error = rejected(keyDocument("MIIEvQIBADANBgkqhkiG9w0BAQEFAASC"));

        assertTrue(error.getMessage().contains("private_key is not a PEM block"), error.getMessage());
    }

    @Test
    void pemWithDamagedContentIsRejected() {
        String damaged = pkcs8Pem.replace(pkcs8Pem.lines().skip(3).findFirst().orElseThrow(), "AAAA");

        UserError error = rejected(keyDocument(damaged));

        assertTrue(error.getMessage().contains("cannot be read as an RSA private key"), error.getMessage());
    }

    @Test
    void pemWithInvalidBase64IsRejected() {
        String invalid = "-----BEGIN PRIVATE KEY-----\nMIIE=vQIB=\n-----END PRIVATE KEY-----\n";

        UserError error = rejected(keyDocument(invalid));

        assertTrue(error.getMessage().contains("not valid base64"), error.getMessage());
    }

    @Test
    void ecKeyIsRejectedAsNotRsa() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        String ecPem = pem("PRIVATE KEY", generator.generateKeyPair().getPrivate().getEncoded());

        UserError error = rejected(keyDocument(ecPem));

        assertTrue(error.getMessage().contains("is a key of type EC, but service accounts sign with RSA keys"), error.getMessage());
    }

    @Test
    void sec1EcKeyIsRejectedAsNotRsa() {
        String sec1 = pem("EC PRIVATE KEY", new byte[] {0x30, 0x03, 0x02, 0x01, 0x01});

        UserError error = rejected(keyDocument(sec1));

        assertTrue(error.getMessage().contains("PEM block of type EC PRIVATE KEY, but service accounts sign with RSA keys"), error.getMessage());
    }

    @Test
    void publicKeyInsteadOfPrivateIsRejected() {
        String publicPem = pem("PUBLIC KEY", rsa.getPublic().getEncoded());

        UserError error = rejected(keyDocument(publicPem));

        assertTrue(error.getMessage().contains("PEM block of type PUBLIC KEY, not an RSA private key"), error.getMessage());
    }

    @Test
    void pkcs1AndPkcs8ReadTheSameKey() {
        ServiceAccountKey fromPkcs8 = ServiceAccountKey.parse(Json.write(keyDocument(pkcs8Pem)), "pkcs8.json");
        ServiceAccountKey fromPkcs1 = ServiceAccountKey.parse(Json.write(keyDocument(pkcs1Pem)), "pkcs1.json");

        assertEquals(fromPkcs8.privateKey().getModulus(), fromPkcs1.privateKey().getModulus());
        assertEquals(fromPkcs8.privateKey().getPrivateExponent(), fromPkcs1.privateKey().getPrivateExponent());
        assertEquals("robot@example.com", fromPkcs1.identity());
        assertEquals("openid profile email offline_access", fromPkcs1.requestedScope());
        assertFalse(fromPkcs1.toString().contains(pkcs1Pem.lines().skip(1).findFirst().orElseThrow()));
    }

    @Test
    void identityFallsBackToClientId() {
        Map<String, Object> document = keyDocument(pkcs8Pem);
        document.remove("client_email");

        assertEquals("320000000000000009", ServiceAccountKey.parse(Json.write(document), "key.json").identity());
    }

    @Test
    void audienceIsSchemeAndAuthorityOfTokenUri() {
        assertEquals("https://auth.datum.net", JwtBearer.audience("https://auth.datum.net/oauth/v2/token"));
        assertEquals("https://127.0.0.1:8443", JwtBearer.audience("https://127.0.0.1:8443/oauth/v2/token"));
    }

    @Test
    void nimbusAssertionCarriesTheClaims() throws Exception {
        ServiceAccountKey key = ServiceAccountKey.parse(Json.write(keyDocument(pkcs1Pem)), "key.json");
        Instant now = Instant.ofEpochSecond(1_700_000_000);

        SignedJWT jwt = SignedJWT.parse(key.mint(TOKEN_URI, now));

        assertAssertion(jwt, now);
    }

    @Test
    void jdkAssertionCarriesTheSameClaims() throws Exception {
        Instant now = Instant.ofEpochSecond(1_700_000_000);

        String assertion = JwtBearer.mint("320000000000000009", "kid-1", JwtBearer.parsePrivateKey(pkcs1Pem, "test"),
            TOKEN_URI, now);

        assertAssertion(SignedJWT.parse(assertion), now);
    }

    static void assertAssertion(SignedJWT jwt, Instant now) throws Exception {
        assertEquals(JWSAlgorithm.RS256, jwt.getHeader().getAlgorithm());
        assertEquals("kid-1", jwt.getHeader().getKeyID());
        assertEquals("JWT", jwt.getHeader().getType().getType());
        assertTrue(jwt.verify(new RSASSAVerifier((RSAPublicKey) rsa.getPublic())), "signature");
        JWTClaimsSet claims = jwt.getJWTClaimsSet();
        assertEquals("320000000000000009", claims.getIssuer());
        assertEquals("320000000000000009", claims.getSubject());
        assertEquals(java.util.List.of("https://auth.example.test:8443"), claims.getAudience());
        assertEquals(now, claims.getIssueTime().toInstant());
        assertEquals(now.plusSeconds(60), claims.getExpirationTime().toInstant());
        assertNotNull(claims.getJWTID());
    }

    @Test
    void assertionsGetFreshIds() throws Exception {
        ServiceAccountKey key = ServiceAccountKey.parse(Json.write(keyDocument(pkcs8Pem)), "key.json");
        Instant now = Instant.now();

        String first = SignedJWT.parse(key.mint(TOKEN_URI, now)).getJWTClaimsSet().getJWTID();
        String second = SignedJWT.parse(key.mint(TOKEN_URI, now)).getJWTClaimsSet().getJWTID();

        assertFalse(first.equals(second), "jti must differ between assertions");
    }

    private ServiceAccountLogin login() {
        Sessions sessions = new Sessions(new CredentialStore(dir.resolve("credentials.json")));
        return new ServiceAccountLogin(new PrintWriter(new StringWriter()), false, Clock.systemUTC(), sessions, dir);
    }

    private static StoredSession session(ServiceAccountKey key, String accessToken) {
        Map<String, Object> token = new LinkedHashMap<>();
        token.put("access_token", accessToken);
        return StoredSession.create()
            .set("hostname", "auth.example.test")
            .set("user_email", key.identity())
            .set("token", token)
            .set(ServiceAccountSession.FIELD, ServiceAccountSession.state(key.clientId(), key.clientEmail(),
                key.privateKeyId(), TOKEN_URI, key.requestedScope()));
    }

    @Test
    void smallSessionKeepsKeyInline() throws Exception {
        ServiceAccountKey key = ServiceAccountKey.parse(Json.write(keyDocument(pkcs8Pem)), "key.json");
        StoredSession session = session(key, "short");

        login().storePrivateKey(session, key);

        assertEquals(pkcs8Pem, session.serviceAccount().get("private_key"));
        assertNull(session.serviceAccount().get("private_key_path"));
        assertFalse(Files.exists(ServiceAccountSession.keyFile(dir, session.userKey())));
    }

    @Test
    void largeSessionMovesKeyToPrivateFile() throws Exception {
        ServiceAccountKey key = ServiceAccountKey.parse(Json.write(keyDocument(pkcs8Pem)), "key.json");
        StoredSession session = session(key, "x".repeat(2000));

        login().storePrivateKey(session, key);

        Path file = ServiceAccountSession.keyFile(dir, "robot@example.com@auth.example.test");
        assertNull(session.serviceAccount().get("private_key"));
        assertEquals(file.toAbsolutePath().toString(), session.serviceAccount().get("private_key_path"));
        assertEquals(pkcs8Pem, Files.readString(file));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
        assertEquals(dir.resolve("service-accounts"), file.getParent());
        assertEquals(pkcs8Pem, ServiceAccountSession.privateKeyPem(session.userKey(), session.serviceAccount()));
    }

    @Test
    void missingKeyFileIsNamed() {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("private_key_path", dir.resolve("gone.pem").toString());

        UserError error = assertThrows(UserError.class, () -> ServiceAccountSession.privateKeyPem("robot@x", state));

        assertTrue(error.getMessage().contains("gone.pem"), error.getMessage());
        assertTrue(error.getMessage().contains("does not exist"), error.getMessage());
        assertTrue(error.hint().contains("datumctl login --credentials"), error.hint());
    }
}

package unit;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import lib.Http;
import lib.IdTokenVerifier;
import lib.UserError;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdTokenVerifierTest {

    private static final String CLIENT_ID = "datumctl-test";
    private static final String NONCE = "nonce-123";
    private static final Instant NOW = Instant.parse("2025-01-01T12:00:00Z");

    private static RSAKey signingKey;
    private static RSAKey otherKey;

    private LoopbackStub auth;
    private String issuer;

    @BeforeAll
    static void generateKeys() throws Exception {
        signingKey = new RSAKeyGenerator(2048).keyID("key-1").generate();

        // Same key id, different key: a token signed with it must fail the signature check.
        otherKey = new RSAKeyGenerator(2048).keyID("key-1").generate();
    }

    @BeforeEach
    void startStub() throws Exception {
        auth = LoopbackStub.start();
        issuer = auth.url("");
        auth.on("GET", "/keys", request ->
            LoopbackStub.Reply.json(200, new JWKSet(signingKey.toPublicJWK()).toString()));
    }

    @AfterEach
    void stopStub() {
        auth.close();
    }

    private IdTokenVerifier verifier() {
        return new IdTokenVerifier(Http.client(null), auth.url("/keys"), issuer, CLIENT_ID, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    /** Claims of a valid token, for each test to change one thing. */
    private JWTClaimsSet.Builder goodClaims() {
        return new JWTClaimsSet.Builder()
            .issuer(issuer)
            .audience(List.of(CLIENT_ID, "another-audience"))
            .subject("user-1")
            .claim("email", "ada@example.com")
            .claim("name", "Ada Lovelace")
            .claim("nonce", NONCE)
            .issueTime(Date.from(NOW.minusSeconds(5)))
            .notBeforeTime(Date.from(NOW.minusSeconds(5)))
            .expirationTime(Date.from(NOW.plusSeconds(3600)));
    }

    private static String sign(JWTClaimsSet claims, RSAKey key) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), claims);
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }

    private UserError rejected(JWTClaimsSet claims) throws Exception {
        String token = sign(claims, signingKey);
        return assertThrows(UserError.class, () -> verifier().verify(token, NONCE));
    }

    @Test
    void goodTokenIsAccepted() throws Exception {
        JWTClaimsSet claims = verifier().verify(sign(goodClaims().build(), signingKey), NONCE);

        assertEquals("ada@example.com", claims.getStringClaim("email"));
        assertEquals("user-1", claims.getSubject());
        assertEquals(1, auth.requests("/keys").size(), "the JWKS comes from the discovered jwks_uri");
    }

    @Test
    void wrongSignatureIsRejected() throws Exception {
        String token = sign(goodClaims().build(), otherKey);

        UserError error = assertThrows(UserError.class, () -> verifier().verify(token, NONCE));

        assertTrue(error.getMessage().contains("signature does not match"), error.getMessage());
        assertTrue(error.getMessage().contains(auth.url("/keys")), error.getMessage());
    }

    @Test
    void unknownKeyIdIsRejected() throws Exception {
        RSAKey rotated = new RSAKeyGenerator(2048).keyID("key-2").generate();
        String token = sign(goodClaims().build(), rotated);

        UserError error = assertThrows(UserError.class, () -> verifier().verify(token, NONCE));

        assertTrue(error.getMessage().contains("key id key-2"), error.getMessage());
    }

    @Test
    void hmacSignedTokenIsRejected() throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), goodClaims().build());
        jwt.sign(new MACSigner("a-shared-secret-of-at-least-256-bits!!"));

        UserError error = assertThrows(UserError.class, () -> verifier().verify(jwt.serialize(), NONCE));

        assertTrue(error.getMessage().contains("HS256"), error.getMessage());
    }

    @Test
    void wrongIssuerIsRejected() throws Exception {
        UserError error = rejected(goodClaims().issuer("https://elsewhere.test").build());

        assertEquals("the ID token was issued by https://elsewhere.test, expected " + issuer, error.getMessage());
    }

    @Test
    void wrongAudienceIsRejected() throws Exception {
        UserError error = rejected(goodClaims().audience("some-other-client").build());

        assertTrue(error.getMessage().contains("does not include the client id " + CLIENT_ID), error.getMessage());
        assertTrue(error.hint().contains("--client-id"), error.hint());
    }

    @Test
    void expiredTokenIsRejected() throws Exception {
        UserError error = rejected(goodClaims().expirationTime(Date.from(NOW.minusSeconds(600))).build());

        assertTrue(error.getMessage().startsWith("the ID token expired at 2025-01-01T11:50:00Z"), error.getMessage());
        assertTrue(error.getMessage().contains("600 seconds ahead"), error.getMessage());
    }

    @Test
    void smallClockSkewIsTolerated() throws Exception {
        JWTClaimsSet skewed = goodClaims()
            .expirationTime(Date.from(NOW.minusSeconds(60)))
            .issueTime(Date.from(NOW.plusSeconds(90)))
            .notBeforeTime(Date.from(NOW.plusSeconds(90)))
            .build();

        JWTClaimsSet claims = verifier().verify(sign(skewed, signingKey), NONCE);

        assertEquals("ada@example.com", claims.getStringClaim("email"));
    }

    @Test
    void futureIssueTimeReportsClockBehind() throws Exception {
        UserError error = rejected(goodClaims().issueTime(Date.from(NOW.plusSeconds(600))).build());

        assertTrue(error.getMessage().startsWith("the ID token is not valid yet"), error.getMessage());
        assertTrue(error.getMessage().contains("your clock may be 600 seconds behind"), error.getMessage());
    }

    @Test
    void futureNotBeforeReportsClockBehind() throws Exception {
        UserError error = rejected(goodClaims().notBeforeTime(Date.from(NOW.plusSeconds(300))).build());

        assertTrue(error.getMessage().contains("your clock may be 300 seconds behind"), error.getMessage());
    }

    @Test
    void nonceMismatchIsRejected() throws Exception {
        UserError error = rejected(goodClaims().claim("nonce", "another-nonce").build());

        assertEquals("the ID token's nonce does not match the one this login sent", error.getMessage());
    }

    @Test
    void nonceIsNotRequiredWhenNoneWasSent() throws Exception {
        String token = sign(goodClaims().claim("nonce", null).build(), signingKey);

        assertEquals("user-1", verifier().verify(token, null).getSubject());
    }

    @Test
    void missingEmailIsRejected() throws Exception {
        UserError error = rejected(goodClaims().claim("email", null).build());

        assertEquals("the ID token has no email claim", error.getMessage());
        assertTrue(error.hint().contains("'email' scope"), error.hint());
    }

    @Test
    void missingSubjectIsRejected() throws Exception {
        UserError error = rejected(goodClaims().subject(null).build());

        assertEquals("the ID token has no sub claim", error.getMessage());
    }

    @Test
    void unreachableKeysAreReported() throws Exception {
        auth.on("GET", "/keys", request -> LoopbackStub.Reply.json(503, "{}"));
        String token = sign(goodClaims().build(), signingKey);

        UserError error = assertThrows(UserError.class, () -> verifier().verify(token, NONCE));

        assertTrue(error.getMessage().contains("HTTP 503"), error.getMessage());
    }
}

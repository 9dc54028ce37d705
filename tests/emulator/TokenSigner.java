package emulator;

import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.UUID;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

/**
 * Signs the emulator's access and ID tokens with one RS256 key and verifies bearer tokens against
 * it. The key lives in memory only, so tokens from an earlier run are rejected after a restart.
 */
final class TokenSigner {

    /** Header {@code typ} of access tokens (RFC 9068), which distinguishes them from ID tokens. */
    static final JOSEObjectType ACCESS_TOKEN_TYPE = new JOSEObjectType("at+jwt");
    /** Clock skew tolerated on exp and iat of bearer tokens. */
    static final Duration MAX_SKEW = Duration.ofSeconds(2);

    private final RSAKey key;
    private final String issuer;

    TokenSigner(String issuer) throws JOSEException {
        this.issuer = issuer;
        this.key = new RSAKeyGenerator(2048)
                .keyID(UUID.randomUUID().toString())
                .keyUse(KeyUse.SIGNATURE)
                .algorithm(JWSAlgorithm.RS256)
                .generate();
    }

    /** Thrown when a bearer token is not a valid, unexpired token of this emulator. */
    static final class InvalidToken extends Exception {
        InvalidToken(String message) {
            super(message);
        }
    }

    String issuer() {
        return issuer;
    }

    Map<String, Object> jwks() {
        return new JWKSet(key.toPublicJWK()).toJSONObject(true);
    }

    /**
     * Signs the claims. Access tokens carry {@code aud} as a JSON array, as Zitadel's do. Nimbus
     * writes a single audience as a string, which is the form ID tokens use.
     */
    String sign(JWTClaimsSet claims, JOSEObjectType type) {
        JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).type(type).build();
        Map<String, Object> payload = claims.toJSONObject();
        if (ACCESS_TOKEN_TYPE.equals(type)) {
            payload.put("aud", claims.getAudience());
        }
        JWSObject jws = new JWSObject(header, new Payload(payload));
        try {
            jws.sign(new RSASSASigner(key));
        } catch (JOSEException e) {
            throw new IllegalStateException("failed to sign a token: " + e.getMessage(), e);
        }
        return jws.serialize();
    }

    /** Verifies signature, key id, issuer, expiry and issue time. Error messages never contain the token. */
    SignedJWT verify(String token) throws InvalidToken {
        SignedJWT jwt;
        JWTClaimsSet claims;
        try {
            jwt = SignedJWT.parse(token);
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw new InvalidToken("the bearer token is not a JWT");
        }
        if (!JWSAlgorithm.RS256.equals(jwt.getHeader().getAlgorithm()) || !key.getKeyID().equals(jwt.getHeader().getKeyID())) {
            throw new InvalidToken("the bearer token was not signed by this emulator's current key");
        }
        try {
            if (!jwt.verify(new RSASSAVerifier(key.toRSAPublicKey()))) {
                throw new InvalidToken("the bearer token signature is invalid");
            }
        } catch (JOSEException e) {
            throw new InvalidToken("the bearer token signature could not be verified: " + e.getMessage());
        }
        checkClaims(claims);
        return jwt;
    }

    private void checkClaims(JWTClaimsSet claims) throws InvalidToken {
        if (!issuer.equals(claims.getIssuer())) {
            throw new InvalidToken("the bearer token issuer is " + claims.getIssuer() + ", expected " + issuer);
        }
        Date expiry = claims.getExpirationTime();
        Date issuedAt = claims.getIssueTime();
        Instant now = Instant.now();
        if (expiry == null || !now.isBefore(expiry.toInstant().plus(MAX_SKEW))) {
            throw new InvalidToken("the bearer token has expired; obtain a new one");
        }
        if (issuedAt == null || issuedAt.toInstant().isAfter(now.plus(MAX_SKEW))) {
            throw new InvalidToken("the bearer token is issued in the future; check the clock");
        }
        if (claims.getSubject() == null) {
            throw new InvalidToken("the bearer token has no sub claim");
        }
    }
}

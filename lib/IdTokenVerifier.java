package lib;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.factories.DefaultJWSVerifierFactory;
import com.nimbusds.jose.jwk.AsymmetricJWK;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;

/**
 * Verifies an OIDC ID token: the signature against the issuer's JWKS, then iss, aud, exp, iat,
 * nbf and nonce with a clock skew allowance. The sub and email claims must be present.
 *
 * <p>The JWKS is fetched with lib.Http's client rather than Nimbus' URL fetcher, so the proxy
 * settings and the --certificate-authority CA apply to it like to every other request.
 */
public final class IdTokenVerifier {

    public static final Duration CLOCK_SKEW = Duration.ofMinutes(2);

    // Asymmetric algorithms only: a public client has no secret, so an HMAC-signed ID token
    // cannot be checked, and "none" is never acceptable.
    private static final List<JWSAlgorithm.Family> ALLOWED = List.of(
        JWSAlgorithm.Family.RSA, JWSAlgorithm.Family.EC, JWSAlgorithm.Family.ED);

    private final HttpClient client;
    private final String jwksUri;
    private final String issuer;
    private final String clientId;
    private final Clock clock;

    public IdTokenVerifier(HttpClient client, String jwksUri, String issuer, String clientId, Clock clock) {
        this.client = client;
        this.jwksUri = jwksUri;
        this.issuer = issuer;
        this.clientId = clientId;
        this.clock = clock;
    }

    /** Creates a verifier for the issuer, JWKS and client of a discovery document. */
    public static IdTokenVerifier forDiscovery(HttpClient client, Map<String, Object> discovery, String clientId,
                                               Clock clock) {
        String jwksUri = Json.str(discovery, "jwks_uri");
        String issuer = Json.str(discovery, "issuer");
        if (jwksUri == null || issuer == null) {
            throw new UserError("the auth server's discovery document lacks jwks_uri or issuer, so the ID token cannot be verified",
                "Check that --hostname names an OpenID Connect server.");
        }
        return new IdTokenVerifier(client, jwksUri, issuer, clientId, clock);
    }

    /**
     * Returns the claims of a valid ID token, or throws UserError naming the failed check.
     * expectedNonce is null when the login sent no nonce (the device flow has none).
     */
    public JWTClaimsSet verify(String idToken, String expectedNonce) {
        return verify(idToken, expectedNonce, true);
    }

    /**
     * Like {@link #verify(String, String)}; requireEmail is false for service accounts, whose
     * session is named by the key file's client_email instead of a claim.
     */
    public JWTClaimsSet verify(String idToken, String expectedNonce, boolean requireEmail) {
        SignedJWT jwt = parse(idToken);
        verifySignature(jwt);
        JWTClaimsSet claims = claims(jwt);
        verifyIssuerAndAudience(claims);
        verifyTimes(claims);
        verifyNonce(claims, expectedNonce);
        requireClaim(claims, "sub");
        if (requireEmail) {
            requireClaim(claims, "email");
        }
        return claims;
    }

    private static SignedJWT parse(String idToken) {
        if (idToken == null || idToken.isBlank()) {
            throw new UserError("the auth server returned no ID token",
                "Check that the client may request the 'openid' scope on the auth server.");
        }
        try {
            return SignedJWT.parse(idToken);
        } catch (ParseException e) {
            throw new UserError("the ID token from the auth server is not a signed JWT: " + e.getMessage(),
                "Check that --hostname names an OpenID Connect server.", e);
        }
    }

    private void verifySignature(SignedJWT jwt) {
        JWSHeader header = jwt.getHeader();
        JWSAlgorithm algorithm = header.getAlgorithm();
        if (ALLOWED.stream().noneMatch(family -> family.contains(algorithm))) {
            throw new UserError("the ID token is signed with " + algorithm + ", which datumctl does not accept",
                "Configure the auth server to sign ID tokens with an asymmetric algorithm such as RS256.");
        }
        List<JWK> keys = new JWKSelector(JWKMatcher.forJWSHeader(header)).select(fetchKeys());
        if (keys.isEmpty()) {
            throw new UserError("the JWKS at " + jwksUri + " has no " + algorithm + " key"
                + (header.getKeyID() == null ? "" : " with key id " + header.getKeyID()) + " to verify the ID token",
                "The auth server may be rotating its keys; run 'datumctl login' again.");
        }
        for (JWK key : keys) {
            if (signatureMatches(jwt, key)) {
                return;
            }
        }
        throw new UserError("the ID token's signature does not match the keys published at " + jwksUri,
            "The token did not come from this auth server; check --hostname and run 'datumctl login' again.");
    }

    private static boolean signatureMatches(SignedJWT jwt, JWK key) {
        if (!(key instanceof AsymmetricJWK asymmetric)) {
            return false;
        }
        try {
            JWSVerifier verifier = new DefaultJWSVerifierFactory().createJWSVerifier(jwt.getHeader(), asymmetric.toPublicKey());
            return jwt.verify(verifier);
        } catch (JOSEException e) {
            return false;
        }
    }

    private JWKSet fetchKeys() {
        HttpResponse<String> response = Oidc.send(client, jwksUri, () -> client.send(
            Http.request(URI.create(jwksUri)).header("Accept", "application/json").GET().build(),
            Http.limitedString(Http.MAX_AUTH_RESPONSE_BYTES)));
        if (response.statusCode() != 200) {
            throw new UserError("fetching the auth server's signing keys from " + jwksUri + " failed with HTTP "
                + response.statusCode(), "The auth server may be unavailable; try again later.");
        }
        try {
            return JWKSet.parse(response.body());
        } catch (ParseException e) {
            throw new UserError("the signing keys at " + jwksUri + " are not a valid JWK set: " + e.getMessage(),
                "Check that --hostname names an OpenID Connect server.", e);
        }
    }

    private static JWTClaimsSet claims(SignedJWT jwt) {
        try {
            return jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw new UserError("the ID token's claims are not valid JSON: " + e.getMessage(),
                "Check that --hostname names an OpenID Connect server.", e);
        }
    }

    private void verifyIssuerAndAudience(JWTClaimsSet claims) {
        if (!issuer.equals(claims.getIssuer())) {
            throw new UserError("the ID token was issued by " + claims.getIssuer() + ", expected " + issuer,
                "The auth server's discovery document and its tokens disagree; check --hostname.");
        }
        List<String> audience = claims.getAudience();
        if (audience == null || !audience.contains(clientId)) {
            throw new UserError("the ID token is meant for the audience " + audience + ", which does not include the client id "
                + clientId, "Check --client-id: it must be the OAuth client that the login used.");
        }
    }

    private void verifyTimes(JWTClaimsSet claims) {
        Instant now = clock.instant();
        Instant expiry = instant(claims.getExpirationTime());
        if (expiry == null) {
            throw new UserError("the ID token has no exp claim", "Check that --hostname names an OpenID Connect server.");
        }
        if (now.isAfter(expiry.plus(CLOCK_SKEW))) {
            long ahead = Duration.between(expiry, now).toSeconds();
            throw new UserError("the ID token expired at " + expiry + ", " + ahead + " seconds before this machine's time "
                + now + ": your clock may be " + ahead + " seconds ahead",
                "Correct this machine's clock (for example with NTP) and run 'datumctl login' again.");
        }
        rejectFuture("issued at", instant(claims.getIssueTime()), now);
        rejectFuture("valid from", instant(claims.getNotBeforeTime()), now);
    }

    private static void rejectFuture(String claimMeaning, Instant time, Instant now) {
        if (time == null || !time.isAfter(now.plus(CLOCK_SKEW))) {
            return;
        }
        long behind = Duration.between(now, time).toSeconds();
        throw new UserError("the ID token is not valid yet: it is " + claimMeaning + " " + time + ", " + behind
            + " seconds after this machine's time " + now + "; your clock may be " + behind + " seconds behind",
            "Correct this machine's clock (for example with NTP) and run 'datumctl login' again.");
    }

    private static void verifyNonce(JWTClaimsSet claims, String expectedNonce) {
        if (expectedNonce == null) {
            return;
        }
        if (!expectedNonce.equals(stringClaim(claims, "nonce"))) {
            throw new UserError("the ID token's nonce does not match the one this login sent",
                "The token may belong to another login attempt; run 'datumctl login' again.");
        }
    }

    private static void requireClaim(JWTClaimsSet claims, String name) {
        String value = stringClaim(claims, name);
        if (value != null && !value.isBlank()) {
            return;
        }
        String hint = "email".equals(name)
            ? "datumctl names sessions by email address: make sure the account has one and that the client may request the 'email' scope."
            : "Check that --hostname names an OpenID Connect server.";
        throw new UserError("the ID token has no " + name + " claim", hint);
    }

    private static String stringClaim(JWTClaimsSet claims, String name) {
        Object value = claims.getClaim(name);
        return value instanceof String text ? text : null;
    }

    private static Instant instant(Date date) {
        return date == null ? null : date.toInstant();
    }
}

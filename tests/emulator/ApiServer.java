package emulator;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.factories.DefaultJWSVerifierFactory;
import com.nimbusds.jose.jwk.AsymmetricJWK;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;

/**
 * The Kubernetes-style API of the control planes. Every request is authenticated with a bearer
 * JWT of this emulator (401), then its control plane is found (404), then membership is checked
 * (403), and only then is the path below the control-plane prefix served.
 */
final class ApiServer {

    /** The authenticated caller, the role it holds on the requested control plane, and what roles allow. */
    record Principal(Seed.User user, String role, RolePolicy policy) {

        boolean allows(RolePolicy.Attributes request) {
            return policy.allows(role, request);
        }
    }

    private final Seed seed;
    private final TokenSigner signer;
    private final OidcProvider oidc;
    private final ControlPlanes controlPlanes;
    private final String serverAddress;

    ApiServer(Seed seed, TokenSigner signer, OidcProvider oidc, ControlPlanes controlPlanes, String serverAddress) {
        this.seed = seed;
        this.signer = signer;
        this.oidc = oidc;
        this.controlPlanes = controlPlanes;
        this.serverAddress = serverAddress;
    }

    private volatile TrustedIssuerTokens trusted;

    /** Also accepts tokens of another OIDC provider; see {@link Emulator.Options#withTrustedIssuer}. */
    void trust(Emulator.TrustedIssuer issuer) {
        this.trusted = new TrustedIssuerTokens(issuer);
    }

    void handle(HttpExchange exchange, String path) throws IOException {
        try {
            Seed.User user = authenticate(exchange);
            ControlPlanes.Match match = controlPlanes.resolve(path).orElseThrow(KubeStatus::pathNotFound);
            Principal principal = new Principal(user, authorize(match.controlPlane(), user), seed.policy());
            new ControlPlaneRequest(exchange, match.controlPlane(), principal, serverAddress).serve(match.rest());
        } catch (KubeStatus status) {
            sendStatus(exchange, status);
        }
    }

    static void sendStatus(HttpExchange exchange, KubeStatus status) throws IOException {
        HttpIo.sendJson(exchange, status.code, status.toJson());
    }

    /** Accepts an access token or an ID token of this emulator for the registered client. */
    private Seed.User authenticate(HttpExchange exchange) throws KubeStatus {
        String authorization = HttpIo.header(exchange, "Authorization");
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw KubeStatus.unauthorized("the request has no Authorization: Bearer token");
        }
        String token = authorization.substring(7).trim();
        TrustedIssuerTokens external = trusted;
        if (external != null && external.issued(token)) {
            return external.authenticate(token, seed);
        }
        try {
            SignedJWT jwt = signer.verify(token);
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            List<String> audience = claims.getAudience();
            if (audience == null || !audience.contains(OAuthState.CLIENT_ID)) {
                throw KubeStatus.unauthorized("the bearer token was not issued for client " + OAuthState.CLIENT_ID);
            }
            if (TokenSigner.ACCESS_TOKEN_TYPE.equals(jwt.getHeader().getType()) && oidc.isRevoked(claims.getJWTID())) {
                throw KubeStatus.unauthorized("the bearer token was revoked");
            }
            return seed.userBySub(claims.getSubject())
                    .orElseThrow(() -> KubeStatus.unauthorized("the bearer token names a user that does not exist"));
        } catch (TokenSigner.InvalidToken e) {
            throw KubeStatus.unauthorized(e.getMessage());
        } catch (ParseException e) {
            throw KubeStatus.unauthorized("the bearer token claims cannot be read");
        }
    }

    /** Returns the caller's role on the control plane, or throws 403 when it has none. */
    private String authorize(ControlPlanes.ControlPlane plane, Seed.User user) throws KubeStatus {
        String subject = "User \"" + user.email() + "\"";
        switch (plane.scope()) {
            case USER -> {
                if (!plane.id().equals(user.sub())) {
                    throw KubeStatus.forbidden("users", "iam.miloapis.com", plane.id(),
                            subject + " cannot access the control plane of another user");
                }
                return "owner";
            }
            case ORGANIZATION -> {
                return role(plane.organizationId(), user).orElseThrow(() -> KubeStatus.forbidden("organizations",
                        "resourcemanager.miloapis.com", plane.id(), subject + " is not a member of organization \""
                                + plane.id() + "\""));
            }
            default -> {
                Optional<String> projectRole = seed.project(plane.id()).flatMap(p -> p.member(user.email()))
                        .map(Seed.Member::role);
                if (projectRole.isPresent()) {
                    return projectRole.get();
                }
                return role(plane.organizationId(), user).orElseThrow(() -> KubeStatus.forbidden("projects",
                        "resourcemanager.miloapis.com", plane.id(), subject + " is not a member of organization \""
                                + plane.organizationId() + "\", which owns this project, nor of the project"));
            }
        }
    }

    private Optional<String> role(String organizationId, Seed.User user) {
        return seed.organization(organizationId).flatMap(org -> org.member(user.email())).map(Seed.Member::role);
    }

    /**
     * Verifies tokens of a trusted external issuer against its JWKS, fetched on first use and again
     * when a token names an unknown key id. Checks signature, issuer, audience and expiry, then maps
     * the email claim to a seeded user, as Datum Cloud maps identity provider accounts to its users.
     */
    static final class TrustedIssuerTokens {

        private final Emulator.TrustedIssuer issuer;
        private final HttpClient http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(10)).build();
        private volatile JWKSet keys = new JWKSet();

        TrustedIssuerTokens(Emulator.TrustedIssuer issuer) {
            this.issuer = issuer;
        }

        /** True when the token is a JWT whose unverified iss claim names the trusted issuer. */
        boolean issued(String token) {
            try {
                return issuer.issuer().equals(SignedJWT.parse(token).getJWTClaimsSet().getIssuer());
            } catch (ParseException e) {
                return false;
            }
        }

        Seed.User authenticate(String token, Seed seed) throws KubeStatus {
            JWTClaimsSet claims;
            try {
                SignedJWT jwt = SignedJWT.parse(token);
                verifySignature(jwt);
                claims = jwt.getJWTClaimsSet();
            } catch (ParseException e) {
                throw KubeStatus.unauthorized("the bearer token claims cannot be read");
            }
            List<String> audience = claims.getAudience();
            if (audience == null || !audience.contains(issuer.audience())) {
                throw KubeStatus.unauthorized("the bearer token of " + issuer.issuer() + " was not issued for client "
                        + issuer.audience());
            }
            Date expiry = claims.getExpirationTime();
            if (expiry == null || !Instant.now().isBefore(expiry.toInstant().plus(TokenSigner.MAX_SKEW))) {
                throw KubeStatus.unauthorized("the bearer token of " + issuer.issuer() + " has expired; obtain a new one");
            }
            Object email = claims.getClaim("email");
            if (!(email instanceof String address)) {
                throw KubeStatus.unauthorized("the bearer token of " + issuer.issuer() + " has no email claim");
            }
            return seed.userByEmail(address).orElseThrow(() -> KubeStatus.unauthorized(
                    "the bearer token names " + address + ", who is not a user of this emulator"));
        }

        private void verifySignature(SignedJWT jwt) throws KubeStatus {
            JWK key = keys.getKeyByKeyId(jwt.getHeader().getKeyID());
            if (key == null) {
                keys = fetchKeys();
                key = keys.getKeyByKeyId(jwt.getHeader().getKeyID());
            }
            if (!(key instanceof AsymmetricJWK asymmetric)) {
                throw KubeStatus.unauthorized("the bearer token was not signed by a key published at " + issuer.jwksUrl());
            }
            try {
                JWSVerifier verifier = new DefaultJWSVerifierFactory()
                        .createJWSVerifier(jwt.getHeader(), asymmetric.toPublicKey());
                if (!jwt.verify(verifier)) {
                    throw KubeStatus.unauthorized("the bearer token signature is invalid");
                }
            } catch (JOSEException e) {
                throw KubeStatus.unauthorized("the bearer token signature could not be verified: " + e.getMessage());
            }
        }

        private JWKSet fetchKeys() throws KubeStatus {
            try {
                HttpResponse<String> response = http.send(
                        HttpRequest.newBuilder(URI.create(issuer.jwksUrl()))
                                .timeout(Duration.ofSeconds(30)).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                return JWKSet.parse(response.body());
            } catch (IOException | ParseException e) {
                System.err.println("emulator: fetching the trusted JWKS " + issuer.jwksUrl() + " failed: " + e);
                throw KubeStatus.unauthorized("the signing keys of " + issuer.issuer() + " cannot be fetched");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw KubeStatus.unauthorized("the signing keys of " + issuer.issuer() + " cannot be fetched");
            }
        }
    }
}

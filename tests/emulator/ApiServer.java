package emulator;

import java.io.IOException;
import java.text.ParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;

/**
 * The Kubernetes-style API of the control planes. Every request is authenticated with a bearer
 * JWT of this emulator (401), then its control plane is found (404), then membership is checked
 * (403), and only then is the path below the control-plane prefix served.
 */
final class ApiServer {

    /** The authenticated caller and the role it holds on the requested control plane. */
    record Principal(Seed.User user, String role) {}

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

    void handle(HttpExchange exchange, String path) throws IOException {
        try {
            Seed.User user = authenticate(exchange);
            ControlPlanes.Match match = controlPlanes.resolve(path).orElseThrow(KubeStatus::pathNotFound);
            Principal principal = new Principal(user, authorize(match.controlPlane(), user));
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
        try {
            SignedJWT jwt = signer.verify(authorization.substring(7).trim());
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
                return role(plane.organizationId(), user).orElseThrow(() -> KubeStatus.forbidden("projects",
                        "resourcemanager.miloapis.com", plane.id(), subject + " is not a member of organization \""
                                + plane.organizationId() + "\", which owns this project"));
            }
        }
    }

    private Optional<String> role(String organizationId, Seed.User user) {
        return seed.organization(organizationId).flatMap(org -> org.member(user.email())).map(Seed.Member::role);
    }
}

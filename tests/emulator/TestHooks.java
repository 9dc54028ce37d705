package emulator;

import java.io.IOException;
import java.util.Map;

import com.sun.net.httpserver.HttpExchange;

/**
 * Test hooks for scripts that run the emulator as a separate process. They are served to
 * loopback clients only and need no bearer token.
 * <ul>
 * <li>{@code GET /_emulator/stats}: {@code {"tokenRequests": {"<grant_type>": count, ...}}}, the
 *     token endpoint requests per grant type since start.</li>
 * <li>{@code POST /_emulator/revoke?email=EMAIL}: ends every session of that seeded user, so the
 *     next refresh fails with invalid_grant. Returns 204 on success, 404 for an unknown email.</li>
 * </ul>
 */
final class TestHooks {

    static final String PREFIX = "/_emulator/";

    private final Emulator emulator;

    TestHooks(Emulator emulator) {
        this.emulator = emulator;
    }

    void handle(HttpExchange exchange, String path) throws IOException {
        try {
            if (!exchange.getRemoteAddress().getAddress().isLoopbackAddress()) {
                throw KubeStatus.forbidden("hooks", "", null, "test hooks answer loopback clients only");
            }
            switch (path) {
                case PREFIX + "stats" -> stats(exchange);
                case PREFIX + "revoke" -> revoke(exchange);
                default -> throw KubeStatus.pathNotFound();
            }
        } catch (KubeStatus status) {
            ApiServer.sendStatus(exchange, status);
        }
    }

    private void stats(HttpExchange exchange) throws IOException, KubeStatus {
        if (!exchange.getRequestMethod().equals("GET")) {
            exchange.getResponseHeaders().set("Allow", "GET");
            throw KubeStatus.methodNotAllowed(exchange.getRequestMethod(), "GET");
        }
        HttpIo.sendJson(exchange, 200, Map.of("tokenRequests", emulator.tokenRequestCounts()));
    }

    private void revoke(HttpExchange exchange) throws IOException, KubeStatus {
        if (!exchange.getRequestMethod().equals("POST")) {
            exchange.getResponseHeaders().set("Allow", "POST");
            throw KubeStatus.methodNotAllowed(exchange.getRequestMethod(), "POST");
        }
        String email;
        try {
            email = HttpIo.query(exchange).get("email");
        } catch (HttpIo.BadRequest e) {
            throw KubeStatus.badRequest(e.getMessage());
        }
        if (email == null || email.isEmpty()) {
            throw KubeStatus.badRequest("query parameter email is missing: POST /_emulator/revoke?email=EMAIL");
        }
        try {
            emulator.revokeUser(email);
        } catch (IllegalArgumentException e) {
            throw new KubeStatus(404, "NotFound", e.getMessage(), null);
        }
        exchange.sendResponseHeaders(204, -1);
    }
}

package emulator;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import com.sun.net.httpserver.HttpExchange;

/**
 * {@code GET /oauth/v2/authorize} and the sign-in page's {@code POST /oauth/v2/authorize/decision}.
 * Errors found before the redirect URI is validated are shown as an HTML page. Later errors go
 * back to the client on its redirect URI (RFC 6749 section 4.1.2.1).
 */
final class AuthorizeEndpoint {

    static final String CALLBACK_PATH = "/datumctl/auth/callback";
    private static final Duration REQUEST_TTL = Duration.ofMinutes(10);
    private static final Duration CODE_TTL = Duration.ofMinutes(5);

    private final Seed seed;
    private final OAuthState state;
    /** Sub of the user who approves every authorization automatically, or null. */
    private final String approveAsSub;

    AuthorizeEndpoint(Seed seed, OAuthState state, String approveAsSub) {
        this.seed = seed;
        this.state = state;
        this.approveAsSub = approveAsSub;
    }

    /** A rejected authorization request whose redirect URI is known, so the error goes back to the client. */
    private static final class RedirectError extends Exception {
        final String error;

        RedirectError(String error, String description) {
            super(description);
            this.error = error;
        }
    }

    void handleAuthorize(HttpExchange exchange) throws IOException {
        if (!exchange.getRequestMethod().equals("GET")) {
            exchange.getResponseHeaders().set("Allow", "GET");
            HttpIo.sendHtml(exchange, 405, Pages.message("Method not allowed", "The authorization endpoint accepts GET only."));
            return;
        }
        Map<String, String> query;
        try {
            query = HttpIo.query(exchange);
            checkClientAndRedirect(query);
        } catch (HttpIo.BadRequest e) {
            HttpIo.sendHtml(exchange, 400, Pages.message("Invalid authorization request", e.getMessage()));
            return;
        }
        String redirectUri = query.get("redirect_uri");
        String clientState = query.get("state");
        try {
            OAuthState.AuthorizationRequest request = validate(query);
            if (approveAsSub != null) {
                HttpIo.redirect(exchange, issueCode(request, approveAsSub));
                return;
            }
            synchronized (state) {
                state.authorizationRequests.put(request.id(), request);
            }
            HttpIo.sendHtml(exchange, 200, Pages.signIn(request.id(), request.clientId(), request.scope(), seed.users()));
        } catch (RedirectError e) {
            HttpIo.redirect(exchange, errorRedirect(redirectUri, e.error, e.getMessage(), clientState));
        }
    }

    private static void checkClientAndRedirect(Map<String, String> query) throws HttpIo.BadRequest {
        String clientId = query.get("client_id");
        if (clientId == null || clientId.isEmpty()) {
            throw new HttpIo.BadRequest("client_id is missing");
        }
        if (!clientId.equals(OAuthState.CLIENT_ID)) {
            throw new HttpIo.BadRequest("client " + clientId + " is not registered; use " + OAuthState.CLIENT_ID);
        }
        String redirectUri = query.get("redirect_uri");
        if (redirectUri == null || redirectUri.isEmpty()) {
            throw new HttpIo.BadRequest("redirect_uri is missing");
        }
        if (!isAllowedRedirect(redirectUri)) {
            throw new HttpIo.BadRequest("redirect_uri " + redirectUri + " is not registered; use http://localhost:PORT"
                    + CALLBACK_PATH + " or http://127.0.0.1:PORT" + CALLBACK_PATH);
        }
    }

    /** Loopback redirect URIs match on everything but the port (RFC 8252 section 7.3). */
    static boolean isAllowedRedirect(String redirectUri) {
        URI uri;
        try {
            uri = new URI(redirectUri);
        } catch (URISyntaxException e) {
            return false;
        }
        boolean loopbackHost = "localhost".equals(uri.getHost()) || "127.0.0.1".equals(uri.getHost());
        return "http".equals(uri.getScheme()) && loopbackHost && uri.getRawUserInfo() == null
                && uri.getPort() >= 1 && uri.getPort() <= 65535 && CALLBACK_PATH.equals(uri.getRawPath())
                && uri.getRawQuery() == null && uri.getRawFragment() == null;
    }

    private OAuthState.AuthorizationRequest validate(Map<String, String> query) throws RedirectError {
        if (!"code".equals(query.get("response_type"))) {
            throw new RedirectError("unsupported_response_type", "response_type must be code");
        }
        String scope;
        try {
            scope = Scopes.validate(query.get("scope"));
        } catch (OAuthError e) {
            throw new RedirectError(e.error, e.getMessage());
        }
        String challenge = query.get("code_challenge");
        if (challenge == null || challenge.isEmpty()) {
            throw new RedirectError("invalid_request", "code_challenge is missing; PKCE with S256 is required");
        }
        if (!"S256".equals(query.get("code_challenge_method"))) {
            throw new RedirectError("invalid_request", "code_challenge_method must be S256");
        }
        String clientState = query.get("state");
        if (clientState == null || clientState.isEmpty()) {
            throw new RedirectError("invalid_request", "state is missing; send a random state to protect the callback");
        }
        if ("none".equals(query.get("prompt")) && approveAsSub == null) {
            throw new RedirectError("login_required", "prompt=none needs a signed-in user, and nobody is signed in");
        }
        return new OAuthState.AuthorizationRequest(OAuthState.randomSecret(), query.get("client_id"),
                query.get("redirect_uri"), clientState, scope, challenge, query.get("nonce"),
                Instant.now().plus(REQUEST_TTL));
    }

    /** Stores a single-use code for the request and returns the redirect that delivers it. */
    private String issueCode(OAuthState.AuthorizationRequest request, String sub) {
        String code = OAuthState.randomSecret();
        Instant now = Instant.now();
        synchronized (state) {
            state.codes.put(OAuthState.hash(code), new OAuthState.AuthorizationCode(request, sub, now, now.plus(CODE_TTL)));
        }
        return request.redirectUri() + "?code=" + HttpIo.encode(code) + "&state=" + HttpIo.encode(request.state());
    }

    private static String errorRedirect(String redirectUri, String error, String description, String clientState) {
        String location = redirectUri + "?error=" + HttpIo.encode(error) + "&error_description=" + HttpIo.encode(description);
        return clientState == null || clientState.isEmpty() ? location : location + "&state=" + HttpIo.encode(clientState);
    }

    /** Applies the choice made on the sign-in page: approve as one seeded user, or deny. */
    void handleDecision(HttpExchange exchange) throws IOException {
        if (!exchange.getRequestMethod().equals("POST")) {
            exchange.getResponseHeaders().set("Allow", "POST");
            HttpIo.sendHtml(exchange, 405, Pages.message("Method not allowed", "The sign-in decision accepts POST only."));
            return;
        }
        try {
            Map<String, String> form = HttpIo.form(exchange);
            OAuthState.AuthorizationRequest request = takeRequest(form.get("request_id"));
            String decision = form.get("decision");
            if ("deny".equals(decision)) {
                HttpIo.redirect(exchange, errorRedirect(request.redirectUri(), "access_denied",
                        "the user denied the sign-in", request.state()));
                return;
            }
            if (!"approve".equals(decision)) {
                throw new HttpIo.BadRequest("decision must be approve or deny");
            }
            String email = form.getOrDefault("email", "");
            Seed.User user = seed.userByEmail(email).orElseThrow(() ->
                    new HttpIo.BadRequest("user " + email + " is not in the seed; pick one on the sign-in page"));
            HttpIo.redirect(exchange, issueCode(request, user.sub()));
        } catch (HttpIo.BadRequest e) {
            HttpIo.sendHtml(exchange, 400, Pages.message("Sign-in failed", e.getMessage()));
        }
    }

    private OAuthState.AuthorizationRequest takeRequest(String requestId) throws HttpIo.BadRequest {
        synchronized (state) {
            OAuthState.AuthorizationRequest request = requestId == null ? null : state.authorizationRequests.remove(requestId);
            if (request == null || Instant.now().isAfter(request.expiresAt())) {
                throw new HttpIo.BadRequest("the sign-in request is unknown, expired or already answered; start the login again");
            }
            return request;
        }
    }
}

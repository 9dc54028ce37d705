package lib;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Browser login: the OAuth 2.0 authorization code flow with PKCE (S256), a random state and
 * nonce, and a one-shot callback listener on the loopback interface.
 *
 * <p>The first request to the callback path decides the login, whatever it carries: a wrong
 * state, an error or a code. Later requests get an error page and change nothing.
 */
public final class BrowserLogin {

    public static final String CALLBACK_PATH = "/datumctl/auth/callback";
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);

    private final HttpClient client;
    private final Map<String, Object> discovery;
    private final String clientId;
    private final Browser browser;
    private final PrintWriter err;
    private final Duration timeout;
    private final Pkce pkce = Pkce.create();
    private final String state = Pkce.randomToken();
    private final String nonce = Pkce.randomToken();
    private final AtomicBoolean callbackClaimed = new AtomicBoolean();
    private final CompletableFuture<TokenResponse> result = new CompletableFuture<>();

    public BrowserLogin(HttpClient client, Map<String, Object> discovery, String clientId, Browser browser,
                        PrintWriter err, Duration timeout) {
        this.client = client;
        this.discovery = discovery;
        this.clientId = clientId;
        this.browser = browser;
        this.err = err;
        this.timeout = timeout;
    }

    /** The nonce sent with the authorization request; the ID token must carry it back. */
    public String nonce() {
        return nonce;
    }

    /** Runs the login and returns the token response of the code exchange. */
    public TokenResponse run() throws InterruptedException {
        String authorizeUrl = Json.str(discovery, "authorization_endpoint");
        if (authorizeUrl == null) {
            throw new UserError("the auth server's discovery document has no authorization_endpoint",
                "Log in with --no-browser to use the device flow instead.");
        }
        HttpServer server = startListener();
        try {
            String redirectUri = "http://localhost:" + server.getAddress().getPort() + CALLBACK_PATH;
            String url = authorizationUrl(authorizeUrl, redirectUri);
            server.createContext(CALLBACK_PATH, exchange -> handleCallback(exchange, redirectUri));
            openBrowser(url);
            return await();
        } finally {
            server.stop(0);
        }
    }

    private HttpServer startListener() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/", exchange -> respond(exchange, 404, "Not found",
                "This address only receives the datumctl login callback."));
            server.start();
            return server;
        } catch (IOException e) {
            throw new UserError("cannot listen on the loopback interface for the login callback: " + e.getMessage(),
                "Log in with --no-browser to use the device flow instead.", e);
        }
    }

    String authorizationUrl(String authorizeUrl, String redirectUri) {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("response_type", "code");
        query.put("client_id", clientId);
        query.put("redirect_uri", redirectUri);
        query.put("scope", Oidc.SCOPES);
        query.put("state", state);
        query.put("nonce", nonce);
        query.put("code_challenge", pkce.challenge());
        query.put("code_challenge_method", Pkce.METHOD);
        query.put("prompt", "select_account");
        return authorizeUrl + (authorizeUrl.contains("?") ? "&" : "?") + Http.formEncode(query);
    }

    private void openBrowser(String url) {
        err.println("Opening your browser to log in...");
        err.println("  " + url);
        err.flush();
        if (!browser.open(url)) {
            err.println("No browser could be opened. Open the URL above in a browser on this machine to continue.");
        }
        err.println("Waiting for the login to finish in the browser (Ctrl-C to cancel)...");
        err.flush();
    }

    private TokenResponse await() throws InterruptedException {
        try {
            return result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new UserError("the browser login did not finish within " + describe(timeout),
                "Run 'datumctl login' again, or 'datumctl login --no-browser' on a machine without a browser.");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    static String describe(Duration duration) {
        long seconds = duration.toSeconds();
        if (seconds >= 60 && seconds % 60 == 0) {
            return seconds == 60 ? "1 minute" : seconds / 60 + " minutes";
        }
        return seconds == 1 ? "1 second" : seconds + " seconds";
    }

    private void handleCallback(HttpExchange exchange, String redirectUri) throws IOException {
        if (!"GET".equals(exchange.getRequestMethod())) {
            respond(exchange, 405, "Method not allowed", "The login callback accepts GET requests only.");
            return;
        }
        if (!CALLBACK_PATH.equals(exchange.getRequestURI().getPath())) {
            respond(exchange, 404, "Not found", "This address only receives the datumctl login callback.");
            return;
        }
        if (!callbackClaimed.compareAndSet(false, true)) {
            respond(exchange, 409, "Login link already used",
                "This login has already received its answer. Run 'datumctl login' again if you need a new session.");
            return;
        }
        TokenResponse tokens;
        try {
            tokens = finish(queryParameters(exchange.getRequestURI().getRawQuery()), redirectUri);
        } catch (RuntimeException e) {
            respondQuietly(exchange, 400, "Login failed", pageMessage(e));
            result.completeExceptionally(e);
            return;
        }
        respondQuietly(exchange, 200, "You are logged in", "You are logged in to datumctl; you can close this tab.");
        result.complete(tokens);
    }

    /** Sends the page to the browser. A browser that went away does not change the login's outcome. */
    private static void respondQuietly(HttpExchange exchange, int status, String title, String message) {
        try {
            respond(exchange, status, title, message);
        } catch (IOException e) {
            exchange.close();
        }
    }

    /** Checks the callback parameters and exchanges the code; throws UserError on any failure. */
    private TokenResponse finish(Map<String, String> params, String redirectUri) {
        if (!state.equals(params.get("state"))) {
            throw new UserError("the login callback's state parameter does not match the one this login sent",
                "The answer may belong to another login attempt. Run 'datumctl login' again.");
        }
        String error = params.get("error");
        if ("access_denied".equals(error)) {
            throw new UserError("the login was denied in the browser",
                "Run 'datumctl login' again and approve the request, or choose another account.");
        }
        if (error != null) {
            String description = params.get("error_description");
            throw new UserError("the auth server returned the error " + error
                + (description == null ? "" : " (" + description + ")") + " to the login callback",
                "Run 'datumctl login' again; if it repeats, check --client-id and --hostname.");
        }
        String code = params.get("code");
        if (code == null || code.isEmpty()) {
            throw new UserError("the login callback carried neither a code nor an error",
                "Run 'datumctl login' again.");
        }
        return exchangeCode(code, redirectUri);
    }

    private TokenResponse exchangeCode(String code, String redirectUri) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", Oidc.GRANT_CODE);
        form.put("code", code);
        form.put("redirect_uri", redirectUri);
        form.put("code_verifier", pkce.verifier());
        form.put("client_id", clientId);
        String tokenUrl = Json.str(discovery, "token_endpoint");
        try {
            return Oidc.token(client, tokenUrl, form);
        } catch (OAuthError e) {
            throw new UserError("the auth server rejected the authorization code: " + e.getMessage(),
                "Run 'datumctl login' again; if it repeats, check --client-id.", e);
        }
    }

    private static String pageMessage(RuntimeException e) {
        String message = e.getMessage() == null ? "unknown error" : e.getMessage();
        return "datumctl could not log you in: " + message + ". Return to the terminal for details.";
    }

    static Map<String, String> queryParameters(String rawQuery) {
        Map<String, String> params = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return params;
        }
        for (String pair : rawQuery.split("&")) {
            int equals = pair.indexOf('=');
            String name = equals < 0 ? pair : pair.substring(0, equals);
            String value = equals < 0 ? "" : pair.substring(equals + 1);

            // OAuth sends each parameter once, so a repeated one is kept as first seen.
            params.putIfAbsent(decode(name), decode(value));
        }
        return params;
    }

    private static String decode(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return text;
        }
    }

    private static void respond(HttpExchange exchange, int status, String title, String message) throws IOException {
        String html = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>datumctl: " + escape(title)
            + "</title></head>\n<body><h1>" + escape(title) + "</h1>\n<p>" + escape(message) + "</p></body></html>\n";
        byte[] body = html.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}

package lib;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A small Kubernetes REST client for one control plane: JSON GET and POST with a bearer token,
 * and Kubernetes {@code Status} failures turned into {@link UserError}s that quote the server's message.
 */
public final class KubeClient {

    /** Larger responses are rejected: discovery and review documents are a few kilobytes. */
    static final int MAX_RESPONSE_BYTES = 32 << 20;

    private final String server;
    private final HttpClient http;
    private final Supplier<String> token;

    /** Creates a client for server (a control-plane base URL) that sends token.get() on every request. */
    public KubeClient(String server, HttpClient http, Supplier<String> token) {
        this.server = server.endsWith("/") ? server.substring(0, server.length() - 1) : server;
        this.http = http;
        this.token = token;
    }

    /** Creates a client for a selected control plane, with tokens from the same session logic as get-token. */
    public static KubeClient connect(ControlPlaneResolver.Target target, TokenSource tokens) {
        return new KubeClient(target.server(), Http.client(target.caPem()),
            () -> TokenSource.credentialToken(tokens.valid(tokens.userKey(target.sessionName()))));
    }

    public String server() {
        return server;
    }

    /** GETs path (starting with "/") below the server and parses the JSON object it returns. */
    public Map<String, Object> get(String path) {
        HttpRequest request = Http.request(URI.create(server + path))
            .header("Accept", "application/json")
            .GET()
            .build();
        return send(request, "GET " + path);
    }

    /** POSTs body as JSON to path and parses the JSON object the server returns. */
    public Map<String, Object> post(String path, Map<String, Object> body) {
        HttpRequest request = Http.request(URI.create(server + path))
            .header("Accept", "application/json")
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(Json.write(body)))
            .build();
        return send(request, "POST " + path);
    }

    private Map<String, Object> send(HttpRequest unsigned, String what) {
        HttpRequest request = HttpRequest.newBuilder(unsigned, (name, value) -> true)
            .header("Authorization", "Bearer " + token.get())
            .build();
        HttpResponse<InputStream> response;
        String body;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            body = readLimited(response.body(), what);
        } catch (HttpTimeoutException e) {
            throw new UserError(what + " on " + server + " timed out after " + Http.REQUEST_TIMEOUT.toSeconds() + " s",
                "Check your network connection and try again.", e);
        } catch (ConnectException e) {
            throw new UserError("cannot connect to " + server + ": " + e.getMessage(),
                "Check that the server is reachable, or run 'datumctl auth update-kubeconfig' again.", e);
        } catch (IOException e) {
            throw new UserError(what + " on " + server + " failed: " + e.getMessage(),
                "Check your network connection and the server's certificate authority.", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserError("interrupted during " + what, null, e);
        }
        if (response.statusCode() / 100 != 2) {
            throw KubeErrors.fromResponse(response.statusCode(), body, what, server);
        }
        try {
            return Json.parseObject(body);
        } catch (IllegalArgumentException e) {
            throw new UserError("the server answered " + what + " with invalid JSON: " + e.getMessage(),
                "Check that " + server + " is a Datum Cloud control plane.", e);
        }
    }

    private static String readLimited(InputStream in, String what) throws IOException {
        try (in) {
            byte[] bytes = in.readNBytes(MAX_RESPONSE_BYTES + 1);
            if (bytes.length > MAX_RESPONSE_BYTES) {
                throw new IOException("the response to " + what + " is larger than " + (MAX_RESPONSE_BYTES >> 20) + " MiB");
            }
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }
}

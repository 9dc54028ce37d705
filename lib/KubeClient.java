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
            () -> TokenSource.credentialToken(tokens.valid(target.sessionName())));
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

    /** A response whose status the caller checks: resource commands report 404 and 409 their own way. */
    public record Response(int status, String body) {

        public boolean ok() {
            return status / 100 == 2;
        }

        /** Parses the body as a JSON object; an invalid body is an error that names the request. */
        public Map<String, Object> json(String what) {
            try {
                return Json.parseObject(body);
            } catch (IllegalArgumentException e) {
                throw new UserError("the response to " + what + " is not valid JSON: " + e.getMessage(),
                    "Check that the server is a Kubernetes API server.", e);
            }
        }

        /** Turns a failed response into the same error {@link #get} would throw. */
        public UserError error(String what, String server) {
            return KubeErrors.fromResponse(status, body, what, server);
        }
    }

    /**
     * Sends method to path with an optional body (null for none) and Accept header, and returns
     * the response whatever its status. Network failures still throw a {@link UserError}.
     */
    public Response exchange(String method, String path, String contentType, String body, String accept) {
        HttpRequest.Builder builder = Http.request(URI.create(server + path))
            .header("Accept", accept == null ? "application/json" : accept)
            .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            builder.header("Content-Type", contentType);
        }
        String what = method + " " + path;
        HttpResponse<InputStream> response = open(builder.build(), what, HttpResponse.BodyHandlers.ofInputStream());
        try {
            return new Response(response.statusCode(), readLimited(response.body(), what));
        } catch (IOException e) {
            throw new UserError(what + " on " + server + " failed: " + e.getMessage(),
                "Check your network connection and try again.", e);
        }
    }

    /**
     * Opens a watch (or any streamed GET) on path and passes each line of the body to lines until
     * the server ends the stream. A failed status is thrown as a {@link UserError}.
     */
    public void stream(String path, String accept, java.util.function.Consumer<String> lines) {
        String what = "GET " + path;
        // No request timeout: a watch stays open until the server ends it or the user stops it.
        HttpRequest request = HttpRequest.newBuilder(URI.create(server + path))
            .header("Accept", accept == null ? "application/json" : accept)
            .header("User-Agent", "datumctl-jbang")
            .GET()
            .build();
        HttpResponse<java.util.stream.Stream<String>> response = open(request, what, HttpResponse.BodyHandlers.ofLines());
        try (java.util.stream.Stream<String> body = response.body()) {
            if (response.statusCode() / 100 != 2) {
                throw KubeErrors.fromResponse(response.statusCode(), String.join("\n", body.toList()), what, server);
            }
            body.filter(line -> !line.isBlank()).forEach(lines);
        } catch (java.io.UncheckedIOException e) {
            throw new UserError(what + " on " + server + " ended: " + e.getCause().getMessage(),
                "Run the command again to resume watching.", e);
        }
    }

    private <T> HttpResponse<T> open(HttpRequest unsigned, String what, HttpResponse.BodyHandler<T> handler) {
        HttpRequest request = HttpRequest.newBuilder(unsigned, (name, value) -> true)
            .header("Authorization", "Bearer " + token.get())
            .build();
        try {
            return http.send(request, handler);
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
            throw new UserError("the server returned invalid JSON for " + what + ": " + e.getMessage(),
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

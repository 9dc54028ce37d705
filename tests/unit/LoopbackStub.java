package unit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A strict HTTP stub on the loopback interface that serves only the routes a test registers.
 * Any other request, or a handler whose assertion fails, gets HTTP 500 and is recorded, and
 * close() then fails the test with the list.
 */
final class LoopbackStub implements AutoCloseable {

    /** One received request: the query and, for form posts, the decoded form fields. */
    record Request(String method, String path, Map<String, String> query, Map<String, String> form) {
    }

    record Reply(int status, String contentType, String body, Map<String, String> headers) {

        static Reply json(int status, String body) {
            return new Reply(status, "application/json", body, Map.of());
        }

        static Reply redirect(String location) {
            return new Reply(302, "text/plain", "", Map.of("Location", location));
        }
    }

    interface Handler {
        Reply handle(Request request) throws Exception;
    }

    private final HttpServer server;
    private final Map<String, Handler> routes = new ConcurrentHashMap<>();
    private final List<Request> received = Collections.synchronizedList(new ArrayList<>());
    private final List<String> failures = Collections.synchronizedList(new ArrayList<>());

    private LoopbackStub(HttpServer server) {
        this.server = server;
    }

    static LoopbackStub start() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        LoopbackStub stub = new LoopbackStub(server);
        server.createContext("/", stub::dispatch);
        server.start();
        return stub;
    }

    /** Routes METHOD PATH to the handler; registering the same route again replaces it. */
    LoopbackStub on(String method, String path, Handler handler) {
        routes.put(method + " " + path, handler);
        return this;
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    /** Returns the requests received on a path, in order. */
    List<Request> requests(String path) {
        synchronized (received) {
            return received.stream().filter(r -> r.path().equals(path)).toList();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        assertEquals(List.of(), List.copyOf(failures), "the stub server received requests it did not expect");
    }

    private void dispatch(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
        boolean isForm = contentType != null && contentType.startsWith("application/x-www-form-urlencoded");
        Request request = new Request(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
            decode(exchange.getRequestURI().getRawQuery()), isForm ? decode(body) : Map.of());
        received.add(request);

        Handler handler = routes.get(request.method() + " " + request.path());
        Reply reply;
        if (handler == null) {
            failures.add("unexpected " + request.method() + " " + exchange.getRequestURI());
            reply = new Reply(500, "text/plain", "not expected by the test", Map.of());
        } else {
            reply = call(handler, request);
        }
        send(exchange, reply);
    }

    private Reply call(Handler handler, Request request) {
        try {
            return handler.handle(request);
        } catch (Exception | AssertionError e) {
            failures.add(request.method() + " " + request.path() + ": " + e);
            return new Reply(500, "text/plain", "stub handler failed", Map.of());
        }
    }

    private static void send(HttpExchange exchange, Reply reply) throws IOException {
        byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", reply.contentType());
        reply.headers().forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
        exchange.sendResponseHeaders(reply.status(), bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    static Map<String, String> decode(String encoded) {
        Map<String, String> fields = new LinkedHashMap<>();
        if (encoded == null || encoded.isEmpty()) {
            return fields;
        }
        for (String pair : encoded.split("&")) {
            int equals = pair.indexOf('=');
            String name = equals < 0 ? pair : pair.substring(0, equals);
            String value = equals < 0 ? "" : pair.substring(equals + 1);
            fields.put(URLDecoder.decode(name, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
        }
        return fields;
    }
}

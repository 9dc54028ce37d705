package support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;

/**
 * A strict plain-HTTP stub on a loopback port: the handler of a request's path sends the
 * response, and a request to any other path is recorded as unexpected so the test can fail on it.
 */
public final class StubServer implements AutoCloseable {

    /** A recorded request: method, path and the body as text. */
    public record Request(String method, String path, String body) {
    }

    /** The stub's response: status, content type and body. */
    public record Reply(int status, String contentType, String body) {

        public static Reply json(int status, String body) {
            return new Reply(status, "application/json", body);
        }
    }

    private final HttpServer server;
    private final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
    private final ConcurrentLinkedQueue<String> unexpected = new ConcurrentLinkedQueue<>();

    public StubServer() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", exchange -> {
            unexpected.add(exchange.getRequestMethod() + " " + exchange.getRequestURI());
            send(exchange, Reply.json(404, "{\"error\":\"not_found\"}"));
        });
        server.start();
    }

    /** Registers handler for requests to path and records each request. */
    public StubServer on(String path, Function<Request, Reply> handler) {
        server.createContext(path, exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Request request = new Request(exchange.getRequestMethod(), exchange.getRequestURI().getPath(), body);
            requests.add(request);
            send(exchange, handler.apply(request));
        });
        return this;
    }

    private static void send(HttpExchange exchange, Reply reply) throws IOException {
        byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", reply.contentType());
        exchange.sendResponseHeaders(reply.status(), body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    public List<Request> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    /** Requests no handler was registered for, as "METHOD URI". */
    public List<String> unexpected() {
        return List.copyOf(unexpected);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}

package emulator;

import java.io.IOException;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.sun.net.httpserver.HttpExchange;

/**
 * A watch ({@code ?watch=1}): a chunked response of one JSON event per line,
 * {@code {"type":"ADDED|MODIFIED|DELETED","object":{...}}}, until timeoutSeconds pass or the
 * client goes away. Without a resourceVersion it starts with an ADDED event per existing object,
 * as the API server does. A Table Accept header makes each event's object a one-row Table.
 */
final class WatchStream {

    /** The maximum watch duration in seconds. The Kubernetes API server picks 30 to 60 minutes by default. */
    static final long MAX_TIMEOUT_SECONDS = 1800;
    private static final long POLL_MILLIS = 1000;

    private final HttpExchange exchange;
    private final ResourceStore store;
    private final ResourceType type;
    private final String namespace;
    private final Predicate<Map<String, Object>> selector;
    private final Map<String, String> query;
    private final String tableVersion;

    WatchStream(HttpExchange exchange, ResourceStore store, ResourceType type, String namespace,
            Predicate<Map<String, Object>> selector, Map<String, String> query) {
        this.exchange = exchange;
        this.store = store;
        this.type = type;
        this.namespace = namespace;
        this.selector = selector;
        this.query = query;
        this.tableVersion = Tables.requestedVersion(HttpIo.header(exchange, "Accept"));
    }

    void serve() throws IOException, KubeStatus {
        long after = startVersion();
        long deadline = System.nanoTime() + timeoutSeconds() * 1_000_000_000L;
        List<Map<String, Object>> existing = after < 0 ? store.list(type, namespace, selector) : List.of();
        if (after < 0) {
            after = Long.parseLong(store.resourceVersion());
        }
        // Checks the start version before the response begins, so a too old version gets a 410 Status.
        ResourceStore.Batch first = next(after, 0);
        exchange.getResponseHeaders().set("Content-Type", tableVersion == null ? "application/json"
                : "application/json;as=Table;v=" + tableVersion + ";g=meta.k8s.io");
        exchange.sendResponseHeaders(200, 0);
        try (OutputStream out = exchange.getResponseBody()) {
            for (Map<String, Object> object : existing) {
                write(out, "ADDED", object);
            }
            ResourceStore.Batch batch = first;
            while (true) {
                for (ResourceStore.Event event : batch.events()) {
                    if (matches(event.object())) {
                        write(out, event.type(), event.object());
                    }
                }
                after = Math.max(after, batch.upTo());
                if (System.nanoTime() > deadline) {
                    return;
                }
                batch = next(after, POLL_MILLIS);
            }
        } catch (IOException e) {
            // The client closed the connection: the watch ends, as it does when kubectl -w is stopped.
        }
    }

    private ResourceStore.Batch next(long after, long waitMillis) throws KubeStatus, IOException {
        try {
            return store.eventsAfter(type, after, waitMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("the watch was interrupted", e);
        }
    }

    /** Returns the resourceVersion to start after, or -1 to start with the current objects. */
    private long startVersion() throws KubeStatus {
        String version = query.get("resourceVersion");
        if (version == null || version.isEmpty() || version.equals("0")) {
            return -1;
        }
        try {
            return Long.parseLong(version);
        } catch (NumberFormatException e) {
            throw KubeStatus.badRequest("invalid resourceVersion \"" + version + "\": expected a number from a list or get");
        }
    }

    private long timeoutSeconds() throws KubeStatus {
        String value = query.get("timeoutSeconds");
        if (value == null) {
            return MAX_TIMEOUT_SECONDS;
        }
        try {
            return Math.min(MAX_TIMEOUT_SECONDS, Math.max(0, Long.parseLong(value)));
        } catch (NumberFormatException e) {
            throw KubeStatus.badRequest("invalid timeoutSeconds \"" + value + "\": expected a number of seconds");
        }
    }

    private boolean matches(Map<String, Object> object) {
        Object objectNamespace = Documents.metadata(object).get("namespace");
        return (namespace == null || namespace.equals(objectNamespace)) && selector.test(object);
    }

    private void write(OutputStream out, String eventType, Map<String, Object> object) throws IOException {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("type", eventType);
        event.put("object", tableVersion == null ? object : Tables.table(type, List.of(object),
                String.valueOf(Documents.metadata(object).get("resourceVersion")), tableVersion, query.get("includeObject")));
        byte[] line;
        try {
            line = HttpIo.JSON.writeValueAsBytes(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an event cannot be serialized", e);
        }
        out.write(line);
        out.write('\n');
        out.flush();
    }
}

package lib;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The REST calls on one resource type of one control plane: list, get, watch, create,
 * server-side apply and delete, with the URL paths Kubernetes uses. A failed call throws an
 * {@link ApiError} that keeps the status code and reason so commands can print kubectl's messages.
 */
public final class ResourceApi {

    /** Accept header that asks for a Table and takes plain JSON from servers that have none. */
    public static final String TABLE_ACCEPT = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";
    public static final String FIELD_MANAGER = "datumctl";
    static final String APPLY_PATCH = "application/apply-patch+yaml";

    /** The response form of a list or get: the objects, or rows of a Table the server prints. */
    public enum Form {
        OBJECTS,
        /** A Table whose rows carry each object's metadata, as kubectl requests it. */
        TABLE,
        /**
         * A Table of cells alone (includeObject=None), for a table without namespace or label
         * columns. The rows carry no metadata, so the response is smaller: for 5,000 DNS zones
         * from the emulator, 415 kB instead of 1.8 MB (bench/run-all get prints both).
         */
        TABLE_CELLS
    }

    /** A Kubernetes API failure: HTTP status, the Status reason (NotFound, Conflict, ...) and message. */
    public static final class ApiError extends UserError {

        private final int status;
        private final String reason;
        private final Map<String, Object> details;

        ApiError(int status, String reason, String message, Map<String, Object> details, UserError described) {
            super(message, described.hint());
            this.status = status;
            this.reason = reason;
            this.details = details;
        }

        public int status() {
            return status;
        }

        public String reason() {
            return reason;
        }

        /** The Status details (causes, name, kind), or an empty map. */
        public Map<String, Object> details() {
            return details;
        }

        /** Formats the failure as kubectl does: {@code Error from server (NotFound): <message>}. */
        public String kubectlMessage() {
            return "Error from server (" + reason + "): " + getMessage();
        }
    }

    private final KubeClient client;
    private final Discovery.ApiResource resource;

    public ResourceApi(KubeClient client, Discovery.ApiResource resource) {
        this.client = client;
        this.resource = resource;
    }

    public Discovery.ApiResource resource() {
        return resource;
    }

    public KubeClient client() {
        return client;
    }

    /** Returns kubectl's name of the type for messages: {@code dnszone.dns.networking.miloapis.com}. */
    public String typeName() {
        String kind = resource.kind().toLowerCase(Locale.ROOT);
        return resource.group().isEmpty() ? kind : kind + "." + resource.group();
    }

    /** Returns the plural resource with its group, as Status messages name it: {@code dnszones.dns.networking.miloapis.com}. */
    public String resourceName() {
        return resource.qualifiedName();
    }

    /** Returns the collection path; namespace null means all namespaces (or a cluster-scoped type). */
    public String collectionPath(String namespace) {
        String base = resource.group().isEmpty() ? "/api/" + resource.version() : "/apis/" + resource.groupVersion();
        if (resource.namespaced() && namespace != null) {
            base += "/namespaces/" + encode(namespace);
        }
        return base + "/" + resource.name();
    }

    public String objectPath(String namespace, String name) {
        return collectionPath(namespace) + "/" + encode(name);
    }

    /** Lists objects in the form requested; a server without Tables sends the objects instead. */
    public Map<String, Object> list(String namespace, String labelSelector, String fieldSelector, Form form) {
        String path = collectionPath(namespace) + query(labelSelector, fieldSelector, null, form == Form.TABLE_CELLS);
        return call("GET", path, null, null, form == Form.OBJECTS ? null : TABLE_ACCEPT);
    }

    public Map<String, Object> get(String namespace, String name, Form form) {
        String path = objectPath(namespace, name) + query(null, null, null, form == Form.TABLE_CELLS);
        return call("GET", path, null, null, form == Form.OBJECTS ? null : TABLE_ACCEPT);
    }

    public Map<String, Object> create(String namespace, Map<String, Object> object, boolean dryRun) {
        String path = collectionPath(namespace) + "?fieldManager=" + FIELD_MANAGER + (dryRun ? "&dryRun=All" : "");
        return call("POST", path, "application/json", Json.write(object), null);
    }

    /** Server-side apply with field manager datumctl; force takes over fields other managers own. */
    public Map<String, Object> apply(String namespace, String name, Map<String, Object> object, boolean force, boolean dryRun) {
        String path = objectPath(namespace, name) + "?fieldManager=" + FIELD_MANAGER + (force ? "&force=true" : "")
            + (dryRun ? "&dryRun=All" : "");
        return call("PATCH", path, APPLY_PATCH, Json.write(object), null);
    }

    public Map<String, Object> delete(String namespace, String name, boolean dryRun) {
        return call("DELETE", objectPath(namespace, name) + (dryRun ? "?dryRun=All" : ""), null, null, null);
    }

    /** Watches from resourceVersion and passes each event ({@code type} and {@code object}) to events. */
    public void watch(String namespace, String labelSelector, String fieldSelector, String resourceVersion, boolean table,
                      Consumer<Map<String, Object>> events) {
        String path = collectionPath(namespace) + query(labelSelector, fieldSelector, resourceVersion, false);
        client.stream(path, table ? TABLE_ACCEPT : null, line -> events.accept(Json.parseObject(line)));
    }

    private static String query(String labelSelector, String fieldSelector, String watchFrom, boolean cellsOnly) {
        List<String> parameters = new ArrayList<>();
        if (cellsOnly) {
            parameters.add("includeObject=None");
        }
        if (labelSelector != null && !labelSelector.isBlank()) {
            parameters.add("labelSelector=" + encode(labelSelector));
        }
        if (fieldSelector != null && !fieldSelector.isBlank()) {
            parameters.add("fieldSelector=" + encode(fieldSelector));
        }
        if (watchFrom != null) {
            parameters.add("watch=1");
            parameters.add("resourceVersion=" + encode(watchFrom));
        }
        return parameters.isEmpty() ? "" : "?" + String.join("&", parameters);
    }

    private Map<String, Object> call(String method, String path, String contentType, String body, String accept) {
        KubeClient.Response response = client.exchange(method, path, contentType, body, accept);
        String what = method + " " + path;
        if (!response.ok()) {
            throw failure(response, what);
        }
        return response.json(what);
    }

    private ApiError failure(KubeClient.Response response, String what) {
        UserError described = response.error(what, client.server());
        String reason = "Unknown";
        String message = KubeErrors.statusMessage(response.body());
        Map<String, Object> details = new LinkedHashMap<>();
        try {
            Map<String, Object> status = Json.parseObject(response.body());
            if (Json.str(status, "reason") != null) {
                reason = Json.str(status, "reason");
            }
            if (Json.obj(status, "details") != null) {
                details = Json.obj(status, "details");
            }
        } catch (IllegalArgumentException e) {
            // Not a Status body: the quoted text above is all there is.
        }
        return new ApiError(response.status(), reason, message, details, described);
    }

    static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }
}

package emulator;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.sun.net.httpserver.HttpExchange;

/** A request on one resource type of a control plane: list, get, or create of the review kinds. */
final class ResourceRequest {

    private final HttpExchange exchange;
    private final ControlPlanes.ControlPlane plane;
    private final ApiServer.Principal principal;
    private final ResourceType type;
    /** Namespace from the path, or null for cluster-scoped paths and lists across all namespaces. */
    private final String namespace;

    ResourceRequest(HttpExchange exchange, ControlPlanes.ControlPlane plane, ApiServer.Principal principal,
            ResourceType type, String namespace) {
        this.exchange = exchange;
        this.plane = plane;
        this.principal = principal;
        this.type = type;
        this.namespace = namespace;
    }

    void serve(String name) throws IOException, KubeStatus {
        String method = exchange.getRequestMethod();
        if (name == null && (method.equals("GET") || method.equals("HEAD"))) {
            requireVerb("list", null);
            list();
        } else if (name == null && method.equals("POST")) {
            requireVerb("create", null);
            HttpIo.sendJson(exchange, 201, new Reviews(plane, principal).create(type, readObject()));
        } else if (name != null && (method.equals("GET") || method.equals("HEAD"))) {
            requireVerb("get", name);
            Map<String, Object> object = plane.store().get(type, namespace, name)
                    .orElseThrow(() -> KubeStatus.notFound(type.resource(), type.group(), name));
            HttpIo.sendJson(exchange, 200, object);
        } else {
            throw KubeStatus.methodNotAllowed(method, String.join(", ", type.verbs()));
        }
    }

    /** Checks that the type serves the verb (405), then that the caller's role allows it (403). */
    private void requireVerb(String verb, String name) throws KubeStatus {
        if (!type.verbs().contains(verb)) {
            throw KubeStatus.methodNotAllowed(exchange.getRequestMethod() + " (" + verb + " " + type.resource() + ")",
                    String.join(", ", type.verbs()));
        }
        if (!principal.allows(RolePolicy.Attributes.resource(verb, type.group(), type.resource(), "", name))) {
            String scope = namespace == null ? "at the cluster scope" : "in the namespace \"" + namespace + "\"";
            throw KubeStatus.forbidden(type.resource(), type.group(), name, "User \"" + principal.user().email()
                    + "\" cannot " + verb + " resource \"" + type.resource() + "\" in API group \"" + type.group()
                    + "\" " + scope);
        }
    }

    private void list() throws IOException, KubeStatus {
        Map<String, String> query;
        try {
            query = HttpIo.query(exchange);
        } catch (HttpIo.BadRequest e) {
            throw KubeStatus.badRequest(e.getMessage());
        }
        if ("true".equals(query.get("watch")) || "1".equals(query.get("watch"))) {
            // TODO: watch is not emulated yet. Discovery leaves the verb out, so clients do not request it.
            throw KubeStatus.methodNotAllowed("watch", String.join(", ", type.verbs()));
        }
        for (String selector : List.of("labelSelector", "fieldSelector")) {
            String value = query.get(selector);
            if (value != null && !value.isEmpty()) {
                throw KubeStatus.badRequest(selector + " is not supported by the emulator; list without it");
            }
        }
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("resourceVersion", plane.store().resourceVersion());
        Map<String, Object> list = new LinkedHashMap<>();
        list.put("apiVersion", type.groupVersion());
        list.put("kind", type.kind() + "List");
        list.put("metadata", metadata);
        list.put("items", plane.store().list(type, namespace));
        HttpIo.sendJson(exchange, 200, list);
    }

    private Map<String, Object> readObject() throws IOException, KubeStatus {
        byte[] body;
        try {
            body = HttpIo.body(exchange);
        } catch (HttpIo.BadRequest e) {
            throw KubeStatus.badRequest(e.getMessage());
        }
        Map<String, Object> object = decode(body, String.valueOf(HttpIo.header(exchange, "Content-Type")));
        Object kind = object.get("kind");
        Object apiVersion = object.get("apiVersion");
        boolean kindMatches = kind == null || "".equals(kind) || type.kind().equals(kind);
        boolean versionMatches = apiVersion == null || "".equals(apiVersion) || type.groupVersion().equals(apiVersion);
        if (!kindMatches || !versionMatches) {
            throw KubeStatus.badRequest("the request body is " + apiVersion + " " + kind + ", expected "
                    + type.groupVersion() + " " + type.kind());
        }
        return object;
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> decode(byte[] body, String contentType) throws KubeStatus {
        if (contentType.startsWith(KubeProtobuf.MEDIA_TYPE)) {
            return KubeProtobuf.decodeReview(type, body);
        }
        if (!contentType.startsWith("application/json")) {
            throw new KubeStatus(415, "UnsupportedMediaType", "the request body is " + contentType
                    + "; send application/json or " + KubeProtobuf.MEDIA_TYPE, null);
        }
        Object parsed;
        try {
            parsed = HttpIo.JSON.readValue(body, Object.class);
        } catch (IOException e) {
            throw KubeStatus.badRequest("the request body is not valid JSON: " + e.getMessage());
        }
        if (!(parsed instanceof Map<?, ?> map)) {
            throw KubeStatus.badRequest("the request body must be a JSON object of kind " + type.kind());
        }
        return (Map<String, Object>) map;
    }
}

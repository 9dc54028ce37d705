package emulator;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

import com.sun.net.httpserver.HttpExchange;

/**
 * A request on one resource type of a control plane: list (with label and field selectors),
 * watch, get, create, update, JSON merge patch, server-side apply and delete, each as JSON or,
 * when the Accept header requests it, as a Table.
 */
final class ResourceRequest {

    static final String MERGE_PATCH = "application/merge-patch+json";
    static final String APPLY_PATCH = "application/apply-patch+yaml";
    private static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final List<String> REVIEW_GROUPS = List.of("authentication.k8s.io", "authorization.k8s.io");

    private final HttpExchange exchange;
    private final ControlPlanes.ControlPlane plane;
    private final ApiServer.Principal principal;
    private final ResourceType type;
    /** Namespace from the path, or null for cluster-scoped paths and lists across all namespaces. */
    private final String namespace;
    private Map<String, String> query;

    ResourceRequest(HttpExchange exchange, ControlPlanes.ControlPlane plane, ApiServer.Principal principal,
            ResourceType type, String namespace) {
        this.exchange = exchange;
        this.plane = plane;
        this.principal = principal;
        this.type = type;
        this.namespace = namespace;
    }

    void serve(String name) throws IOException, KubeStatus {
        try {
            query = HttpIo.query(exchange);
        } catch (HttpIo.BadRequest e) {
            throw KubeStatus.badRequest(e.getMessage());
        }
        String method = exchange.getRequestMethod();
        boolean read = method.equals("GET") || method.equals("HEAD");
        checkIncludeObject();
        if (name == null && read) {
            if (isWatch()) {
                requireVerb("watch", null);
                new WatchStream(exchange, plane.store(), type, namespace, selector(), query).serve();
                return;
            }
            requireVerb("list", null);
            list();
        } else if (name == null && method.equals("POST")) {
            requireVerb("create", null);
            create();
        } else if (name != null && read) {
            requireVerb("get", name);
            Map<String, Object> object = plane.store().get(type, namespace, name)
                    .orElseThrow(() -> KubeStatus.notFound(type.resource(), type.group(), name));
            sendObjects(200, List.of(object), object);
        } else if (name != null && method.equals("PUT")) {
            requireVerb("update", name);
            update(name);
        } else if (name != null && method.equals("PATCH")) {
            requireVerb("patch", name);
            patch(name);
        } else if (name != null && method.equals("DELETE")) {
            requireVerb("delete", name);
            Map<String, Object> deleted = plane.store().delete(type, namespace, name, dryRun());
            HttpIo.sendJson(exchange, 200, deleted);
        } else {
            throw KubeStatus.methodNotAllowed(method, String.join(", ", type.verbs()));
        }
    }

    private boolean isWatch() {
        return "true".equals(query.get("watch")) || "1".equals(query.get("watch"));
    }

    /** Rejects an includeObject value the API server does not know, as its table options validation does. */
    private void checkIncludeObject() throws KubeStatus {
        String value = query.get("includeObject");
        if (value != null && !value.isEmpty() && !List.of("None", "Metadata", "Object").contains(value)) {
            throw KubeStatus.badRequest("includeObject: Unsupported value: \"" + value
                + "\": supported values: \"Metadata\", \"None\", \"Object\"");
        }
    }

    private boolean dryRun() throws KubeStatus {
        String value = query.get("dryRun");
        if (value != null && !value.equals("All")) {
            throw KubeStatus.badRequest("dryRun must be All, not \"" + value + "\"");
        }
        return value != null;
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

    private Predicate<Map<String, Object>> selector() throws KubeStatus {
        Predicate<Map<String, Object>> filter = object -> true;
        String labels = query.get("labelSelector");
        if (labels != null && !labels.isBlank()) {
            filter = filter.and(Documents.labelSelector(labels));
        }
        String fields = query.get("fieldSelector");
        if (fields != null && !fields.isBlank()) {
            filter = filter.and(Documents.fieldSelector(fields));
        }
        return filter;
    }

    private void list() throws IOException, KubeStatus {
        String resourceVersion = plane.store().resourceVersion();
        List<Map<String, Object>> items = plane.store().list(type, namespace, selector());
        String tableVersion = Tables.requestedVersion(HttpIo.header(exchange, "Accept"));
        if (tableVersion != null) {
            sendTable(200, Tables.table(type, items, resourceVersion, tableVersion, query.get("includeObject")), tableVersion);
            return;
        }
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("resourceVersion", resourceVersion);
        Map<String, Object> list = new LinkedHashMap<>();
        list.put("apiVersion", type.groupVersion());
        list.put("kind", type.kind() + "List");
        list.put("metadata", metadata);
        list.put("items", items);
        HttpIo.sendJson(exchange, 200, list);
    }

    /** Sends object as JSON, or rows as a Table when the Accept header requests one. */
    private void sendObjects(int status, List<Map<String, Object>> rows, Map<String, Object> object) throws IOException {
        String tableVersion = Tables.requestedVersion(HttpIo.header(exchange, "Accept"));
        if (tableVersion == null) {
            HttpIo.sendJson(exchange, status, object);
            return;
        }
        String resourceVersion = String.valueOf(Documents.metadata(object).get("resourceVersion"));
        sendTable(status, Tables.table(type, rows, resourceVersion, tableVersion, query.get("includeObject")), tableVersion);
    }

    private void sendTable(int status, Map<String, Object> table, String version) throws IOException {
        HttpIo.sendJson(exchange, status, table, "application/json;as=Table;v=" + version + ";g=meta.k8s.io");
    }

    private void create() throws IOException, KubeStatus {
        Map<String, Object> object = readObject();
        if (REVIEW_GROUPS.contains(type.group())) {
            HttpIo.sendJson(exchange, 201, new Reviews(plane, principal).create(type, object));
            return;
        }
        String name = validate(object, null);
        Map<String, Object> metadata = Documents.metadata(object);
        metadata.remove("resourceVersion");
        metadata.remove("managedFields");
        ManagedFields.recordUpdate(null, object, fieldManager());
        Map<String, Object> created = plane.store().create(type, object, dryRun());
        sendObjects(201, List.of(created), created);
    }

    private void update(String name) throws IOException, KubeStatus {
        Map<String, Object> object = readObject();
        validate(object, name);
        Map<String, Object> current = plane.store().get(type, namespace, name)
                .orElseThrow(() -> KubeStatus.notFound(type.resource(), type.group(), name));
        Documents.metadata(object).remove("managedFields");
        Documents.metadata(object).put("managedFields", Documents.metadata(current).get("managedFields"));
        ManagedFields.recordUpdate(current, object, fieldManager());
        Map<String, Object> updated = plane.store().update(type, object, dryRun());
        sendObjects(200, List.of(updated), updated);
    }

    private void patch(String name) throws IOException, KubeStatus {
        String contentType = String.valueOf(HttpIo.header(exchange, "Content-Type")).split(";", 2)[0].trim();
        if (contentType.equals(APPLY_PATCH)) {
            apply(name);
            return;
        }
        if (!contentType.equals(MERGE_PATCH)) {
            throw new KubeStatus(415, "UnsupportedMediaType", "the emulator accepts patches as " + MERGE_PATCH
                    + " or " + APPLY_PATCH + ", not " + contentType, null);
        }
        Map<String, Object> current = plane.store().get(type, namespace, name)
                .orElseThrow(() -> KubeStatus.notFound(type.resource(), type.group(), name));
        Map<String, Object> patch = parseBody(false);
        @SuppressWarnings("unchecked")
        Map<String, Object> patched = (Map<String, Object>) Documents.mergePatch(current, patch);
        validate(patched, name);
        ManagedFields.recordUpdate(current, patched, fieldManager());
        Map<String, Object> updated = plane.store().update(type, patched, dryRun());
        sendObjects(200, List.of(updated), updated);
    }

    /** Server-side apply: creates the object when it is missing (201), else merges the applied fields (200). */
    private void apply(String name) throws IOException, KubeStatus {
        String manager = query.get("fieldManager");
        if (manager == null || manager.isBlank()) {
            throw KubeStatus.badRequest("PATCH " + type.resource() + " \"" + name
                    + "\": fieldManager is required for apply requests");
        }
        Map<String, Object> applied = parseBody(true);
        checkKind(applied);
        validate(applied, name);
        boolean force = "true".equals(query.get("force"));
        Map<String, Object> current = plane.store().get(type, namespace, name).orElse(null);
        if (current == null) {
            requireVerb("create", name);
            Map<String, Object> object = ManagedFields.apply(null, applied, manager, force, type);
            Map<String, Object> created = plane.store().create(type, object, dryRun());
            sendObjects(201, List.of(created), created);
            return;
        }
        Map<String, Object> merged = ManagedFields.apply(current, applied, manager, force, type);
        Map<String, Object> updated = plane.store().update(type, merged, dryRun());
        sendObjects(200, List.of(updated), updated);
    }

    /** Fills in the path's namespace and checks name and namespace. Returns the object's name. */
    private String validate(Map<String, Object> object, String pathName) throws KubeStatus {
        Map<String, Object> metadata = Documents.metadata(object);
        Object name = metadata.get("name");
        if (name == null || name.toString().isEmpty()) {
            throw KubeStatus.invalid(type.kind(), type.group(), null, "metadata.name", "Required value: name is required");
        }
        if (pathName != null && !pathName.equals(name)) {
            throw KubeStatus.badRequest("the name of the object (" + name + ") does not match the name in the URL (" + pathName + ")");
        }
        if (!DNS_SUBDOMAIN.matcher(name.toString()).matches() || name.toString().length() > 253) {
            throw KubeStatus.invalid(type.kind(), type.group(), name.toString(), "metadata.name", "Invalid value: \"" + name
                    + "\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.',"
                    + " and must start and end with an alphanumeric character");
        }
        if (type.namespaced()) {
            Object objectNamespace = metadata.get("namespace");
            if (objectNamespace != null && !objectNamespace.equals(namespace)) {
                throw KubeStatus.badRequest("the namespace of the provided object does not match the namespace sent on the request");
            }
            metadata.put("namespace", namespace);
        } else {
            metadata.remove("namespace");
        }
        return name.toString();
    }

    /** Returns the field manager of a create, update or patch: the query parameter, else the User-Agent's product name. */
    private String fieldManager() {
        String manager = query.get("fieldManager");
        if (manager != null && !manager.isBlank()) {
            return manager;
        }
        String agent = HttpIo.header(exchange, "User-Agent");
        return agent == null || agent.isBlank() ? "unknown" : agent.split("[/ ]", 2)[0];
    }

    private Map<String, Object> readObject() throws IOException, KubeStatus {
        String contentType = String.valueOf(HttpIo.header(exchange, "Content-Type"));
        if (contentType.startsWith(KubeProtobuf.MEDIA_TYPE)) {
            return KubeProtobuf.decodeReview(type, readBody());
        }
        if (!contentType.startsWith("application/json")) {
            throw new KubeStatus(415, "UnsupportedMediaType", "the request body is " + contentType
                    + "; send application/json or " + KubeProtobuf.MEDIA_TYPE, null);
        }
        Map<String, Object> object = parseBody(false);
        checkKind(object);
        return object;
    }

    private void checkKind(Map<String, Object> object) throws KubeStatus {
        Object kind = object.get("kind");
        Object apiVersion = object.get("apiVersion");
        boolean kindMatches = kind == null || "".equals(kind) || type.kind().equals(kind);
        boolean versionMatches = apiVersion == null || "".equals(apiVersion) || type.groupVersion().equals(apiVersion);
        if (!kindMatches || !versionMatches) {
            throw KubeStatus.badRequest("the request body is " + apiVersion + " " + kind + ", expected "
                    + type.groupVersion() + " " + type.kind());
        }
    }

    private byte[] readBody() throws IOException, KubeStatus {
        try {
            return HttpIo.body(exchange);
        } catch (HttpIo.BadRequest e) {
            throw KubeStatus.badRequest(e.getMessage());
        }
    }

    /** Parses the body as a JSON object, or for apply as YAML (a superset of the JSON kubectl sends). */
    @SuppressWarnings("unchecked")
    private Map<String, Object> parseBody(boolean yaml) throws IOException, KubeStatus {
        byte[] body = readBody();
        Object parsed;
        try {
            parsed = yaml ? new Yaml(new SafeConstructor(new LoaderOptions())).load(new String(body, java.nio.charset.StandardCharsets.UTF_8))
                    : HttpIo.JSON.readValue(body, Object.class);
        } catch (IOException | YAMLException e) {
            throw KubeStatus.badRequest("the request body is not valid " + (yaml ? "YAML" : "JSON") + ": " + e.getMessage());
        }
        if (!(parsed instanceof Map<?, ?> map)) {
            throw KubeStatus.badRequest("the request body must be an object of kind " + type.kind());
        }
        return Documents.copy((Map<String, Object>) map);
    }
}

package emulator;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Minimal OpenAPI v3 documents: for each group version, the PATCH operation of each resource with
 * its GroupVersionKind and the query parameters it accepts. kubectl 1.27 and later read exactly
 * this to learn that the server validates fields itself (the fieldValidation parameter), and then
 * skip client-side schema validation, so `kubectl apply` works without --validate=false.
 *
 * NOTE: no schemas are published and the emulator does not reject unknown fields, so
 * fieldValidation=Strict is accepted and ignored. OpenAPI v2 is not served (404).
 */
final class OpenApi {

    static final String PREFIX = "/openapi/v3";

    private OpenApi() {
    }

    /** The root document: one entry per group version, pointing to its document. */
    static Map<String, Object> root(List<ResourceType> types) {
        Map<String, Object> paths = new LinkedHashMap<>();
        for (ResourceType type : types) {
            String key = "apis/" + type.groupVersion();
            paths.putIfAbsent(key, Map.of("serverRelativeURL", PREFIX + "/" + key + "?hash=" + Integer.toHexString(key.hashCode())));
        }
        return Map.of("paths", paths);
    }

    /** The document of one group version, or null when the control plane does not serve it. */
    static Map<String, Object> groupVersion(List<ResourceType> types, String groupVersion) {
        Map<String, Object> paths = new LinkedHashMap<>();
        for (ResourceType type : types) {
            if (!type.groupVersion().equals(groupVersion)) {
                continue;
            }
            String scope = type.namespaced() ? "/namespaces/{namespace}/" : "/";
            String path = "/apis/" + groupVersion + scope + type.resource() + "/{name}";
            paths.put(path, Map.of("patch", patchOperation(type)));
        }
        if (paths.isEmpty()) {
            return null;
        }
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("openapi", "3.0.0");
        document.put("info", Map.of("title", "Datum Cloud emulator", "version", groupVersion));
        document.put("paths", paths);
        return document;
    }

    private static Map<String, Object> patchOperation(ResourceType type) {
        Map<String, Object> operation = new LinkedHashMap<>();
        operation.put("operationId", "patch" + type.kind());
        operation.put("x-kubernetes-action", "patch");
        operation.put("x-kubernetes-group-version-kind",
                Map.of("group", type.group(), "version", type.version(), "kind", type.kind()));
        operation.put("parameters", List.of(query("dryRun"), query("fieldManager"), query("fieldValidation"),
                query("force")));
        operation.put("responses", Map.of("200", Map.of("description", "OK")));
        return operation;
    }

    private static Map<String, Object> query(String name) {
        return Map.of("name", name, "in", "query", "schema", Map.of("type", "string"));
    }
}

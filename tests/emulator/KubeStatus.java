package emulator;

import java.util.LinkedHashMap;
import java.util.Map;

/** A Kubernetes {@code Status} failure, thrown inside the API server and sent as its JSON body. */
final class KubeStatus extends Exception {

    final int code;
    final String reason;
    final Map<String, Object> details;

    KubeStatus(int code, String reason, String message, Map<String, Object> details) {
        super(message);
        this.code = code;
        this.reason = reason;
        this.details = details;
    }

    static KubeStatus unauthorized(String message) {
        return new KubeStatus(401, "Unauthorized", "Unauthorized: " + message, null);
    }

    static KubeStatus forbidden(String resource, String group, String name, String message) {
        String subject = group.isEmpty() ? resource : resource + "." + group;
        String target = name == null ? subject : subject + " \"" + name + "\"";
        return new KubeStatus(403, "Forbidden", target + " is forbidden: " + message, details(resource, group, name));
    }

    static KubeStatus notFound(String resource, String group, String name) {
        String subject = group.isEmpty() ? resource : resource + "." + group;
        return new KubeStatus(404, "NotFound", subject + " \"" + name + "\" not found", details(resource, group, name));
    }

    static KubeStatus alreadyExists(String resource, String group, String name) {
        String subject = group.isEmpty() ? resource : resource + "." + group;
        return new KubeStatus(409, "AlreadyExists", subject + " \"" + name + "\" already exists", details(resource, group, name));
    }

    static KubeStatus conflict(String resource, String group, String name, String message) {
        return new KubeStatus(409, "Conflict", message, details(resource, group, name));
    }

    /** A 422 Invalid for one field, with the field named in details.causes as the API server does. */
    static KubeStatus invalid(String kind, String group, String name, String field, String problem) {
        Map<String, Object> details = details(kind, group, name);
        details.put("causes", java.util.List.of(Map.of("reason", "FieldValueInvalid", "message", problem, "field", field)));
        return new KubeStatus(422, "Invalid", kind + (name == null ? "" : " \"" + name + "\"") + " is invalid: " + field
                + ": " + problem, details);
    }

    static KubeStatus pathNotFound() {
        return new KubeStatus(404, "NotFound", "the server could not find the requested resource", null);
    }

    static KubeStatus methodNotAllowed(String method, String allowed) {
        return new KubeStatus(405, "MethodNotAllowed", "the server does not allow this method on the requested resource: "
                + method + " (allowed: " + allowed + ")", null);
    }

    static KubeStatus badRequest(String message) {
        return new KubeStatus(400, "BadRequest", message, null);
    }

    private static Map<String, Object> details(String resource, String group, String name) {
        Map<String, Object> details = new LinkedHashMap<>();
        if (name != null) {
            details.put("name", name);
        }
        details.put("group", group);
        details.put("kind", resource);
        return details;
    }

    Map<String, Object> toJson() {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("kind", "Status");
        status.put("apiVersion", "v1");
        status.put("metadata", Map.of());
        status.put("status", "Failure");
        status.put("message", getMessage());
        status.put("reason", reason);
        if (details != null) {
            status.put("details", details);
        }
        status.put("code", code);
        return status;
    }
}

package emulator;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * SelfSubjectReview, SelfSubjectAccessReview and SelfSubjectRulesReview responses, decided by
 * the rules of the caller's role on the control plane (see {@link RolePolicy}).
 */
final class Reviews {

    private final ControlPlanes.ControlPlane plane;
    private final ApiServer.Principal principal;

    Reviews(ControlPlanes.ControlPlane plane, ApiServer.Principal principal) {
        this.plane = plane;
        this.principal = principal;
    }

    Map<String, Object> create(ResourceType type, Map<String, Object> request) throws KubeStatus {
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("kind", type.kind());
        response.put("apiVersion", type.groupVersion());
        response.put("metadata", Map.of("creationTimestamp", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString()));
        Object spec = request.get("spec");
        if (type == ResourceType.SELF_SUBJECT_REVIEWS) {
            response.put("status", Map.of("userInfo", userInfo()));
        } else if (type == ResourceType.SELF_SUBJECT_ACCESS_REVIEWS) {
            response.put("spec", spec == null ? Map.of() : spec);
            response.put("status", accessStatus(spec));
        } else if (type == ResourceType.SELF_SUBJECT_RULES_REVIEWS) {
            response.put("spec", spec == null ? Map.of() : spec);
            response.put("status", rulesStatus());
        } else {
            throw KubeStatus.methodNotAllowed("POST", "get, list");
        }
        return response;
    }

    private Map<String, Object> userInfo() {
        Map<String, Object> userInfo = new LinkedHashMap<>();
        userInfo.put("username", principal.user().email());
        userInfo.put("uid", principal.user().sub());
        userInfo.put("groups", List.of("system:authenticated"));
        return userInfo;
    }

    private Map<String, Object> accessStatus(Object spec) throws KubeStatus {
        if (!(spec instanceof Map<?, ?> specMap)) {
            throw KubeStatus.badRequest("spec is missing: set spec.resourceAttributes or spec.nonResourceAttributes");
        }
        RolePolicy.Attributes request = attributes(specMap);
        boolean allowed = principal.allows(request);
        String target = request.path() != null ? request.path()
                : request.resource() + (request.group().isEmpty() ? "" : "." + request.group());
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("allowed", allowed);
        status.put("reason", "role " + principal.role() + " on " + plane.scope().name().toLowerCase() + " "
                + plane.id() + (allowed ? " allows " : " does not allow ") + request.verb() + " " + target);
        return status;
    }

    private static RolePolicy.Attributes attributes(Map<?, ?> spec) throws KubeStatus {
        if (spec.get("resourceAttributes") instanceof Map<?, ?> resource && resource.get("verb") instanceof String verb) {
            return RolePolicy.Attributes.resource(verb, text(resource, "group"), text(resource, "resource"),
                    text(resource, "subresource"), text(resource, "name"));
        }
        if (spec.get("nonResourceAttributes") instanceof Map<?, ?> nonResource
                && nonResource.get("verb") instanceof String verb && nonResource.get("path") instanceof String path) {
            return RolePolicy.Attributes.nonResource(verb, path);
        }
        throw KubeStatus.badRequest("spec.resourceAttributes.verb, or spec.nonResourceAttributes.verb and path, is required");
    }

    private static String text(Map<?, ?> map, String key) {
        return map.get(key) instanceof String value ? value : "";
    }

    private Map<String, Object> rulesStatus() {
        List<Object> resourceRules = new ArrayList<>();
        List<Object> nonResourceRules = new ArrayList<>();
        for (RolePolicy.Rule rule : principal.policy().rules(principal.role())) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("verbs", rule.verbs());
            putIfNotEmpty(entry, "apiGroups", rule.apiGroups());
            putIfNotEmpty(entry, "resources", rule.resources());
            putIfNotEmpty(entry, "resourceNames", rule.resourceNames());
            putIfNotEmpty(entry, "nonResourceURLs", rule.nonResourceURLs());
            (rule.nonResourceURLs().isEmpty() ? resourceRules : nonResourceRules).add(entry);
        }
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("resourceRules", resourceRules);
        status.put("nonResourceRules", nonResourceRules);
        status.put("incomplete", false);
        return status;
    }

    private static void putIfNotEmpty(Map<String, Object> map, String key, List<String> values) {
        if (!values.isEmpty()) {
            map.put(key, values);
        }
    }
}

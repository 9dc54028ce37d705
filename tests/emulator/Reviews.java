package emulator;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * SelfSubjectReview, SelfSubjectAccessReview and SelfSubjectRulesReview responses, decided by
 * the caller's role on the control plane. Owners may use every verb, viewers get, list and watch.
 */
final class Reviews {

    static final List<String> VIEWER_VERBS = List.of("get", "list", "watch");

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

    private boolean allows(String verb) {
        return principal.role().equals("owner") || VIEWER_VERBS.contains(verb);
    }

    private Map<String, Object> accessStatus(Object spec) throws KubeStatus {
        if (!(spec instanceof Map<?, ?> specMap)) {
            throw KubeStatus.badRequest("spec is missing: set spec.resourceAttributes or spec.nonResourceAttributes");
        }
        Object attributes = specMap.get("resourceAttributes");
        if (attributes == null) {
            attributes = specMap.get("nonResourceAttributes");
        }
        if (!(attributes instanceof Map<?, ?> attributeMap) || !(attributeMap.get("verb") instanceof String verb)) {
            throw KubeStatus.badRequest("spec.resourceAttributes.verb or spec.nonResourceAttributes.verb is required");
        }
        boolean allowed = allows(verb);
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("allowed", allowed);
        status.put("reason", "role " + principal.role() + " on " + plane.scope().name().toLowerCase() + " " + plane.id()
                + (allowed ? " allows " : " does not allow ") + verb);
        return status;
    }

    private Map<String, Object> rulesStatus() {
        List<String> verbs = principal.role().equals("owner") ? List.of("*") : VIEWER_VERBS;
        Map<String, Object> rule = new LinkedHashMap<>();
        rule.put("verbs", verbs);
        rule.put("apiGroups", List.of("*"));
        rule.put("resources", List.of("*"));
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("resourceRules", List.of(rule));
        status.put("nonResourceRules", List.of(Map.of("verbs", List.of("get"), "nonResourceURLs", List.of("*"))));
        status.put("incomplete", false);
        return status;
    }
}

package lib;

import java.util.LinkedHashMap;
import java.util.Map;

/** The self-review APIs of a control plane: who am I, may I do this, and what may I do. */
public final class AccessReviews {

    static final String SELF_SUBJECT_REVIEWS = "/apis/authentication.k8s.io/v1/selfsubjectreviews";
    static final String ACCESS_REVIEWS = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews";
    static final String RULES_REVIEWS = "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews";

    /** The decision of a SelfSubjectAccessReview. The reason and evaluationError may be empty. */
    public record Decision(boolean allowed, String reason, String evaluationError) {
    }

    /** The action to check: on a resource (path null) or on a non-resource URL (path set). Empty strings mean unset. */
    public record Request(String verb, String group, String resource, String subresource, String name,
                          String namespace, String path) {
    }

    private final KubeClient client;

    public AccessReviews(KubeClient client) {
        this.client = client;
    }

    /** POSTs a SelfSubjectReview and returns the review the server returned. */
    public Map<String, Object> whoami() {
        return client.post(SELF_SUBJECT_REVIEWS, review("authentication.k8s.io/v1", "SelfSubjectReview", null));
    }

    public Decision canI(Request request) {
        Map<String, Object> spec = new LinkedHashMap<>();
        if (request.path() != null) {
            spec.put("nonResourceAttributes", Map.of("verb", request.verb(), "path", request.path()));
        } else {
            Map<String, Object> attributes = new LinkedHashMap<>();
            attributes.put("namespace", request.namespace());
            attributes.put("verb", request.verb());
            attributes.put("group", request.group());
            attributes.put("resource", request.resource());
            attributes.put("subresource", request.subresource());
            attributes.put("name", request.name());
            spec.put("resourceAttributes", attributes);
        }
        Map<String, Object> status = Json.obj(client.post(ACCESS_REVIEWS,
            review("authorization.k8s.io/v1", "SelfSubjectAccessReview", spec)), "status");
        return new Decision(status != null && Boolean.TRUE.equals(status.get("allowed")),
            orEmpty(Json.str(status, "reason")), orEmpty(Json.str(status, "evaluationError")));
    }

    /** POSTs a SelfSubjectRulesReview for namespace and returns its status (resourceRules, nonResourceRules, incomplete). */
    public Map<String, Object> rules(String namespace) {
        Map<String, Object> status = Json.obj(client.post(RULES_REVIEWS,
            review("authorization.k8s.io/v1", "SelfSubjectRulesReview", Map.of("namespace", namespace))), "status");
        return status == null ? Map.of() : status;
    }

    private static Map<String, Object> review(String apiVersion, String kind, Map<String, Object> spec) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("apiVersion", apiVersion);
        body.put("kind", kind);
        body.put("spec", spec == null ? Map.of() : spec);
        return body;
    }

    private static String orEmpty(String value) {
        return value == null ? "" : value;
    }
}

package emulator;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The roles of the seed, each a list of rules in the shape of Kubernetes RBAC PolicyRules, and
 * the matching RBAC uses: "*" matches any verb, group or resource, "*&#47;SUB" any resource's
 * subresource SUB, no resourceNames means every name, and a non-resource URL ending in "*" is a prefix.
 */
record RolePolicy(Map<String, List<Rule>> roles) {

    /** One rule: either resource rules (apiGroups, resources) or non-resource URLs, with verbs. */
    record Rule(List<String> verbs, List<String> apiGroups, List<String> resources, List<String> resourceNames,
            List<String> nonResourceURLs) {

        boolean allows(Attributes request) {
            if (!matches(verbs, request.verb())) {
                return false;
            }
            if (request.path() != null) {
                return nonResourceURLs.stream().anyMatch(url -> url.equals("*") || url.equals(request.path())
                        || url.endsWith("*") && request.path().startsWith(url.substring(0, url.length() - 1)));
            }
            return matches(apiGroups, request.group()) && matchesResource(request)
                    && (resourceNames.isEmpty() || resourceNames.contains(request.name()));
        }

        private boolean matchesResource(Attributes request) {
            String combined = request.subresource().isEmpty() ? request.resource()
                    : request.resource() + "/" + request.subresource();
            return resources.stream().anyMatch(r -> r.equals("*") || r.equals(combined)
                    || !request.subresource().isEmpty() && r.equals("*/" + request.subresource()));
        }

        private static boolean matches(List<String> values, String value) {
            return values.contains("*") || values.contains(value);
        }
    }

    /** What a request does: a resource request (path null) or a non-resource request (path set). */
    record Attributes(String verb, String group, String resource, String subresource, String name, String path) {

        static Attributes resource(String verb, String group, String resource, String subresource, String name) {
            return new Attributes(verb, nz(group), nz(resource), nz(subresource), nz(name), null);
        }

        static Attributes nonResource(String verb, String path) {
            return new Attributes(verb, "", "", "", "", path);
        }

        private static String nz(String value) {
            return value == null ? "" : value;
        }
    }

    private static final List<String> ALL = List.of("*");
    private static final List<String> REVIEW_GROUPS = List.of("authentication.k8s.io", "authorization.k8s.io");
    private static final List<String> REVIEWS = List.of("selfsubjectreviews", "selfsubjectaccessreviews",
            "selfsubjectrulesreviews");

    /** The roles of a seed without a roles section: owner may do anything, viewer may read. */
    static RolePolicy defaults() {
        Map<String, List<Rule>> roles = new LinkedHashMap<>();
        roles.put("owner", List.of(new Rule(ALL, ALL, ALL, List.of(), List.of()), new Rule(ALL, List.of(), List.of(),
                List.of(), ALL)));
        roles.put("viewer", List.of(new Rule(List.of("get", "list", "watch"), ALL, ALL, List.of(), List.of()),
                new Rule(List.of("create"), REVIEW_GROUPS, REVIEWS, List.of(), List.of()),
                new Rule(List.of("get"), List.of(), List.of(), List.of(), ALL)));
        return new RolePolicy(roles);
    }

    boolean allows(String role, Attributes request) {
        return rules(role).stream().anyMatch(rule -> rule.allows(request));
    }

    List<Rule> rules(String role) {
        return roles.getOrDefault(role, List.of());
    }

    Set<String> names() {
        return roles.keySet();
    }

    /** Reads the seed's roles section; a missing section gives {@link #defaults()}. */
    static RolePolicy parse(Object node, String origin) throws IOException {
        if (node == null) {
            return defaults();
        }
        if (!(node instanceof Map<?, ?> map) || map.isEmpty()) {
            throw new IOException("seed " + origin + ": roles must be a mapping of role name to a list of rules");
        }
        Map<String, List<Rule>> roles = new LinkedHashMap<>();
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            String role = String.valueOf(entry.getKey());
            if (!(entry.getValue() instanceof List<?> list) || list.isEmpty()) {
                throw new IOException("seed " + origin + ": role " + role + " must be a non-empty list of rules");
            }
            List<Rule> rules = new ArrayList<>();
            for (Object item : list) {
                rules.add(rule(item, "role " + role, origin));
            }
            roles.put(role, List.copyOf(rules));
        }
        return new RolePolicy(roles);
    }

    private static Rule rule(Object node, String where, String origin) throws IOException {
        if (!(node instanceof Map<?, ?> map)) {
            throw new IOException("seed " + origin + ": every rule of " + where + " must be a mapping");
        }
        Rule rule = new Rule(strings(map, "verbs", where, origin), strings(map, "apiGroups", where, origin),
                strings(map, "resources", where, origin), strings(map, "resourceNames", where, origin),
                strings(map, "nonResourceURLs", where, origin));
        boolean resourceRule = !rule.resources().isEmpty() && !rule.apiGroups().isEmpty();
        boolean urlRule = !rule.nonResourceURLs().isEmpty();
        if (rule.verbs().isEmpty() || resourceRule == urlRule) {
            throw new IOException("seed " + origin + ": a rule of " + where + " needs verbs and either apiGroups"
                    + " with resources or nonResourceURLs");
        }
        return rule;
    }

    private static List<String> strings(Map<?, ?> map, String key, String where, String origin) throws IOException {
        Object value = map.get(key);
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> list)) {
            throw new IOException("seed " + origin + ": " + key + " in a rule of " + where + " must be a list");
        }
        List<String> strings = new ArrayList<>();
        for (Object item : list) {
            strings.add(item == null ? "" : item.toString());
        }
        return List.copyOf(strings);
    }
}

package lib;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The rows of `can-i --list`, built from a SelfSubjectRulesReview status the way kubectl builds
 * them. Every rule is broken down to one verb on one group, resource and name (or one URL), and
 * rules that then differ only by verb are merged. The result is sorted by kubectl's key, which is
 * the Go string form of an RBAC PolicyRule and so starts with the verbs.
 */
public final class AccessRules {

    /** One RBAC-shaped rule. */
    record Rule(List<String> verbs, List<String> apiGroups, List<String> resources, List<String> resourceNames,
                List<String> nonResourceURLs) {

        boolean simple() {
            return nonResourceURLs.isEmpty() && resourceNames.size() <= 1 && apiGroups.size() == 1 && resources.size() == 1;
        }

        String sortKey() {
            return "&PolicyRule{Verbs:" + go(verbs) + ",APIGroups:" + go(apiGroups) + ",Resources:" + go(resources)
                + ",ResourceNames:" + go(resourceNames) + ",NonResourceURLs:" + go(nonResourceURLs) + ",}";
        }
    }

    private AccessRules() {
    }

    /** Returns the rows (Resources, Non-Resource URLs, Resource Names, Verbs) for a rules review status. */
    public static List<String[]> rows(Map<String, Object> status) {
        List<Rule> broken = new ArrayList<>();
        for (Object item : list(status.get("resourceRules"))) {
            broken.addAll(breakDown(rule(item, false)));
        }
        for (Object item : list(status.get("nonResourceRules"))) {
            broken.addAll(breakDown(rule(item, true)));
        }
        List<Rule> rules = compact(broken);
        rules.sort(Comparator.comparing(Rule::sortKey));
        List<String[]> rows = new ArrayList<>();
        for (Rule rule : rules) {
            rows.add(new String[] {resourceAndGroup(rule), go(rule.nonResourceURLs()), go(rule.resourceNames()), go(rule.verbs())});
        }
        return rows;
    }

    static List<Rule> breakDown(Rule rule) {
        List<Rule> parts = new ArrayList<>();
        for (String group : rule.apiGroups()) {
            for (String resource : rule.resources()) {
                for (String verb : rule.verbs()) {
                    if (rule.resourceNames().isEmpty()) {
                        parts.add(new Rule(List.of(verb), List.of(group), List.of(resource), List.of(), List.of()));
                    }
                    for (String name : rule.resourceNames()) {
                        parts.add(new Rule(List.of(verb), List.of(group), List.of(resource), List.of(name), List.of()));
                    }
                }
            }
        }
        for (String url : rule.nonResourceURLs()) {
            for (String verb : rule.verbs()) {
                parts.add(new Rule(List.of(verb), List.of(), List.of(), List.of(), List.of(url)));
            }
        }
        return parts;
    }

    /** Merges the verbs of simple rules on the same group, resource and name; keeps the other rules as they are. */
    static List<Rule> compact(List<Rule> rules) {
        List<Rule> compacted = new ArrayList<>();
        Map<List<String>, List<String>> verbsBySubject = new LinkedHashMap<>();
        Map<List<String>, Rule> firstBySubject = new LinkedHashMap<>();
        for (Rule rule : rules) {
            if (!rule.simple()) {
                compacted.add(rule);
                continue;
            }
            List<String> subject = new ArrayList<>(rule.apiGroups());
            subject.addAll(rule.resources());
            subject.add(rule.resourceNames().isEmpty() ? "" : "name:" + rule.resourceNames().get(0));
            verbsBySubject.computeIfAbsent(subject, key -> new ArrayList<>()).addAll(rule.verbs());
            firstBySubject.putIfAbsent(subject, rule);
        }
        firstBySubject.forEach((subject, rule) -> compacted.add(new Rule(List.copyOf(verbsBySubject.get(subject)),
            rule.apiGroups(), rule.resources(), rule.resourceNames(), rule.nonResourceURLs())));
        return compacted;
    }

    /** "resource.group", or "resource" for the core group, keeping a "/subresource" suffix last. */
    static String resourceAndGroup(Rule rule) {
        if (rule.resources().isEmpty()) {
            return "";
        }
        String[] parts = rule.resources().get(0).split("/", 2);
        String combined = parts[0];
        if (!rule.apiGroups().isEmpty() && !rule.apiGroups().get(0).isEmpty()) {
            combined += "." + rule.apiGroups().get(0);
        }
        return parts.length == 2 ? combined + "/" + parts[1] : combined;
    }

    /** Formats a list the way Go's %v prints a string slice: [a b c]. */
    static String go(List<String> values) {
        return "[" + String.join(" ", values) + "]";
    }

    private static Rule rule(Object item, boolean nonResource) {
        Map<String, Object> map = item instanceof Map<?, ?> ? cast(item) : Map.of();
        List<String> verbs = strings(map.get("verbs"));
        if (nonResource) {
            return new Rule(verbs, List.of(), List.of(), List.of(), strings(map.get("nonResourceURLs")));
        }
        return new Rule(verbs, strings(map.get("apiGroups")), strings(map.get("resources")),
            strings(map.get("resourceNames")), List.of());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Object item) {
        return (Map<String, Object>) item;
    }

    private static List<Object> list(Object value) {
        return value instanceof List<?> list ? new ArrayList<>(list) : List.of();
    }

    private static List<String> strings(Object value) {
        List<String> strings = new ArrayList<>();
        for (Object item : list(value)) {
            strings.add(String.valueOf(item));
        }
        return strings;
    }
}

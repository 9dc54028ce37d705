package emulator;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/** Helpers for API objects held as parsed JSON: copies, JSON merge patch and label and field selectors. */
final class Documents {

    private Documents() {
    }

    /** Returns a deep copy, so a stored object never shares a map or list with a request or response. */
    @SuppressWarnings("unchecked")
    static <T> T copy(T value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((key, item) -> copy.put(String.valueOf(key), copy(item)));
            return (T) copy;
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>();
            list.forEach(item -> copy.add(copy(item)));
            return (T) copy;
        }
        return value;
    }

    /** Returns the object's metadata map, adding an empty one when it has none. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> metadata(Map<String, Object> object) {
        Object metadata = object.get("metadata");
        if (!(metadata instanceof Map)) {
            metadata = new LinkedHashMap<String, Object>();
            object.put("metadata", metadata);
        }
        return (Map<String, Object>) metadata;
    }

    @SuppressWarnings("unchecked")
    static Map<String, String> labels(Map<String, Object> object) {
        Object labels = metadata(object).get("labels");
        Map<String, String> result = new LinkedHashMap<>();
        if (labels instanceof Map<?, ?> map) {
            map.forEach((key, value) -> result.put(String.valueOf(key), String.valueOf(value)));
        }
        return result;
    }

    static Map<String, Object> withoutMetadataAndStatus(Map<String, Object> object) {
        Map<String, Object> rest = new LinkedHashMap<>(object);
        rest.remove("metadata");
        rest.remove("status");
        return rest;
    }

    /** Applies a JSON merge patch (RFC 7386): maps merge, null removes a key, anything else replaces. */
    @SuppressWarnings("unchecked")
    static Object mergePatch(Object target, Object patch) {
        if (!(patch instanceof Map<?, ?> patchMap)) {
            return copy(patch);
        }
        Map<String, Object> result = target instanceof Map ? copy((Map<String, Object>) target) : new LinkedHashMap<>();
        for (Map.Entry<?, ?> entry : patchMap.entrySet()) {
            String key = String.valueOf(entry.getKey());
            if (entry.getValue() == null) {
                result.remove(key);
            } else {
                result.put(key, mergePatch(result.get(key), entry.getValue()));
            }
        }
        return result;
    }

    /**
     * Parses a label selector: comma-separated requirements {@code k=v}, {@code k==v}, {@code k!=v},
     * {@code k in (a,b)}, {@code k notin (a,b)}, {@code k} and {@code !k}.
     */
    static Predicate<Map<String, Object>> labelSelector(String selector) throws KubeStatus {
        Predicate<Map<String, Object>> all = object -> true;
        for (String requirement : splitTopLevel(selector)) {
            Predicate<Map<String, String>> one = labelRequirement(requirement.trim(), selector);
            all = all.and(object -> one.test(labels(object)));
        }
        return all;
    }

    private static Predicate<Map<String, String>> labelRequirement(String text, String selector) throws KubeStatus {
        java.util.regex.Matcher set = java.util.regex.Pattern.compile("^(\\S+)\\s+(in|notin)\\s*\\((.*)\\)$").matcher(text);
        if (set.matches()) {
            String key = set.group(1);
            Set<String> values = Set.copyOf(List.of(set.group(3).split("\\s*,\\s*")).stream().map(String::trim).toList());
            boolean in = set.group(2).equals("in");
            return labels -> in ? values.contains(labels.get(key)) : !values.contains(labels.get(key));
        }
        String[] operators = {"!=", "==", "="};
        for (String operator : operators) {
            int at = text.indexOf(operator);
            if (at > 0) {
                String key = text.substring(0, at).trim();
                String value = text.substring(at + operator.length()).trim();
                boolean equal = !operator.equals("!=");
                return labels -> equal == Objects.equals(labels.get(key), value);
            }
        }
        if (text.startsWith("!") && text.length() > 1) {
            String key = text.substring(1).trim();
            return labels -> !labels.containsKey(key);
        }
        if (text.matches("[A-Za-z0-9./_-]+")) {
            return labels -> labels.containsKey(text);
        }
        throw KubeStatus.badRequest("unable to parse requirement \"" + text + "\" of the label selector \"" + selector + "\"");
    }

    /**
     * Parses a field selector on metadata.name and metadata.namespace, the fields every resource
     * supports: comma-separated {@code field=value}, {@code field==value} or {@code field!=value}.
     */
    static Predicate<Map<String, Object>> fieldSelector(String selector) throws KubeStatus {
        Predicate<Map<String, Object>> all = object -> true;
        for (String requirement : splitTopLevel(selector)) {
            String text = requirement.trim();
            boolean negated = text.contains("!=");
            String[] parts = text.split(negated ? "!=" : "==?", 2);
            if (parts.length != 2) {
                throw KubeStatus.badRequest("invalid field selector \"" + selector + "\": expected field=value");
            }
            String field = parts[0].trim();
            String value = parts[1].trim();
            if (!field.equals("metadata.name") && !field.equals("metadata.namespace")) {
                throw KubeStatus.badRequest("field label not supported: " + field);
            }
            String key = field.substring("metadata.".length());
            all = all.and(object -> negated != Objects.equals(String.valueOf(metadata(object).get(key)), value));
        }
        return all;
    }

    /** Splits on commas that are not inside parentheses. */
    private static List<String> splitTopLevel(String text) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (c == ',' && depth == 0) {
                parts.add(text.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(text.substring(start));
        parts.removeIf(String::isBlank);
        return parts;
    }
}

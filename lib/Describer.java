package lib;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The readable view of `describe`. It starts with name, namespace, labels and annotations, then
 * shows kind, the rest of metadata, spec and status as indented "Field Name: value" blocks.
 * Status conditions follow as a table (type, status, reason, message, last transition), then the
 * events the server keeps about the object.
 */
public final class Describer {

    private static final int LABEL_WIDTH = 14;

    private Describer() {
    }

    public static String describe(Map<String, Object> object, List<Map<String, Object>> events) {
        StringBuilder out = new StringBuilder();
        Map<String, Object> metadata = Json.obj(object, "metadata");
        metadata = metadata == null ? Map.of() : metadata;
        field(out, "Name:", String.valueOf(metadata.get("name")));
        if (metadata.get("namespace") != null) {
            field(out, "Namespace:", String.valueOf(metadata.get("namespace")));
        }
        pairs(out, "Labels:", Json.obj(metadata, "labels"));
        pairs(out, "Annotations:", Json.obj(metadata, "annotations"));
        field(out, "API Version:", String.valueOf(object.get("apiVersion")));
        field(out, "Kind:", String.valueOf(object.get("kind")));
        Map<String, Object> rest = new LinkedHashMap<>(metadata);
        for (String shown : List.of("name", "namespace", "labels", "annotations", "managedFields")) {
            rest.remove(shown);
        }
        block(out, "Metadata", rest);
        for (Map.Entry<String, Object> entry : object.entrySet()) {
            String key = entry.getKey();
            if (key.equals("apiVersion") || key.equals("kind") || key.equals("metadata") || key.equals("status")) {
                continue;
            }
            block(out, title(key), entry.getValue());
        }
        status(out, Json.obj(object, "status"));
        events(out, events);
        return out.toString();
    }

    private static void field(StringBuilder out, String label, String value) {
        out.append(label).append(" ".repeat(Math.max(1, LABEL_WIDTH - label.length()))).append(value).append('\n');
    }

    /** Prints key=value pairs sorted by key, the first beside the label and the rest under it. */
    private static void pairs(StringBuilder out, String label, Map<String, Object> values) {
        if (values == null || values.isEmpty()) {
            field(out, label, "<none>");
            return;
        }
        boolean first = true;
        for (Map.Entry<String, Object> entry : new TreeMap<>(values).entrySet()) {
            String pair = entry.getKey() + "=" + entry.getValue();
            if (first) {
                field(out, label, pair);
                first = false;
            } else {
                out.append(" ".repeat(LABEL_WIDTH)).append(pair).append('\n');
            }
        }
    }

    private static void block(StringBuilder out, String label, Object value) {
        if (value instanceof Map<?, ?> map && map.isEmpty() || value == null) {
            return;
        }
        if (!(value instanceof Map) && !(value instanceof List)) {
            out.append(label).append(":  ").append(JsonPath.format(value)).append('\n');
            return;
        }
        out.append(label).append(":\n");
        nested(out, value, "  ");
    }

    @SuppressWarnings("unchecked")
    private static void nested(StringBuilder out, Object value, String indent) {
        if (value instanceof Map<?, ?> map) {
            int width = map.keySet().stream().mapToInt(key -> title(String.valueOf(key)).length()).max().orElse(0) + 3;
            for (Map.Entry<String, Object> entry : ((Map<String, Object>) map).entrySet()) {
                String label = title(entry.getKey()) + ":";
                Object item = entry.getValue();
                if (item instanceof Map || item instanceof List<?> list && list.stream().anyMatch(Map.class::isInstance)) {
                    out.append(indent).append(label).append('\n');
                    nested(out, item, indent + "  ");
                } else {
                    out.append(indent).append(label).append(" ".repeat(width - label.length())).append(scalar(item)).append('\n');
                }
            }
        } else if (value instanceof List<?> list) {
            for (Object item : list) {
                if (item instanceof Map) {
                    StringBuilder inner = new StringBuilder();
                    nested(inner, item, indent + "  ");
                    out.append(indent).append("- ").append(inner.substring(Math.min(inner.length(), indent.length() + 2)));
                } else {
                    out.append(indent).append("- ").append(scalar(item)).append('\n');
                }
            }
        }
    }

    private static String scalar(Object value) {
        if (value instanceof List<?> list) {
            return String.join(", ", list.stream().map(JsonPath::format).toList());
        }
        return value == null ? "<nil>" : JsonPath.format(value);
    }

    private static void status(StringBuilder out, Map<String, Object> status) {
        if (status == null || status.isEmpty()) {
            return;
        }
        Map<String, Object> rest = new LinkedHashMap<>(status);
        Object conditions = rest.remove("conditions");
        block(out, "Status", rest);
        if (rest.isEmpty()) {
            out.append("Status:\n");
        }
        List<Map<String, Object>> rows = ResourcePrinter.maps(conditions);
        if (rows.isEmpty()) {
            return;
        }
        out.append("  Conditions:\n");
        TabWriter table = new TabWriter().add("Type", "Status", "Reason", "Message", "Last Transition");
        for (Map<String, Object> condition : rows) {
            table.add(text(condition, "type"), text(condition, "status"), text(condition, "reason"),
                text(condition, "message"), text(condition, "lastTransitionTime"));
        }
        table.lines().forEach(line -> out.append("    ").append(line.stripTrailing()).append('\n'));
    }

    private static void events(StringBuilder out, List<Map<String, Object>> events) {
        if (events == null || events.isEmpty()) {
            out.append("Events:       <none>\n");
            return;
        }
        out.append("Events:\n");
        TabWriter table = new TabWriter().add("Type", "Reason", "Age", "From", "Message");
        for (Map<String, Object> event : events) {
            Map<String, Object> source = Json.obj(event, "source");
            String when = Json.str(event, "lastTimestamp") != null ? Json.str(event, "lastTimestamp") : Json.str(event, "eventTime");
            table.add(text(event, "type"), text(event, "reason"), ResourcePrinter.age(when, Instant.now()),
                source == null ? "" : text(source, "component"), text(event, "message"));
        }
        table.lines().forEach(line -> out.append("  ").append(line.stripTrailing()).append('\n'));
    }

    private static String text(Map<String, Object> map, String key) {
        Object value = map.get(key);
        return value == null ? "" : JsonPath.format(value);
    }

    /** Turns a field name into words as kubectl describe does: dnsZoneClassName becomes "Dns Zone Class Name". */
    static String title(String key) {
        if (key.equals("uid")) {
            return "UID";
        }
        StringBuilder words = new StringBuilder();
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            boolean boundary = i > 0 && Character.isUpperCase(c)
                && (Character.isLowerCase(key.charAt(i - 1)) || i + 1 < key.length() && Character.isLowerCase(key.charAt(i + 1)));
            if (boundary) {
                words.append(' ');
            }
            words.append(i == 0 ? Character.toUpperCase(c) : c);
        }
        return words.toString();
    }
}

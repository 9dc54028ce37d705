package lib;

import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Representer;
import org.yaml.snakeyaml.resolver.Resolver;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Prints API objects as kubectl's -o json and -o yaml do. JSON: fields in the server's order,
 * indented by four spaces, with {@code <}, {@code >} and {@code &} escaped as Go's encoder does.
 * YAML: keys sorted the way go-yaml sorts them, and strings that would read as another type in
 * double quotes.
 */
public final class ObjectPrinter {

    private ObjectPrinter() {
    }

    public static String json(Object value) {
        StringBuilder out = new StringBuilder();
        writeJson(out, value, "");
        return out.append('\n').toString();
    }

    private static void writeJson(StringBuilder out, Object value, String indent) {
        String inner = indent + "    ";
        if (value instanceof Map<?, ?> map && !map.isEmpty()) {
            out.append("{\n");
            int i = 0;
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                out.append(inner);
                quote(out, String.valueOf(entry.getKey()));
                out.append(": ");
                writeJson(out, entry.getValue(), inner);
                out.append(++i < map.size() ? ",\n" : "\n");
            }
            out.append(indent).append('}');
        } else if (value instanceof List<?> list && !list.isEmpty()) {
            out.append("[\n");
            for (int i = 0; i < list.size(); i++) {
                out.append(inner);
                writeJson(out, list.get(i), inner);
                out.append(i + 1 < list.size() ? ",\n" : "\n");
            }
            out.append(indent).append(']');
        } else if (value instanceof Map) {
            out.append("{}");
        } else if (value instanceof List) {
            out.append("[]");
        } else if (value instanceof String text) {
            quote(out, text);
        } else if (value instanceof Double number && number == Math.rint(number) && !number.isInfinite()) {
            out.append(number.longValue());
        } else {
            out.append(value);
        }
    }

    private static void quote(StringBuilder out, String text) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == '\u2028' || c == '\u2029') {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    public static String yaml(Object value) {
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        options.setIndent(2);
        options.setIndicatorIndent(0);
        options.setWidth(80);
        return new Yaml(new QuotingRepresenter(options), options).dump(sortedKeys(value));
    }

    /** Copies value with every map's keys in go-yaml's order. */
    private static Object sortedKeys(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> sorted = new TreeMap<>(ObjectPrinter::compareKeys);
            map.forEach((key, item) -> sorted.put(String.valueOf(key), sortedKeys(item)));
            return sorted;
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>();
            list.forEach(item -> copy.add(sortedKeys(item)));
            return copy;
        }
        return value;
    }

    /** go-yaml's key order: letters before other characters, runs of digits by value, else by code point. */
    static int compareKeys(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            char x = a.charAt(i);
            char y = b.charAt(j);
            if (Character.isDigit(x) && Character.isDigit(y)) {
                int endA = digitsEnd(a, i);
                int endB = digitsEnd(b, j);
                int byValue = new java.math.BigInteger(a.substring(i, endA)).compareTo(new java.math.BigInteger(b.substring(j, endB)));
                if (byValue != 0) {
                    return byValue;
                }
                i = endA;
                j = endB;
                continue;
            }
            if (x != y) {
                boolean letterX = Character.isLetter(x);
                if (letterX != Character.isLetter(y)) {
                    return letterX ? -1 : 1;
                }
                return Character.compare(x, y);
            }
            i++;
            j++;
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    private static int digitsEnd(String text, int start) {
        int end = start;
        while (end < text.length() && Character.isDigit(text.charAt(end))) {
            end++;
        }
        return end;
    }

    /** Double-quotes a string that a YAML reader would take for a number, boolean or null, as go-yaml does. */
    private static final class QuotingRepresenter extends Representer {

        private final Resolver resolver = new Resolver();

        QuotingRepresenter(DumperOptions options) {
            super(options);
        }

        @Override
        protected Node representScalar(Tag tag, String value, DumperOptions.ScalarStyle style) {
            if (Tag.STR.equals(tag) && style == DumperOptions.ScalarStyle.PLAIN
                    && !Tag.STR.equals(resolver.resolve(org.yaml.snakeyaml.nodes.NodeId.scalar, value, true))) {
                return super.representScalar(tag, value, DumperOptions.ScalarStyle.DOUBLE_QUOTED);
            }
            return super.representScalar(tag, value, style);
        }
    }
}

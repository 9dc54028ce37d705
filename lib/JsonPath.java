package lib;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The part of kubectl's JSONPath templates that users reach for: text with {@code {expressions}},
 * where an expression is a path of {@code .field} (a dot inside a key escaped as {@code \.}),
 * {@code ['key']}, {@code [index]} (negative counts from the end) and {@code [*]}, optionally
 * starting with {@code $} or {@code @}; {@code {range PATH}...{end}} repeats its body per result;
 * {@code {"text"}} prints a string with {@code \n}, {@code \t} and {@code \"} escapes. Missing
 * fields print nothing, as kubectl's --allow-missing-template-keys=true default does, several
 * results are joined by spaces, and maps and lists print as compact JSON.
 *
 * NOTE: filters ({@code [?(...)]}), slices ({@code [a:b]}) and recursive descent ({@code ..})
 * are rejected as unsupported rather than guessed at.
 */
public final class JsonPath {

    private sealed interface Node permits Text, Expression, Range {
    }

    private record Text(String text) implements Node {
    }

    private record Expression(List<Object> path) implements Node {
    }

    private record Range(List<Object> path, List<Node> body) implements Node {
    }

    /** Marks {@code [*]} in a parsed path. */
    private static final Object WILDCARD = new Object();

    private final List<Node> nodes;

    private JsonPath(List<Node> nodes) {
        this.nodes = nodes;
    }

    /** Parses a template; an invalid one is a usage error that quotes it. */
    public static JsonPath parse(String template) {
        List<Node> nodes = new ArrayList<>();
        int end = parseNodes(template, 0, nodes, false);
        if (end != template.length()) {
            throw invalid(template, "{end} without {range}");
        }
        return new JsonPath(nodes);
    }

    /** Parses nodes from index until the end of the template, or until {end} when inRange. Returns the index after. */
    private static int parseNodes(String template, int index, List<Node> nodes, boolean inRange) {
        int i = index;
        while (i < template.length()) {
            int open = template.indexOf('{', i);
            if (open < 0) {
                nodes.add(new Text(template.substring(i)));
                return template.length();
            }
            if (open > i) {
                nodes.add(new Text(template.substring(i, open)));
            }
            int close = closingBrace(template, open);
            String inside = template.substring(open + 1, close).trim();
            i = close + 1;
            if (inside.equals("end")) {
                // Outside a range, returning the brace's index makes parse() report the stray {end}.
                return inRange ? i : open;
            }
            if (inside.matches("range[\\s.$@\\[].*")) {
                List<Node> body = new ArrayList<>();
                int after = parseNodes(template, i, body, true);
                nodes.add(new Range(parsePath(inside.substring(5).trim(), template), body));
                i = after;
            } else if (inside.startsWith("\"")) {
                nodes.add(new Text(unquote(inside, template)));
            } else {
                nodes.add(new Expression(parsePath(inside, template)));
            }
        }
        if (inRange) {
            throw invalid(template, "{range} without {end}");
        }
        return i;
    }

    private static int closingBrace(String template, int open) {
        boolean quoted = false;
        for (int i = open + 1; i < template.length(); i++) {
            char c = template.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (c == '}' && !quoted) {
                return i;
            }
        }
        throw invalid(template, "unclosed {");
    }

    private static String unquote(String literal, String template) {
        if (literal.length() < 2 || !literal.endsWith("\"")) {
            throw invalid(template, "unterminated string " + literal);
        }
        StringBuilder text = new StringBuilder();
        for (int i = 1; i < literal.length() - 1; i++) {
            char c = literal.charAt(i);
            if (c == '\\' && i + 1 < literal.length() - 1) {
                char next = literal.charAt(++i);
                text.append(unescape(next));
            } else {
                text.append(c);
            }
        }
        return text.toString();
    }

    /** Splits a path into field names (String), indexes (Integer) and {@link #WILDCARD}. */
    private static List<Object> parsePath(String text, String template) {
        List<Object> path = new ArrayList<>();
        int i = text.startsWith("$") || text.startsWith("@") ? 1 : 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '.') {
                if (i + 1 < text.length() && text.charAt(i + 1) == '.') {
                    throw invalid(template, "recursive descent (..) is not supported");
                }
                StringBuilder field = new StringBuilder();
                i++;
                while (i < text.length() && text.charAt(i) != '.' && text.charAt(i) != '[') {
                    if (text.charAt(i) == '\\' && i + 1 < text.length()) {
                        i++;
                    }
                    field.append(text.charAt(i++));
                }
                if (!field.isEmpty()) {
                    path.add(field.toString());
                }
            } else if (c == '[') {
                int close = text.indexOf(']', i);
                if (close < 0) {
                    throw invalid(template, "unclosed [ in " + text);
                }
                path.add(subscript(text.substring(i + 1, close).trim(), template));
                i = close + 1;
            } else {
                throw invalid(template, "unexpected '" + c + "' in " + text);
            }
        }
        return path;
    }

    private static Object subscript(String inside, String template) {
        if (inside.equals("*")) {
            return WILDCARD;
        }
        if (inside.length() >= 2 && (inside.startsWith("'") && inside.endsWith("'") || inside.startsWith("\"") && inside.endsWith("\""))) {
            return inside.substring(1, inside.length() - 1);
        }
        try {
            return Integer.parseInt(inside);
        } catch (NumberFormatException e) {
            throw invalid(template, "[" + inside + "] is not supported; use [index], [*] or ['key']");
        }
    }

    private static UserError invalid(String template, String problem) {
        return UserError.usage("invalid jsonpath template '" + template + "': " + problem,
            "Write fields as {.metadata.name}, lists as {.items[*].metadata.name}, and loops as {range .items[*]}...{end}.");
    }

    /** Renders the template against value. */
    public String render(Object value) {
        StringBuilder out = new StringBuilder();
        render(nodes, value, out);
        return out.toString();
    }

    private static void render(List<Node> nodes, Object current, StringBuilder out) {
        for (Node node : nodes) {
            if (node instanceof Text text) {
                out.append(text.text());
            } else if (node instanceof Expression expression) {
                List<String> printed = new ArrayList<>();
                for (Object result : evaluate(expression.path(), current)) {
                    printed.add(format(result));
                }
                out.append(String.join(" ", printed));
            } else if (node instanceof Range range) {
                for (Object item : evaluate(range.path(), current)) {
                    render(range.body(), item, out);
                }
            }
        }
    }

    /** Returns every value the path reaches from root; a path through a list without [*] or [i] reaches nothing. */
    public static List<Object> evaluate(List<Object> path, Object root) {
        List<Object> current = new ArrayList<>();
        current.add(root);
        for (Object step : path) {
            List<Object> next = new ArrayList<>();
            for (Object value : current) {
                step(step, value, next);
            }
            current = next;
        }
        return current;
    }

    /** Evaluates a single path expression such as {@code .spec.domainName} against value. */
    public static List<Object> select(String expression, Object value) {
        String inner = expression.strip();
        if (inner.startsWith("{") && inner.endsWith("}")) {
            inner = inner.substring(1, inner.length() - 1).trim();
        }
        return evaluate(parsePath(inner, expression), value);
    }

    private static void step(Object step, Object value, List<Object> next) {
        if (step == WILDCARD) {
            if (value instanceof List<?> list) {
                next.addAll(list);
            } else if (value instanceof Map<?, ?> map) {
                next.addAll(map.values());
            }
        } else if (step instanceof Integer index && value instanceof List<?> list) {
            int at = index < 0 ? list.size() + index : index;
            if (at >= 0 && at < list.size()) {
                next.add(list.get(at));
            }
        } else if (step instanceof String field && value instanceof Map<?, ?> map && map.containsKey(field)) {
            next.add(map.get(field));
        }
    }

    /** Prints a value as kubectl's JSONPath does: strings bare, numbers plainly, maps and lists as compact JSON. */
    public static String format(Object value) {
        if (value == null) {
            return "";
        }
        if (value instanceof String text) {
            return text;
        }
        if (value instanceof Double number && number == Math.rint(number) && !number.isInfinite()) {
            return Long.toString(number.longValue());
        }
        if (value instanceof Map || value instanceof List) {
            return Json.write(value);
        }
        return value.toString();
    }

    /** Returns the character a backslash escape in a literal stands for; unknown escapes stay as typed. */
    private static char unescape(char escaped) {
        switch (escaped) {
            case 'n':
                return '\n';
            case 't':
                return '\t';
            case 'r':
                return '\r';
            default:
                return escaped;
        }
    }
}

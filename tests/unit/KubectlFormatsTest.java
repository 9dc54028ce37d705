package unit;

import lib.AccessRules;
import lib.ObjectPrinter;
import lib.TabWriter;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The table, rule-list, JSON and YAML formats that must match kubectl's output. */
class KubectlFormatsTest {

    @Test
    void tabWriterPadsLikeGoTabwriter() {
        List<String> lines = new TabWriter().add("NAME", "KIND", "VERBS", "").add("dz", "DNSZone", "get", "").lines();

        assertEquals(List.of("NAME   KIND      VERBS   ", "dz     DNSZone   get     "), lines);
    }

    /** The rows `get -w` prints one event at a time, against the widths of the list before them. */
    @Test
    void rememberedWidthsAlignLaterRows() {
        TabWriter table = new TabWriter().rememberWidths();
        StringWriter text = new StringWriter();
        PrintWriter out = new PrintWriter(text);

        table.add("NAMESPACE", "NAME", "AGE").add("default", "z", "1s").print(out);
        table.add("default", "z", "4s").print(out);
        table.add("default", "a-much-longer-name", "0s").print(out);
        table.add("default", "z", "9s").print(out);

        assertEquals("NAMESPACE   NAME   AGE\n"
            + "default     z      1s\n"
            + "default     z      4s\n"
            + "default     a-much-longer-name   0s\n"
            + "default     z                    9s\n", text.toString().replace(System.lineSeparator(), "\n"));
    }

    @Test
    void rulesAreBrokenDownMergedAndSortedLikeKubectl() {
        Map<String, Object> status = Map.of(
            "resourceRules", List.of(
                Map.of("verbs", List.of("get", "list"), "apiGroups", List.of("networking.datumapis.com"),
                    "resources", List.of("domains", "httpproxies/status")),
                Map.of("verbs", List.of("delete"), "apiGroups", List.of("networking.datumapis.com"),
                    "resources", List.of("domains"), "resourceNames", List.of("a", "b")),
                Map.of("verbs", List.of("watch"), "apiGroups", List.of(""), "resources", List.of("secrets"))),
            "nonResourceRules", List.of(Map.of("verbs", List.of("get", "head"), "nonResourceURLs", List.of("/version"))));

        List<String> rows = AccessRules.rows(status).stream().map(row -> String.join("|", row)).toList();

        assertEquals(List.of(
            "domains.networking.datumapis.com|[]|[a]|[delete]",
            "domains.networking.datumapis.com|[]|[b]|[delete]",
            "domains.networking.datumapis.com|[]|[]|[get list]",
            "httpproxies.networking.datumapis.com/status|[]|[]|[get list]",
            "|[/version]|[]|[get]",
            "|[/version]|[]|[head]",
            "secrets|[]|[]|[watch]"), rows);
    }

    @Test
    void jsonIsIndentedAndEscapedLikeGo() {
        Map<String, Object> object = new LinkedHashMap<>();
        object.put("kind", "X");
        object.put("items", List.of());
        object.put("meta", Map.of("note", "a<b & \"c\""));
        object.put("count", 2L);

        assertEquals("{\n    \"kind\": \"X\",\n    \"items\": [],\n    \"meta\": {\n        \"note\": \"a\\u003cb \\u0026 \\\"c\\\"\"\n"
            + "    },\n    \"count\": 2\n}\n", ObjectPrinter.json(object));
    }

    @Test
    void yamlSortsKeysAndQuotesAmbiguousStrings() {
        Map<String, Object> object = new LinkedHashMap<>();
        object.put("uid", "310000000000000001");
        object.put("groups", List.of("system:authenticated"));
        object.put("enabled", "true");
        object.put("empty", "");
        object.put("item10", 1L);
        object.put("item9", 2L);

        assertEquals("empty: \"\"\nenabled: \"true\"\ngroups:\n- system:authenticated\nitem9: 2\nitem10: 1\n"
            + "uid: \"310000000000000001\"\n", ObjectPrinter.yaml(object));
    }
}

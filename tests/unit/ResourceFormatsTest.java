package unit;

import lib.JsonPath;
import lib.Json;
import lib.Manifests;
import lib.ResourcePrinter;
import lib.UserError;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** JSONPath templates, custom columns, ages and manifest splitting, checked against kubectl's output rules. */
class ResourceFormatsTest {

    static final Object LIST = Json.parse("{\"kind\":\"List\",\"items\":[{\"metadata\":{\"name\":\"a\",\"labels\":{\"app\":\"web\"}},"
        + "\"spec\":{\"ports\":[80,443]}},{\"metadata\":{\"name\":\"b\"},\"spec\":{\"ports\":[8080]}}]}");

    @Test
    void jsonPathFieldsIndexesAndWildcards() {
        assertEquals("a b", JsonPath.parse("{.items[*].metadata.name}").render(LIST));
        assertEquals("b", JsonPath.parse("{.items[-1].metadata.name}").render(LIST));
        assertEquals("443", JsonPath.parse("{$.items[0].spec.ports[1]}").render(LIST));
        assertEquals("{\"app\":\"web\"}", JsonPath.parse("{.items[0].metadata.labels}").render(LIST));
        assertEquals("web", JsonPath.parse("{.items[0].metadata.labels['app']}").render(LIST));
        assertEquals("name=", JsonPath.parse("name={.items[5].metadata.name}{.missing}").render(LIST));
    }

    @Test
    void jsonPathRangeAndLiterals() {
        assertEquals("a\t80 443\nb\t8080\n",
            JsonPath.parse("{range .items[*]}{.metadata.name}{\"\\t\"}{.spec.ports[*]}{\"\\n\"}{end}").render(LIST));
        assertEquals("[a][b]", JsonPath.parse("{range.items[*]}[{@.metadata.name}]{end}").render(LIST));
    }

    @Test
    void jsonPathRejectsWhatItDoesNotSupport() {
        for (String template : List.of("{.items[?(@.x==1)]}", "{..name}", "{.items[0:1]}", "{range .items[*]}", "{end}", "{.a")) {
            UserError error = assertThrows(UserError.class, () -> JsonPath.parse(template), template);
            assertEquals(UserError.USAGE, error.exitCode(), template);
        }
    }

    @Test
    void customColumnsShowNoneForMissing() {
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> items = (List<Map<String, Object>>) ((Map<String, Object>) LIST).get("items");
        List<String[]> rows = ResourcePrinter.customColumns("NAME:.metadata.name,PORTS:.spec.ports[*],APP:.metadata.labels.app",
            items, true);
        assertEquals(List.of("NAME|PORTS|APP", "a|80,443|web", "b|8080|<none>"),
            rows.stream().map(row -> String.join("|", row)).toList());
        assertThrows(UserError.class, () -> ResourcePrinter.customColumns("NAME", items, true));
    }

    @Test
    void agesRoundLikeKubectl() {
        Instant now = Instant.parse("2026-01-10T00:00:00Z");
        assertEquals("59s", ResourcePrinter.age("2026-01-09T23:59:01Z", now));
        assertEquals("2m5s", ResourcePrinter.age("2026-01-09T23:57:55Z", now));
        assertEquals("15m", ResourcePrinter.age("2026-01-09T23:45:00Z", now));
        assertEquals("3h10m", ResourcePrinter.age("2026-01-09T20:50:00Z", now));
        assertEquals("2d3h", ResourcePrinter.age("2026-01-07T21:00:00Z", now));
        assertEquals("400d", ResourcePrinter.age("2024-12-06T00:00:00Z", now));
        assertEquals("<unknown>", ResourcePrinter.age(null, now));
    }

    @Test
    void manifestsSplitAndReportBadDocuments() {
        String text = "# leading comment\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: one\n---\n"
            + "kind: [broken\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {}\n---\n"
            + "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: two\n";
        List<Manifests.Document> documents = Manifests.parse("in.yaml", text);
        assertEquals(4, documents.size());
        assertEquals("one", documents.get(0).name());
        assertEquals(1, documents.get(0).index());
        assertNull(documents.get(0).error());
        assertEquals("in.yaml document 2", documents.get(1).where());
        assertEquals(true, documents.get(1).error().startsWith("not valid YAML or JSON"));
        assertEquals("the ConfigMap has no metadata.name", documents.get(2).error());
        assertEquals("two", documents.get(3).name());
        assertEquals(4, documents.get(3).index());

        List<Manifests.Document> json = Manifests.parse("in.json", "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"j\"}}");
        assertEquals("j", json.get(0).name());
    }
}

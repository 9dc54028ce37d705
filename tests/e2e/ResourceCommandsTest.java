package e2e;

import emulator.Emulator;
import lib.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import support.Proc;
import support.Sandbox;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Drives get, describe, apply, create and delete against the emulator's project demo, checks what
 * they print and what the server stored, and compares them with real kubectl on the same input.
 * Ada owns organization acme (and so project demo); Bob is only a viewer of project demo.
 * Each test uses its own object names, so the tests share one emulator.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ResourceCommandsTest {

    static final String GROUP = "dnszone.dns.networking.miloapis.com";

    @TempDir
    static Path dir;

    Emulator adaEmulator;
    Emulator bobEmulator;
    Sandbox ada;
    Sandbox bob;

    @BeforeAll
    void logIn() throws Exception {
        adaEmulator = Emulator.start(Emulator.Options.defaults().withApproveAs("ada@example.com")
            .withDeviceIntervalSeconds(1).withTlsDir(dir.resolve("ada-tls")));
        bobEmulator = Emulator.start(Emulator.Options.defaults().withApproveAs("bob@example.com")
            .withDeviceIntervalSeconds(1).withTlsDir(dir.resolve("bob-tls")));
        ada = KubectlParityTest.loggedIn(adaEmulator, dir.resolve("ada"), "--project", "demo");
        bob = KubectlParityTest.loggedIn(bobEmulator, dir.resolve("bob"), "--project", "demo");
    }

    @AfterAll
    void stop() {
        for (Emulator emulator : new Emulator[] {adaEmulator, bobEmulator}) {
            if (emulator != null) {
                emulator.close();
            }
        }
    }

    static String zone(String name, String domain, String labels) {
        return "apiVersion: dns.networking.miloapis.com/v1alpha1\nkind: DNSZone\nmetadata:\n  name: " + name + "\n"
            + (labels == null ? "" : "  labels:\n    " + labels + "\n")
            + "spec:\n  domainName: " + domain + "\n  dnsZoneClassName: datum-external-global-dns\n";
    }

    Path write(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, text);
        return file;
    }

    static Proc.Result ok(Proc.Result result) {
        assertEquals(0, result.exitCode(), result.describe());
        return result;
    }

    /** Replaces the last column of every table line (AGE), which ticks between two runs. */
    static String withoutAge(String table) {
        List<String> lines = new ArrayList<>();
        for (String line : table.lines().toList()) {
            lines.add(line.replaceAll("\\s+(AGE|\\d+[smhdy](\\d+[smh])?)(\\s|$)", " AGE$3"));
        }
        return String.join("\n", lines);
    }

    @Test
    void getMatchesKubectl() throws IOException {
        ok(ada.datumctl("apply", "-f", write("get.yaml", zone("get-a", "a.example.com", "app: web")
            + "---\n" + zone("get-b", "b.example.com", "app: api")).toString()));
        List<List<String>> cases = List.of(
            List.of("get", "dnszones", "get-a", "get-b"),
            List.of("get", "dz", "-l", "app=web", "-o", "wide", "--show-labels"),
            List.of("get", "dnszones", "--field-selector", "metadata.name=get-b", "-A"),
            List.of("get", "dz/get-a", "dz/get-missing"),
            List.of("get", "dz,domains", "-l", "app"),
            List.of("get", "dnszones", "get-missing", "-o", "yaml"),
            List.of("get", "dnszones", "-l", "app=none", "-o", "json"),
            List.of("get", "dnszones", "get-a", "-A"),
            List.of("get", "dz,domains", "get-a"),
            List.of("get", "dz,domains", "get-a", "get-missing", "-o", "name"),
            List.of("get", "dnszones", "get-missing", "get-a", "--ignore-not-found"),
            List.of("get", "dnszones", "-l", "app=none", "-o", "json", "--ignore-not-found"));
        for (List<String> args : cases) {
            Proc.Result ours = ada.datumctl(args.toArray(String[]::new));
            Proc.Result theirs = ada.kubectl(args.toArray(String[]::new));
            String both = "\n=== datumctl ===\n" + ours.describe() + "\n=== kubectl ===\n" + theirs.describe();
            assertEquals(theirs.exitCode(), ours.exitCode(), "exit code differs" + both);
            assertEquals(withoutAge(theirs.out()), withoutAge(ours.out()), "stdout differs" + both);
        }
        Proc.Result wide = ada.datumctl("get", "dz", "-l", "app=web", "-o", "wide", "--show-labels");
        assertTrue(wide.out().startsWith("NAME    DOMAIN NAME     AGE"), wide.describe());
        assertTrue(wide.out().contains("datum-external-global-dns   app=web"), wide.describe());
        Proc.Result prefixed = ada.datumctl("get", "dz,domains", "-l", "app=api");
        assertTrue(prefixed.out().contains(GROUP + "/get-b"), prefixed.describe());

        Proc.Result ignored = ada.datumctl("get", "dnszones", "get-missing", "--ignore-not-found");
        assertEquals(0, ignored.exitCode(), ignored.describe());
        assertEquals("", ignored.out() + ignored.err(), "--ignore-not-found printed something for a missing name");
        Proc.Result emptyJson = ada.datumctl("get", "dnszones", "-l", "app=none", "-o", "json");
        assertEquals("", emptyJson.err(), "kubectl prints no 'No resources found' for -o json");
        Proc.Result acrossNamespaces = ada.datumctl("get", "dnszones", "get-a", "-A");
        assertTrue(acrossNamespaces.err().startsWith("error: a resource cannot be retrieved by name across all namespaces\n"),
            acrossNamespaces.describe());
    }

    /**
     * A plain table needs only the cells, so `get` requests a Table without row metadata.
     * Label and namespace columns read that metadata, so they keep it.
     */
    @Test
    void getRequestsRowMetadataOnlyWhenShown() throws IOException {
        ok(ada.datumctl("apply", "-f", write("cells.yaml", zone("cells-a", "cells.example.com", "app: cells")).toString()));

        Proc.Result plain = ok(ada.datumctl("get", "dnszones", "-l", "app=cells", "--verbose"));
        assertTrue(plain.err().contains("/dnszones?includeObject=None&labelSelector="), plain.describe());
        assertTrue(plain.out().contains("cells-a"), plain.describe());

        Proc.Result labels = ok(ada.datumctl("get", "dnszones", "-l", "app=cells", "--show-labels", "--verbose"));
        assertFalse(labels.err().contains("includeObject"), labels.describe());
        assertTrue(labels.out().contains("app=cells"), labels.describe());

        Proc.Result everyNamespace = ok(ada.datumctl("get", "dnszones", "-l", "app=cells", "-A", "--verbose"));
        assertFalse(everyNamespace.err().contains("includeObject"), everyNamespace.describe());
        assertTrue(everyNamespace.out().startsWith("NAMESPACE "), everyNamespace.describe());
        assertTrue(everyNamespace.out().contains("default     cells-a"), everyNamespace.describe());
    }

    @Test
    void getFormatsMatchKubectl() throws IOException {
        ok(ada.datumctl("apply", "-f", write("formats.yaml", zone("fmt-a", "fmt.example.com", "app: fmt")).toString()));
        List<List<String>> cases = List.of(
            List.of("get", "dz", "fmt-a", "-o", "json"),
            List.of("get", "dz", "-l", "app=fmt", "-o", "yaml"),
            List.of("get", "dz", "-l", "app=fmt", "-o", "name"),
            List.of("get", "dz", "-l", "app=fmt", "-o", "jsonpath={range .items[*]}{.metadata.name}{\"\\t\"}{.spec.domainName}{\"\\n\"}{end}"),
            List.of("get", "dz", "fmt-a", "-o", "jsonpath={.metadata.labels}{.spec['domainName']} {.missing}"),
            List.of("get", "dz", "-l", "app=fmt", "-o", "custom-columns=NAME:.metadata.name,DOMAIN:.spec.domainName,NONE:.spec.none"));
        for (List<String> args : cases) {
            KubectlParityTest.assertSame(ada, args.toArray(String[]::new));
        }
        Proc.Result name = ada.datumctl("get", "dz", "-l", "app=fmt", "-o", "name");
        assertEquals(GROUP + "/fmt-a\n", name.out());
    }

    @Test
    void applyAgreesWithKubectlServerSide() throws IOException {
        Path ours = write("ssa-ours.yaml", zone("ssa-ours", "ssa.example.com", "app: ssa"));
        Path theirs = write("ssa-theirs.yaml", zone("ssa-theirs", "ssa.example.com", "app: ssa"));
        assertEquals(GROUP + "/ssa-ours created\n", ok(ada.datumctl("apply", "-f", ours.toString())).out());
        ok(ada.kubectl("apply", "--server-side", "-f", theirs.toString()));

        Map<String, Object> mine = stored(ada, "ssa-ours");
        Map<String, Object> kubectls = stored(ada, "ssa-theirs");
        assertEquals(kubectls.get("spec"), mine.get("spec"));
        assertEquals(Json.obj(kubectls, "metadata").get("labels"), Json.obj(mine, "metadata").get("labels"));
        assertEquals("datumctl", manager(mine));
        assertEquals("kubectl", manager(kubectls));
        assertEquals(managedFields(kubectls), managedFields(mine));

        assertEquals(GROUP + "/ssa-ours unchanged\n", ok(ada.datumctl("apply", "-f", ours.toString())).out());
        Files.writeString(ours, zone("ssa-ours", "changed.example.com", "app: ssa"));
        assertEquals(GROUP + "/ssa-ours configured\n", ok(ada.datumctl("apply", "-f", ours.toString())).out());
        Map<String, Object> changed = stored(ada, "ssa-ours");
        assertEquals("changed.example.com", Json.obj(changed, "spec").get("domainName"));
        assertEquals(2L, ((Number) Json.obj(changed, "metadata").get("generation")).longValue());
    }

    static Map<String, Object> stored(Sandbox sandbox, String name) {
        return Json.parseObject(ok(sandbox.kubectl("get", "dz", name, "-o", "json", "--show-managed-fields")).out());
    }

    @SuppressWarnings("unchecked")
    static String manager(Map<String, Object> object) {
        List<Object> entries = (List<Object>) Json.obj(object, "metadata").get("managedFields");
        assertEquals(1, entries.size(), Json.write(entries));
        return (String) ((Map<String, Object>) entries.get(0)).get("manager");
    }

    @SuppressWarnings("unchecked")
    static Object managedFields(Map<String, Object> object) {
        List<Object> entries = (List<Object>) Json.obj(object, "metadata").get("managedFields");
        return ((Map<String, Object>) entries.get(0)).get("fieldsV1");
    }

    @Test
    void emulatorUpdatesAndPatches() throws IOException {
        ok(ada.datumctl("apply", "-f", write("rv.yaml", zone("rv", "rv.example.com", null)).toString()));
        Map<String, Object> created = stored(ada, "rv");
        Path snapshot = dir.resolve("rv-snapshot.json");
        Files.writeString(snapshot, ok(ada.kubectl("get", "dz", "rv", "-o", "json")).out());

        ok(ada.kubectl("patch", "dz", "rv", "--type=merge", "-p", "{\"spec\":{\"domainName\":\"patched.example.com\"}}"));
        Map<String, Object> patched = stored(ada, "rv");
        assertEquals("patched.example.com", Json.obj(patched, "spec").get("domainName"));
        assertEquals(2L, ((Number) Json.obj(patched, "metadata").get("generation")).longValue());
        assertEquals(Json.obj(created, "metadata").get("uid"), Json.obj(patched, "metadata").get("uid"));
        assertEquals(Json.obj(created, "metadata").get("creationTimestamp"), Json.obj(patched, "metadata").get("creationTimestamp"));
        assertNotEquals(Json.obj(created, "metadata").get("resourceVersion"), Json.obj(patched, "metadata").get("resourceVersion"));

        Proc.Result stale = ada.kubectl("replace", "-f", snapshot.toString());
        assertEquals(1, stale.exitCode(), stale.describe());
        assertTrue(stale.err().contains("the object has been modified"), stale.describe());

        ok(ada.kubectl("label", "dz", "rv", "tier=gold"));
        assertEquals(Map.of("tier", "gold"), Json.obj(stored(ada, "rv"), "metadata").get("labels"));
        Proc.Result exists = ada.kubectl("create", "-f", write("rv-again.yaml", zone("rv", "x.example.com", null)).toString());
        assertTrue(exists.err().contains("AlreadyExists"), exists.describe());
    }

    @Test
    void applyConflictNeedsForce() throws IOException {
        ok(ada.kubectl("apply", "--server-side", "-f", write("conflict-kubectl.yaml",
            zone("conflict", "one.example.com", null)).toString()));
        Path changed = write("conflict-datumctl.yaml", zone("conflict", "two.example.com", null));

        Proc.Result refused = ada.datumctl("apply", "-f", changed.toString());
        assertEquals(1, refused.exitCode(), refused.describe());
        assertTrue(refused.err().contains("conflict with \"kubectl\""), refused.describe());
        assertTrue(refused.err().contains(".spec.domainName"), refused.describe());
        assertTrue(refused.err().contains("--force-conflicts"), refused.describe());
        assertEquals("one.example.com", Json.obj(stored(ada, "conflict"), "spec").get("domainName"));

        Proc.Result forced = ok(ada.datumctl("apply", "-f", changed.toString(), "--force-conflicts"));
        assertEquals(GROUP + "/conflict configured\n", forced.out());
        assertEquals("two.example.com", Json.obj(stored(ada, "conflict"), "spec").get("domainName"));
    }

    @Test
    void applyTenDocumentsWithOneInvalid() throws IOException {
        List<String> documents = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
            documents.add(i == 7 ? zone("Bad_Name", "bad.example.com", "batch: ten")
                : zone("ten-" + i, "t" + i + ".example.com", "batch: ten"));
        }
        Path file = write("ten.yaml", String.join("---\n", documents));

        Proc.Result result = ada.datumctl("apply", "-f", file.toString());
        assertEquals(1, result.exitCode(), result.describe());
        assertEquals(9, result.out().lines().filter(line -> line.endsWith(" created")).count(), result.describe());
        assertTrue(result.err().contains(file + " document 7"), result.describe());
        assertTrue(result.err().contains("Bad_Name"), result.describe());
        Proc.Result names = ok(ada.kubectl("get", "dz", "-l", "batch=ten", "-o", "name"));
        assertEquals(9, names.out().lines().count(), names.describe());
        assertFalse(names.out().contains("ten-7"), names.describe());

        Path broken = write("broken.yaml", zone("yaml-ok", "ok.example.com", null) + "---\nkind: [unclosed\n");
        Proc.Result partly = ada.datumctl("apply", "-f", broken.toString());
        assertEquals(1, partly.exitCode(), partly.describe());
        assertEquals(GROUP + "/yaml-ok created\n", partly.out());
        assertTrue(partly.err().contains(broken + " document 2: not valid YAML"), partly.describe());
    }

    @Test
    void createAndDeleteMatchKubectl() throws IOException {
        Path file = write("create.yaml", zone("made", "made.example.com", null));
        assertEquals(GROUP + "/made created\n", ok(ada.datumctl("create", "-f", file.toString())).out());
        Proc.Result again = ada.datumctl("create", "-f", file.toString());
        Proc.Result kubectlAgain = ada.kubectl("create", "-f", file.toString());
        assertEquals(kubectlAgain.exitCode(), again.exitCode(), again.describe());
        assertEquals(kubectlAgain.err().strip(), again.err().strip());

        ok(ada.kubectl("create", "-f", write("create-k.yaml", zone("made-k", "k.example.com", null)).toString()));
        Proc.Result ours = ok(ada.datumctl("delete", "dnszone", "made"));
        Proc.Result theirs = ok(ada.kubectl("delete", "dnszone", "made-k"));
        assertEquals(theirs.out().replace("made-k", "made"), ours.out());
        assertEquals(GROUP + " \"made\" deleted\n", ours.out());
        assertEquals(1, ada.kubectl("get", "dz", "made").exitCode());

        KubectlParityTest.assertSame(ada, "delete", "dz", "never-existed");
        Proc.Result missing = ada.datumctl("delete", "dz", "never-existed");
        assertEquals("Error from server (NotFound): dnszones.dns.networking.miloapis.com \"never-existed\" not found",
            missing.err().strip());
        KubectlParityTest.assertSame(ada, "delete", "dz", "never-existed", "--ignore-not-found");
    }

    @Test
    void deleteBySelectorAndFile() throws IOException {
        Path file = write("sel.yaml", zone("sel-1", "s1.example.com", "batch: sel") + "---\n"
            + zone("sel-2", "s2.example.com", "batch: sel"));
        ok(ada.datumctl("apply", "-f", file.toString()));

        Proc.Result dryRun = ok(ada.datumctl("delete", "dz", "-l", "batch=sel", "--dry-run=server"));
        assertEquals(GROUP + " \"sel-1\" deleted (server dry run)\n" + GROUP + " \"sel-2\" deleted (server dry run)\n", dryRun.out());
        assertEquals(2, ok(ada.kubectl("get", "dz", "-l", "batch=sel", "-o", "name")).out().lines().count());

        String both = GROUP + " \"sel-1\" deleted\n" + GROUP + " \"sel-2\" deleted\n";
        assertEquals(both, ok(ada.datumctl("delete", "-f", file.toString())).out());
        assertTrue(ada.kubectl("get", "dz", "-l", "batch=sel", "-o", "name").out().isEmpty());
        Proc.Result again = ada.datumctl("delete", "-f", file.toString());
        assertEquals(1, again.exitCode(), again.describe());
        assertTrue(again.err().contains("\"sel-1\" not found"), again.describe());

        ok(ada.datumctl("apply", "-f", file.toString()));
        assertEquals(both, ok(ada.datumctl("delete", "dz", "-l", "batch=sel,env!=prod", "--wait")).out());
        assertTrue(ada.kubectl("get", "dz", "-l", "batch=sel", "-o", "name").out().isEmpty());
        Proc.Result none = ok(ada.datumctl("delete", "dz", "-l", "batch=sel"));
        assertEquals("No resources found", none.err().strip());
    }

    @Test
    void viewerIsForbiddenWithScope() throws IOException {
        Path file = write("bob.yaml", zone("bobs", "bob.example.com", null));
        Proc.Result apply = bob.datumctl("apply", "-f", file.toString(), "--project", "demo");
        assertEquals(1, apply.exitCode(), apply.describe());
        assertTrue(apply.err().contains("you may not patch dnszones.dns.networking.miloapis.com \"bobs\""), apply.describe());
        assertTrue(apply.err().contains("project demo"), apply.describe());

        Proc.Result delete = bob.datumctl("delete", "dz", "anything", "--project", "demo");
        assertEquals(1, delete.exitCode(), delete.describe());
        assertTrue(delete.err().contains("you may not delete"), delete.describe());
        assertTrue(delete.err().contains("namespace default of project demo"), delete.describe());

        Proc.Result list = ok(bob.datumctl("get", "dz"));
        assertEquals(ok(bob.kubectl("get", "dz")).out().isEmpty(), list.out().isEmpty());
    }

    @Test
    void describeShowsFieldsAndConditions() throws IOException {
        ok(ada.datumctl("apply", "-f", write("describe.yaml", zone("described", "d.example.com", "app: d")).toString()));
        Proc.Result zone = ok(ada.datumctl("describe", "dnszone", "described"));
        assertTrue(zone.out().startsWith("Name:         described\nNamespace:    default\nLabels:       app=d\n"), zone.describe());
        assertTrue(zone.out().contains("Kind:         DNSZone\n"), zone.describe());
        assertTrue(zone.out().contains("  Domain Name:          d.example.com\n"), zone.describe());
        assertTrue(zone.out().contains("Events:       <none>"), zone.describe());

        Proc.Result project = ok(ada.datumctl("describe", "projects", "demo", "--organization", "acme"));
        assertTrue(project.out().contains("    Ready   True     Ready    The project is ready"), project.describe());
        Proc.Result missing = ada.datumctl("describe", "dz", "absent");
        assertEquals(1, missing.exitCode(), missing.describe());
    }

    @Test
    void getOrganizationsListsMemberships() {
        Proc.Result result = ok(ada.datumctl("get", "organizations"));
        assertEquals("NAME   DISPLAY NAME\nacme   Acme Corp\n", result.out());
    }

    @Test
    void watchPrintsChanges() throws Exception {
        ok(ada.datumctl("apply", "-f", write("watch.yaml", zone("watched", "w1.example.com", "app: watch")).toString()));
        List<String> command = ada.datumctlCommand("get", "dz", "-l", "app=watch", "-w");
        Process process = Proc.start(command, ada.env(), ada.root());
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                in.lines().forEach(lines::add);
            } catch (IOException e) {
                // The process was stopped.
            }
        });
        reader.setDaemon(true);
        reader.start();
        try {
            assertTrue(next(lines).startsWith("NAME"), "header");
            assertTrue(next(lines).startsWith("watched   w1.example.com"));
            ok(ada.datumctl("apply", "-f", write("watch.yaml", zone("watched", "w2.example.com", "app: watch")).toString()));
            assertTrue(next(lines).startsWith("watched   w2.example.com"));
            ok(ada.datumctl("delete", "dz", "watched"));
            assertTrue(next(lines).startsWith("watched   w2.example.com"));
        } finally {
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    static String next(BlockingQueue<String> lines) throws InterruptedException {
        String line = lines.poll(60, TimeUnit.SECONDS);
        assertNotEquals(null, line, "no line from datumctl get -w");
        return line;
    }
}

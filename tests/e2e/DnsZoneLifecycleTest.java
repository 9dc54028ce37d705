package e2e;

import emulator.Emulator;
import lib.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import support.Proc;
import support.Sandbox;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A user manages a DNS zone in project demo with datumctl alone: no kubeconfig, no kubectl.
 * They log in, pick the project as their context, create the zone, inspect it, change it and
 * remove it, and every step is checked in what datumctl prints and what the server stored.
 */
class DnsZoneLifecycleTest {

    static final String TYPE = "dnszone.dns.networking.miloapis.com";

    @TempDir
    Path dir;

    Emulator emulator;
    Sandbox sandbox;

    @BeforeEach
    void start() throws Exception {
        emulator = Emulator.start(Emulator.Options.defaults().withApproveAs("ada@example.com").withDeviceIntervalSeconds(1)
            .withTlsDir(dir.resolve("tls")));
        sandbox = new Sandbox(dir.resolve("home"));
    }

    @AfterEach
    void stop() {
        emulator.close();
    }

    Proc.Result ok(String... args) {
        Proc.Result result = sandbox.datumctl(args);
        assertEquals(0, result.exitCode(), result.describe());
        return result;
    }

    @Test
    void createInspectChangeRemoveZone() throws Exception {
        Proc.Result login = ok("login", "--hostname", emulator.baseUrl(), "--client-id", "datumctl-local",
            "--certificate-authority", emulator.caFile().toString(), "--no-browser");
        assertTrue(login.out().contains("acme/demo"), login.describe());
        assertTrue(login.out().contains("datumctl ctx use ORG[/PROJECT]"), login.describe());

        Proc.Result contexts = ok("ctx");
        assertEquals("CURRENT   NAME        DISPLAY NAME   TYPE\n"
            + "          acme        Acme Corp      organization\n"
            + "          acme/demo   Demo           project\n", contexts.out());
        assertEquals(contexts.out(), ok("ctx", "refresh").out());
        assertEquals("Switched to context \"acme/demo\" (Demo).\n", ok("ctx", "use", "acme/demo").out());
        assertTrue(ok("ctx").out().contains("*         acme/demo   Demo"));
        assertEquals(1, sandbox.datumctl("ctx", "use", "acme/nothing").exitCode());

        Path zone = dir.resolve("zone.yaml");
        Files.writeString(zone, "apiVersion: dns.networking.miloapis.com/v1alpha1\nkind: DNSZone\nmetadata:\n"
            + "  name: example-com\n  labels:\n    team: web\nspec:\n  domainName: example.com\n"
            + "  dnsZoneClassName: datum-external-global-dns\n");
        assertEquals(TYPE + "/example-com created\n", ok("apply", "-f", zone.toString()).out());

        Proc.Result table = ok("get", "dnszones");
        assertTrue(table.out().startsWith("NAME          DOMAIN NAME   AGE\nexample-com   example.com   "), table.describe());
        Proc.Result describe = ok("describe", "dnszone", "example-com");
        assertTrue(describe.out().contains("Labels:       team=web\n"), describe.describe());
        assertTrue(describe.out().contains("Domain Name:          example.com"), describe.describe());

        Files.writeString(zone, Files.readString(zone).replace("domainName: example.com", "domainName: example.net"));
        assertEquals(TYPE + "/example-com configured\n", ok("apply", "-f", zone.toString()).out());
        assertEquals(TYPE + "/example-com unchanged\n", ok("apply", "-f", zone.toString()).out());
        Map<String, Object> stored = Json.parseObject(ok("get", "dz", "example-com", "-o", "json").out());
        assertEquals("example.net", Json.obj(stored, "spec").get("domainName"));
        assertEquals(2L, ((Number) Json.obj(stored, "metadata").get("generation")).longValue());
        assertEquals("example.net", ok("get", "dz", "example-com", "-o", "jsonpath={.spec.domainName}").out());

        assertEquals(TYPE + " \"example-com\" deleted\n", ok("delete", "dnszone", "example-com").out());
        Proc.Result gone = sandbox.datumctl("get", "dnszone", "example-com");
        assertEquals(1, gone.exitCode(), gone.describe());
        assertTrue(gone.err().contains("\"example-com\" not found"), gone.describe());
        assertFalse(Files.exists(sandbox.kubeconfig()), "datumctl alone needs no kubeconfig");
    }
}

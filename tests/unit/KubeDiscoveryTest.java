package unit;

import lib.Discovery;
import lib.KubeClient;
import lib.ResourceResolver;
import lib.UserError;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import support.StubServer;

import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Discovery, its cache, TYPE resolution and Status errors, against a loopback stub API server. */
class KubeDiscoveryTest {

    static final String GROUPS = "{\"kind\":\"APIGroupList\",\"groups\":[{\"name\":\"networking.datumapis.com\","
        + "\"versions\":[{\"groupVersion\":\"networking.datumapis.com/v1alpha\",\"version\":\"v1alpha\"}],"
        + "\"preferredVersion\":{\"groupVersion\":\"networking.datumapis.com/v1alpha\",\"version\":\"v1alpha\"}}]}";
    static final String DOMAINS = "{\"name\":\"domains\",\"singularName\":\"domain\",\"namespaced\":true,\"kind\":\"Domain\","
        + "\"verbs\":[\"get\",\"list\"],\"categories\":[\"datum\"]}";
    static final String PROXIES = "{\"name\":\"httpproxies\",\"singularName\":\"httpproxy\",\"namespaced\":true,"
        + "\"kind\":\"HTTPProxy\",\"verbs\":[\"get\"],\"shortNames\":[\"proxy\"]}";

    @TempDir
    Path cache;

    StubServer server = new StubServer();
    AtomicReference<String> resources = new AtomicReference<>("[" + DOMAINS + ",{\"name\":\"domains/status\",\"verbs\":[\"get\"]}]");
    MutableClock clock = new MutableClock();

    @AfterEach
    void stop() {
        server.close();
    }

    Discovery discovery() {
        server.on("/api", request -> StubServer.Reply.json(200, "{\"kind\":\"APIVersions\",\"versions\":[\"v1\"]}"))
            .on("/api/v1", request -> StubServer.Reply.json(200, "{\"kind\":\"APIResourceList\",\"resources\":[]}"))
            .on("/apis", request -> StubServer.Reply.json(200, GROUPS))
            .on("/apis/networking.datumapis.com/v1alpha", request -> StubServer.Reply.json(200,
                "{\"kind\":\"APIResourceList\",\"resources\":" + resources.get() + "}"));
        return new Discovery(client(), cache, clock);
    }

    KubeClient client() {
        return new KubeClient(server.url(""), HttpClient.newHttpClient(), () -> "test-token");
    }

    @Test
    void fetchListsPreferredResourcesWithoutSubresources() {
        Discovery.Snapshot snapshot = discovery().fetch();

        assertEquals(List.of("v1", "networking.datumapis.com/v1alpha"), snapshot.groupVersions());
        assertEquals(1, snapshot.resources().size(), snapshot.toString());
        Discovery.ApiResource domains = snapshot.resources().get(0);
        assertEquals("domains.networking.datumapis.com", domains.qualifiedName());
        assertEquals("networking.datumapis.com/v1alpha", domains.groupVersion());
        assertEquals(List.of("datum"), domains.categories());
        assertTrue(domains.namespaced());
    }

    @Test
    void cacheServesUntilTtlEnds() {
        Discovery first = discovery();
        first.fetch();
        int afterFetch = server.requests().size();

        new Discovery(client(), cache, clock).load();
        assertEquals(afterFetch, server.requests().size(), "a fresh cache is read without requests");

        clock.advance(Discovery.TTL.plusSeconds(1));
        new Discovery(client(), cache, clock).load();
        assertEquals(2 * afterFetch, server.requests().size(), "an expired cache is fetched again");
    }

    @Test
    void resolverRefreshesCacheOnMiss() {
        discovery().fetch();
        resources.set("[" + DOMAINS + "," + PROXIES + "]");

        Discovery.ApiResource proxy = new ResourceResolver(new Discovery(client(), cache, clock)).resolve("proxy");

        assertEquals("httpproxies", proxy.name());
        UserError unknown = assertThrows(UserError.class,
            () -> new ResourceResolver(new Discovery(client(), cache, clock)).resolve("gizmos"));
        assertTrue(unknown.getMessage().contains("\"gizmos\""), unknown.getMessage());
        assertTrue(unknown.hint().contains("datumctl api-resources"), unknown.hint());
    }

    @Test
    void resolverAcceptsEveryKubectlSpelling() {
        List<Discovery.ApiResource> all = discovery().fetch().resources();

        for (String type : List.of("domains", "domain", "Domain", "DOMAINS", "domains.networking.datumapis.com",
                "domain.networking.datumapis.com", "domains.v1alpha.networking.datumapis.com")) {
            assertEquals("domains", ResourceResolver.find(all, type).map(Discovery.ApiResource::name).orElse(null), type);
        }
        assertTrue(ResourceResolver.find(all, "domains.example.com").isEmpty());
        assertTrue(ResourceResolver.find(all, "dom").isEmpty());
    }

    @Test
    void statusErrorsBecomeUserErrors() {
        server.on("/apis/x", request -> StubServer.Reply.json(403, "{\"kind\":\"Status\",\"status\":\"Failure\","
            + "\"message\":\"domains is forbidden: User \\\"bob\\\" cannot list\",\"code\":403}"));
        server.on("/apis/y", request -> StubServer.Reply.json(409, "{\"kind\":\"Status\",\"message\":\"already exists\"}"));

        UserError forbidden = assertThrows(UserError.class, () -> client().get("/apis/x"));
        UserError conflict = assertThrows(UserError.class, () -> client().get("/apis/y"));

        assertEquals("forbidden (403): domains is forbidden: User \"bob\" cannot list", forbidden.getMessage());
        assertTrue(forbidden.hint().contains("can-i --list"), forbidden.hint());
        assertEquals("conflict (409): already exists", conflict.getMessage());
        assertEquals(1, forbidden.exitCode());
    }

    /** A clock tests move forward by hand. */
    static final class MutableClock extends Clock {
        private Instant now = Instant.parse("2025-01-01T00:00:00Z");

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}

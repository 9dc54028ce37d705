package unit;

import lib.Kubeconfig;
import lib.UserError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The kubeconfig rules of update-kubeconfig: which file, what is kept, locking and errors. */
class KubeconfigTest {

    static final String NAME = "datum-organization-acme";
    static final String USER = "datum-ada@example.com@api.example.test";
    static final String SERVER = "https://api.example.test/apis/resourcemanager.miloapis.com/v1alpha1/organizations/acme/control-plane";

    /** A kubeconfig as kubectl and users leave it: two unrelated sets of entries and extras. */
    static final String EXISTING = """
        # Managed by hand; keep this comment.
        apiVersion: v1
        kind: Config
        clusters:
        - cluster:
            certificate-authority-data: Q0EtREFUQQ==
            server: https://prod.example.test:6443
            proxy-url: socks5://127.0.0.1:1080
            tls-server-name: prod.internal
            extensions:
            - name: vendor
              extension:
                region: eu-1
          name: prod
        - cluster:
            server: https://staging.example.test:6443
            insecure-skip-tls-verify: true
          name: staging
        contexts:
        - context:
            cluster: prod
            user: admin
            namespace: kube-system
          name: prod
        - context:
            cluster: staging
            user: dev
          name: staging
        current-context: prod
        preferences:
          colors: true
        users:
        - name: admin
          user:
            client-certificate-data: Q0VSVA==
            client-key-data: S0VZ
        - name: dev
          user:
            exec:
              apiVersion: client.authentication.k8s.io/v1
              command: other-plugin
              args: [login, --fast]
              interactiveMode: Never
        extensions:
        - name: tool
          extension:
            last-seen: "2024-01-01"
        x-unknown-key:
          nested: [1, 2, {deep: value}]
        """;

    @TempDir
    Path dir;

    static Map<String, Object> exec(String marker) {
        Map<String, Object> exec = new LinkedHashMap<>();
        exec.put("apiVersion", "client.authentication.k8s.io/v1");
        exec.put("command", "/opt/java/bin/java");
        exec.put("args", List.of("auth", "get-token", "--session=" + marker));
        exec.put("interactiveMode", "IfAvailable");
        exec.put("provideClusterInfo", false);
        return exec;
    }

    static Kubeconfig.Entry entry(String caData) {
        return new Kubeconfig.Entry(NAME, SERVER, caData, USER, exec("ada"), NAME);
    }

    static Kubeconfig kubeconfig(Path... files) {
        return new Kubeconfig(List.of(files), Duration.ofMillis(300));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> load(Path file) throws Exception {
        return (Map<String, Object>) new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(file));
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> list(Map<String, Object> document, String key) {
        Object value = document.get(key);
        return value == null ? List.of() : (List<Map<String, Object>>) value;
    }

    /** Finds the payload of the named item (its cluster, user or context mapping), or null. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> named(Map<String, Object> document, String listKey, String itemKey, String name) {
        for (Map<String, Object> item : list(document, listKey)) {
            if (name.equals(item.get("name"))) {
                return (Map<String, Object>) item.get(itemKey);
            }
        }
        return null;
    }

    static Path write(Path file, String text) throws Exception {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        return file;
    }

    static String mode(Path file) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
    }

    static Path lockOf(Path file) {
        return file.resolveSibling(file.getFileName() + ".lock");
    }

    @Test
    void missingFileCreatedWithOwnerOnlyMode() throws Exception {
        Path file = dir.resolve("new/folder/config");

        List<Kubeconfig.Written> written = kubeconfig(file).write(entry("TkVXLUNB"));

        assertEquals(1, written.size());
        assertTrue(written.get(0).created());
        assertEquals("rw-------", mode(file));
        Map<String, Object> document = load(file);
        assertEquals("v1", document.get("apiVersion"));
        assertEquals("Config", document.get("kind"));
        assertEquals(SERVER, named(document, "clusters", "cluster", NAME).get("server"));
        assertEquals("TkVXLUNB", named(document, "clusters", "cluster", NAME).get("certificate-authority-data"));
        assertEquals(exec("ada"), named(document, "users", "user", USER).get("exec"));
        assertEquals(Map.of("cluster", NAME, "user", USER), named(document, "contexts", "context", NAME));
        assertEquals(NAME, document.get("current-context"));
        assertFalse(Files.exists(lockOf(file)), "lock file left behind");
    }

    @Test
    void unrelatedEntriesKeptWithEveryField() throws Exception {
        Path file = write(dir.resolve("config"), EXISTING);
        Map<String, Object> before = load(file);

        kubeconfig(file).write(entry(null));

        Map<String, Object> after = load(file);
        for (String key : List.of("clusters", "users", "contexts")) {
            List<Map<String, Object>> entries = list(after, key);
            assertEquals(list(before, key), entries.subList(0, 2), key + " changed");
            assertEquals(3, entries.size(), key + " should gain exactly one entry");
        }
        for (String key : List.of("apiVersion", "kind", "preferences", "extensions", "x-unknown-key")) {
            assertEquals(before.get(key), after.get(key), key + " changed");
        }
        assertEquals(NAME, after.get("current-context"));
        List<String> order = new ArrayList<>(after.keySet());
        assertEquals(new ArrayList<>(before.keySet()), order, "top-level key order changed");
        String text = Files.readString(file);
        assertTrue(text.contains("# Managed by hand; keep this comment."), text);
    }

    @Test
    void ownEntriesKeepFieldsUserAdded() throws Exception {
        Path file = write(dir.resolve("config"), """
            apiVersion: v1
            kind: Config
            clusters:
            - name: datum-organization-acme
              cluster:
                server: https://old.example.test/control-plane
                proxy-url: http://127.0.0.1:3128
                certificate-authority-data: T0xELUNB
            contexts:
            - name: datum-organization-acme
              context:
                cluster: somewhere-else
                user: someone-else
                namespace: team-a
            users:
            - name: datum-ada@example.com@api.example.test
              user:
                exec:
                  command: stale-plugin
                  args: [old]
            """);

        kubeconfig(file).write(entry(null));

        Map<String, Object> document = load(file);
        Map<String, Object> cluster = named(document, "clusters", "cluster", NAME);
        assertEquals(SERVER, cluster.get("server"));
        assertEquals("http://127.0.0.1:3128", cluster.get("proxy-url"));
        assertEquals("T0xELUNB", cluster.get("certificate-authority-data"), "a CA the user set must stay when the session has none");
        Map<String, Object> context = named(document, "contexts", "context", NAME);
        assertEquals(Map.of("cluster", NAME, "user", USER, "namespace", "team-a"), context);
        assertEquals(exec("ada"), named(document, "users", "user", USER).get("exec"));
        assertEquals(1, list(document, "clusters").size());
        assertEquals(1, list(document, "users").size());
        assertEquals(1, list(document, "contexts").size());
    }

    @Test
    void sessionCaReplacesDataButNotCaFile() throws Exception {
        Path file = write(dir.resolve("config"), """
            clusters:
            - name: datum-organization-acme
              cluster:
                server: https://old.example.test
                certificate-authority-data: T0xELUNB
            - name: datum-project-demo
              cluster:
                server: https://old.example.test
                certificate-authority: /etc/ssl/my-ca.pem
            """);

        kubeconfig(file).write(entry("TkVXLUNB"));
        kubeconfig(file).write(new Kubeconfig.Entry("datum-project-demo", SERVER, "TkVXLUNB", USER, exec("ada"), "datum-project-demo"));

        Map<String, Object> document = load(file);
        assertEquals("TkVXLUNB", named(document, "clusters", "cluster", NAME).get("certificate-authority-data"));
        Map<String, Object> project = named(document, "clusters", "cluster", "datum-project-demo");
        assertEquals("/etc/ssl/my-ca.pem", project.get("certificate-authority"));
        assertNull(project.get("certificate-authority-data"), "kubectl rejects CA data next to a CA file");
    }

    @Test
    void permissionsKept() throws Exception {
        Path file = write(dir.resolve("config"), EXISTING);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));

        kubeconfig(file).write(entry(null));

        assertEquals("rw-r-----", mode(file));
    }

    @Test
    void unparsableFileLeftUntouched() throws Exception {
        Path file = write(dir.resolve("config"), "apiVersion: v1\nclusters: [ {name: broken\n");
        byte[] before = Files.readAllBytes(file);

        UserError error = assertThrows(UserError.class, () -> kubeconfig(file).write(entry(null)));

        assertTrue(error.getMessage().contains(file.toString()), error.getMessage());
        assertTrue(error.getMessage().contains("not valid YAML"), error.getMessage());
        assertTrue(error.getMessage().contains("at line 3, column 1"), error.getMessage());
        assertArrayEquals(before, Files.readAllBytes(file));
        assertFalse(Files.exists(lockOf(file)), "lock file left behind");
    }

    @Test
    void sectionsThatAreNotListsOfMappingsRejected() throws Exception {
        for (String text : List.of("clusters: just-a-string\n", "users:\n- admin\n- dev\n", "contexts: {a: b}\n", "- a list\n")) {
            Path file = write(dir.resolve("config"), text);

            UserError error = assertThrows(UserError.class, () -> kubeconfig(file).write(entry(null)), text);

            assertTrue(error.getMessage().contains(file.toString()), error.getMessage());
            assertEquals(text, Files.readString(file));
        }
    }

    @Test
    void wrongTypedEntryNamed() throws Exception {
        Path file = write(dir.resolve("config"), """
            clusters:
            - name: prod
              cluster: https://prod.example.test
            """);

        UserError error = assertThrows(UserError.class, () -> kubeconfig(file).write(entry(null)));

        assertTrue(error.getMessage().contains(file.toString()), error.getMessage());
        assertTrue(error.getMessage().contains("cluster 'prod'"), error.getMessage());
        assertTrue(error.getMessage().contains("not a mapping"), error.getMessage());

        Path other = write(dir.resolve("other"), "users:\n- name: [a, b]\n  user: {}\n");
        UserError badName = assertThrows(UserError.class, () -> kubeconfig(other).write(entry(null)));
        assertTrue(badName.getMessage().contains("'name' is not a string"), badName.getMessage());
    }

    @Test
    void entryModifiedInFileThatDefinesIt() throws Exception {
        Path first = write(dir.resolve("first"), "apiVersion: v1\nkind: Config\ncurrent-context: other\n");
        Path second = write(dir.resolve("second"), """
            contexts:
            - name: datum-organization-acme
              context:
                cluster: old
                user: old
                namespace: team-a
            """);

        List<Kubeconfig.Written> written = kubeconfig(first, second).write(entry(null));

        assertEquals(List.of(first, second), written.stream().map(Kubeconfig.Written::file).toList());
        Map<String, Object> firstDocument = load(first);
        Map<String, Object> secondDocument = load(second);
        assertNull(named(firstDocument, "contexts", "context", NAME), "the context must not be duplicated");
        assertEquals(Map.of("cluster", NAME, "user", USER, "namespace", "team-a"), named(secondDocument, "contexts", "context", NAME));
        assertNotNull(named(firstDocument, "clusters", "cluster", NAME), "new cluster goes to the first file");
        assertNotNull(named(firstDocument, "users", "user", USER), "new user goes to the first file");
        assertEquals(NAME, firstDocument.get("current-context"));
        assertNull(secondDocument.get("current-context"));
    }

    @Test
    void newEntriesGoToFirstExistingFile() throws Exception {
        Path missing = dir.resolve("missing");
        Path second = write(dir.resolve("second"), "apiVersion: v1\nkind: Config\n");
        Path third = write(dir.resolve("third"), "apiVersion: v1\nkind: Config\n");

        kubeconfig(missing, second, third).write(entry(null));

        assertFalse(Files.exists(missing));
        assertNotNull(named(load(second), "clusters", "cluster", NAME));
        assertEquals(NAME, load(second).get("current-context"));
        assertEquals("apiVersion: v1\nkind: Config\n", Files.readString(third));
    }

    @Test
    void lastFileCreatedWhenNoneExists() throws Exception {
        Path first = dir.resolve("a/first");
        Path last = dir.resolve("b/last");

        kubeconfig(first, last).write(entry(null));

        assertFalse(Files.exists(first));
        assertEquals(NAME, load(last).get("current-context"));
        assertEquals("rw-------", mode(last));
    }

    @Test
    void searchPathFollowsKubectl() {
        Path home = dir.resolve("home");
        String env = dir.resolve("a") + File.pathSeparator + File.pathSeparator + dir.resolve("b") + File.pathSeparator + dir.resolve("a");

        assertEquals(List.of(dir.resolve("x")), Kubeconfig.searchPath(dir.resolve("x").toString(), env, home));
        assertEquals(List.of(dir.resolve("a"), dir.resolve("b")), Kubeconfig.searchPath(null, env, home));
        assertEquals(List.of(home.resolve(".kube/config")), Kubeconfig.searchPath(null, "", home));
        assertEquals(List.of(home.resolve(".kube/config")), Kubeconfig.searchPath(null, null, home));
    }

    @Test
    void existingLockMakesWriteFail() throws Exception {
        Path file = write(dir.resolve("config"), EXISTING);
        Path lock = Files.createFile(lockOf(file));

        UserError error = assertThrows(UserError.class, () -> kubeconfig(file).write(entry(null)));

        assertTrue(error.getMessage().contains(lock.toString()), error.getMessage());
        assertTrue(error.hint().contains("remove " + lock), error.hint());
        assertEquals(EXISTING, Files.readString(file));
        assertTrue(Files.exists(lock), "another process's lock must not be removed");
    }

    @Test
    void lockRemovedAfterFailedWrite() throws Exception {
        Path file = write(dir.resolve("config"), EXISTING);
        Map<String, Object> unreadable = new AbstractMap<>() {
            @Override
            public Set<Map.Entry<String, Object>> entrySet() {
                throw new IllegalStateException("exec stanza unavailable");
            }
        };
        Kubeconfig.Entry failing = new Kubeconfig.Entry(NAME, SERVER, null, USER, unreadable, NAME);

        assertThrows(RuntimeException.class, () -> kubeconfig(file).write(failing));

        assertFalse(Files.exists(lockOf(file)), "lock file left behind");
        assertEquals(EXISTING, Files.readString(file));
    }

    @Test
    void jsonKubeconfigStaysValid() throws Exception {
        Path file = write(dir.resolve("config"),
            "{\"apiVersion\":\"v1\",\"kind\":\"Config\",\"clusters\":[{\"name\":\"prod\",\"cluster\":{\"server\":\"https://prod.example.test\"}}]}");

        kubeconfig(file).write(entry(null));

        Map<String, Object> document = load(file);
        assertEquals("https://prod.example.test", named(document, "clusters", "cluster", "prod").get("server"));
        assertEquals(SERVER, named(document, "clusters", "cluster", NAME).get("server"));
    }

    @Test
    void symlinkedKubeconfigStaysSymlink() throws Exception {
        Path real = write(dir.resolve("dotfiles/kubeconfig"), EXISTING);
        Path link = Files.createSymbolicLink(dir.resolve("config"), Path.of("dotfiles/kubeconfig"));

        kubeconfig(link).write(entry(null));

        assertTrue(Files.isSymbolicLink(link));
        assertEquals(NAME, load(real).get("current-context"));
    }
}

package e2e;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import support.Proc;
import support.Sandbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs every case of tests/badinput/cases.txt through the real command: malformed, empty, binary
 * and huge files, files with wrong types, and a loopback server that sends hostile responses.
 * A failing case must say what is wrong, leave every file as it was, print no stack trace and no
 * token. Tokens in this corpus all contain CANARY, so a leak is a plain text search.
 */
class BadInputTest {

    static final Path CORPUS = Sandbox.checkout().resolve("tests/badinput");
    static final String CLIENT_ID = "test-client";
    static final int TEN_MB = 10 << 20;

    static HostileServer server;
    static HostileServer otherHost;
    static RSAKey signingKey;

    @TempDir
    Path scratch;

    /** One line of the index. */
    record Case(String name, String input, String command, int exitCode, String expected) {
    }

    @BeforeAll
    static void startServers() throws Exception {
        signingKey = new RSAKeyGenerator(2048).keyID("bad-input-test").generate();
        otherHost = new HostileServer();
        server = new HostileServer();
    }

    @AfterAll
    static void stopServers() {
        server.close();
        otherHost.close();
    }

    @TestFactory
    Stream<DynamicTest> everyCaseOfTheCorpus() throws IOException {
        return readIndex().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> run(c)));
    }

    static List<Case> readIndex() throws IOException {
        List<Case> cases = new ArrayList<>();
        for (String line : Files.readAllLines(CORPUS.resolve("cases.txt"))) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] column = line.split("\\|", -1);
            cases.add(new Case(column[0].trim(), column[1].trim(), column[2].trim(),
                Integer.parseInt(column[3].trim()), column[4].trim()));
        }
        return cases;
    }

    void run(Case c) throws Exception {
        Path root = Files.createTempDirectory(scratch, "badinput-" + c.name() + "-");
        Sandbox sandbox = new Sandbox(root);
        Files.createDirectories(sandbox.datumctlHome());
        server.scenario = c.input().startsWith("stub:") ? c.input().substring(5) : "normal";
        placeInput(c, sandbox);
        Map<Path, byte[]> before = snapshot(root);

        Proc.Result result = sandbox.datumctl(commandLine(c.command()));

        String report = c.name() + "\n" + result.describe();
        assertEquals(c.exitCode(), result.exitCode(), report);
        assertTrue(result.err().contains(c.expected()), "the error names the problem (" + c.expected() + ")\n" + report);
        assertFalse(result.err().contains("\tat ") || result.err().contains("Exception"), "no stack trace\n" + report);
        assertFalse((result.out() + result.err()).contains("CANARY"), "no token in the output\n" + report);
        if (c.exitCode() != 0) {
            assertSameFiles(before, snapshot(root), report);
            assertTrue(otherHost.requests.isEmpty(), "no request reached the other host: " + otherHost.requests);
        }
        System.out.println("BadInputTest " + c.name() + ": " + firstLine(result.err()));
    }

    @Test
    void callbackWithWrongStateFailsAndChangesNothing() throws Exception {
        server.scenario = "normal";
        Sandbox sandbox = new Sandbox(Files.createTempDirectory(scratch, "badinput-callback-state-"));
        Map<Path, byte[]> before = snapshot(sandbox.root());
        BrowserLoginRun login = BrowserLoginRun.start(sandbox);
        assertListensOnLoopbackOnly(login.callbackPort());
        int tokenCallsBefore = tokenCalls();

        int status = login.callback("code=CANARY-code&state=not-the-state");
        Proc.Result result = login.finish();

        assertEquals(400, status, "the callback page reports the failure");
        assertEquals(1, result.exitCode(), result.describe());
        assertTrue(result.out().contains("state parameter does not match"), result.describe());
        assertFalse(result.out().contains("CANARY") || result.out().contains("\tat "), result.describe());
        assertEquals(tokenCallsBefore, tokenCalls(), "the code was not exchanged");
        assertSameFiles(before, snapshot(sandbox.root()), result.describe());
    }

    @Test
    void replayedCallbackExchangesCodeOnce() throws Exception {
        server.scenario = "normal";
        Sandbox sandbox = new Sandbox(Files.createTempDirectory(scratch, "badinput-callback-replay-"));
        BrowserLoginRun login = BrowserLoginRun.start(sandbox);
        server.nonce = login.query().get("nonce");
        int tokenCallsBefore = tokenCalls();
        String answer = "code=CANARY-code&state=" + login.query().get("state");

        int first = login.callback(answer);
        int replay = login.callback(answer);
        Proc.Result result = login.finish();
        server.nonce = null;

        assertEquals(200, first, result.describe());
        assertTrue(replay == 409 || replay == -1, "the replayed callback is refused, got HTTP " + replay);
        assertEquals(0, result.exitCode(), result.describe());
        assertEquals(tokenCallsBefore + 1, tokenCalls(), "the code was exchanged exactly once");
        assertFalse(result.out().contains("CANARY"), "no token in the output\n" + result.describe());
    }

    static int tokenCalls() {
        return (int) server.requests.stream().filter(r -> r.equals("POST /oauth/v2/token")).count();
    }

    /**
     * The callback listener must accept loopback connections only: every listening socket on its
     * port (in /proc/net/tcp and tcp6) has a loopback local address.
     */
    static void assertListensOnLoopbackOnly(int port) throws IOException {
        String hexPort = String.format(":%04X", port);
        List<String> listeners = new ArrayList<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path file = Path.of(table);
            if (!Files.exists(file)) {
                continue;
            }
            for (String line : Files.readAllLines(file)) {
                String[] column = line.trim().split("\\s+");
                if (column.length > 3 && column[1].endsWith(hexPort) && column[3].equals("0A")) {
                    listeners.add(column[1]);
                }
            }
        }
        assertFalse(listeners.isEmpty(), "no listener found on port " + port);
        for (String local : listeners) {
            String address = local.substring(0, local.indexOf(':'));
            // 127.0.0.1, ::1, or 127.0.0.1 as an IPv4-mapped address in the tcp6 table.
            assertTrue(address.equals("0100007F") || address.equals("00000000000000000000000001000000")
                    || address.equals("0000000000000000FFFF00000100007F"),
                "the callback listener is bound to " + local + ", not to loopback");
        }
    }

    /** `datumctl login` with the browser flow, in a terminal from script(1), against the hostile server. */
    record BrowserLoginRun(Process process, List<String> command, String authorizeUrl,
                           java.util.concurrent.LinkedBlockingQueue<String> lines) {

        static BrowserLoginRun start(Sandbox sandbox) throws InterruptedException {
            sandbox.set("CI", "");
            List<String> command = KubectlEndToEndTest.inTerminal(sandbox.datumctlCommand("login", "--hostname",
                server.url(""), "--api-hostname", server.url(""), "--client-id", CLIENT_ID));
            Process process = Proc.start(command, sandbox.env(), sandbox.root());
            java.util.concurrent.LinkedBlockingQueue<String> lines = KubectlEndToEndTest.lines(process.getInputStream());
            String url = KubectlEndToEndTest.awaitLine(lines,
                java.util.regex.Pattern.compile("(http://\\S+/oauth/v2/authorize\\S+)"));
            return new BrowserLoginRun(process, command, url, lines);
        }

        Map<String, String> query() {
            Map<String, String> query = new TreeMap<>();
            for (String pair : java.net.URI.create(authorizeUrl).getRawQuery().split("&")) {
                String[] parts = pair.split("=", 2);
                query.put(parts[0], java.net.URLDecoder.decode(parts[1], StandardCharsets.UTF_8));
            }
            return query;
        }

        int callbackPort() {
            return java.net.URI.create(query().get("redirect_uri")).getPort();
        }

        /** Sends the browser's redirect to the callback; returns the HTTP status, or -1 when refused. */
        int callback(String rawQuery) throws InterruptedException {
            java.net.URI uri = java.net.URI.create(query().get("redirect_uri").replace("localhost", "127.0.0.1")
                + "?" + rawQuery);
            try {
                return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(uri).build(),
                    java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
            } catch (IOException e) {
                return -1;
            }
        }

        /** Waits for login to end; script(1) merges its stdout and stderr into the terminal output. */
        Proc.Result finish() throws InterruptedException {
            if (!process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("login did not end after the callback");
            }
            Thread.sleep(200);
            StringBuilder out = new StringBuilder(authorizeUrl).append('\n');
            lines.forEach(line -> out.append(line).append('\n'));
            return new Proc.Result(command, process.exitValue(), out.toString(), "");
        }
    }

    static String firstLine(String text) {
        return text.lines().filter(l -> l.startsWith("error")).findFirst().orElse(text.lines().reduce("", (a, b) -> b));
    }

    String[] commandLine(String command) {
        return switch (command) {
            case "update-kubeconfig" -> new String[] {"auth", "update-kubeconfig", "--project", "p1",
                "--hostname", "https://127.0.0.1:9", "--exec-mode", "jbang"};
            case "login" -> new String[] {"login", "--hostname", server.url(""), "--api-hostname", server.url(""),
                "--client-id", CLIENT_ID, "--no-browser"};
            case "whoami" -> new String[] {command};
            case "api-resources" -> new String[] {command, "--project", "p1"};
            case "switch" -> new String[] {"auth", "switch", "ada@example.com"};
            case "get-token" -> new String[] {"auth", "get-token"};
            default -> throw new IllegalArgumentException("unknown command in cases.txt: " + command);
        };
    }

    /** Puts the case's file where the command reads it, with a valid credential store beside it. */
    void placeInput(Case c, Sandbox sandbox) throws IOException {
        boolean refresh = c.command().equals("get-token");
        String expiry = refresh ? "2000-01-01T00:00:00Z" : "2099-01-01T00:00:00Z";
        Path credentials = sandbox.datumctlHome().resolve("credentials.json");
        if (!c.command().equals("login")) {
            Files.writeString(credentials, fill(Files.readString(CORPUS.resolve("base-credentials.json")), expiry));
        }
        String input = c.input();
        if (input.startsWith("stub:")) {
            return;
        }
        byte[] data = input.startsWith("generated:") ? generate(input.substring(10)) : Files.readAllBytes(CORPUS.resolve(input));
        if (input.startsWith("credentials-")) {
            data = fill(new String(data, StandardCharsets.UTF_8), expiry).getBytes(StandardCharsets.UTF_8);
        }
        Files.write(target(input, sandbox), data);
    }

    static Path target(String input, Sandbox sandbox) {
        String name = input.replace("generated:", "");
        if (name.startsWith("kubeconfig-")) {
            return sandbox.kubeconfig();
        }
        if (name.startsWith("config-")) {
            return sandbox.datumctlHome().resolve("config");
        }
        return sandbox.datumctlHome().resolve("credentials.json");
    }

    /** Inputs too big to keep in the repository: 20 MB of otherwise well-formed YAML. */
    static byte[] generate(String name) {
        StringBuilder yaml = new StringBuilder(name.startsWith("kubeconfig")
            ? "apiVersion: v1\nkind: Config\nclusters:\n" : "apiVersion: datumctl.config.datum.net/v1beta1\nsessions:\n");
        for (int i = 0; yaml.length() < (20 << 20); i++) {
            yaml.append("- name: entry-").append(i).append("\n  padding: ").append("x".repeat(200)).append('\n');
        }
        return yaml.toString().getBytes(StandardCharsets.UTF_8);
    }

    static String fill(String template, String expiry) {
        return template.replace("{{AUTH_HOST}}", server.hostKey()).replace("{{AUTH_URL}}", server.url(""))
            .replace("{{API_URL}}", server.url("")).replace("{{EXPIRY}}", expiry);
    }

    static Map<Path, byte[]> snapshot(Path root) throws IOException {
        Map<Path, byte[]> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path file : walk.filter(Files::isRegularFile).filter(f -> !f.toString().contains("/locks/")).toList()) {
                files.put(root.relativize(file), Files.readAllBytes(file));
            }
        }
        return files;
    }

    static void assertSameFiles(Map<Path, byte[]> before, Map<Path, byte[]> after, String report) {
        assertEquals(before.keySet(), after.keySet(), "no file was created or removed\n" + report);
        for (Map.Entry<Path, byte[]> entry : before.entrySet()) {
            assertTrue(Arrays.equals(entry.getValue(), after.get(entry.getKey())), entry.getKey() + " changed\n" + report);
        }
    }

    /** A plain-HTTP loopback server playing the auth server and the API server, badly on purpose. */
    static final class HostileServer implements AutoCloseable {

        final HttpServer http;
        final ConcurrentLinkedQueue<String> requests = new ConcurrentLinkedQueue<>();
        volatile String scenario = "normal";
        volatile String nonce;

        HostileServer() {
            try {
                http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            http.createContext("/", this::handle);
            http.start();
        }

        String url(String path) {
            return "http://127.0.0.1:" + http.getAddress().getPort() + path;
        }

        String hostKey() {
            return "127.0.0.1:" + http.getAddress().getPort();
        }

        void handle(HttpExchange exchange) throws IOException {
            String path = exchange.getRequestURI().getPath();
            requests.add(exchange.getRequestMethod() + " " + path);
            exchange.getRequestBody().readAllBytes();
            try {
                if (this == otherHost) {
                    send(exchange, 200, "application/json", "{\"access_token\":\"CANARY-other-host\"}");
                } else if (path.equals("/.well-known/openid-configuration")) {
                    discovery(exchange);
                } else if (path.startsWith("/oauth/")) {
                    oauth(exchange, path);
                } else {
                    api(exchange);
                }
            } catch (Exception e) {
                send(exchange, 500, "text/plain", "stub failure: " + e);
            }
        }

        void discovery(HttpExchange exchange) throws IOException {
            switch (scenario) {
                case "discovery-not-json" -> send(exchange, 200, "application/json", "<html>CANARY-not-json</html>");
                case "discovery-10mb" -> send(exchange, 200, "application/json", "{\"issuer\":\"" + "a".repeat(TEN_MB) + "\"}");
                case "discovery-redirect" -> redirect(exchange, otherHost.url("/.well-known/openid-configuration"));
                default -> send(exchange, 200, "application/json", lib.Json.write(Map.of(
                    "issuer", url(""),
                    "authorization_endpoint", url("/oauth/v2/authorize"),
                    "token_endpoint", url("/oauth/v2/token"),
                    "device_authorization_endpoint", url("/oauth/v2/device_authorization"),
                    "jwks_uri", url("/oauth/v2/keys"))));
            }
        }

        void oauth(HttpExchange exchange, String path) throws Exception {
            switch (path) {
                case "/oauth/v2/keys" -> send(exchange, 200, "application/json", new JWKSet(signingKey.toPublicJWK()).toString());
                case "/oauth/v2/device_authorization" -> send(exchange, 200, "application/json",
                    "{\"device_code\":\"CANARY-device-code\",\"user_code\":\"ABCD-EFGH\",\"verification_uri\":\""
                        + url("/device") + "\",\"interval\":1,\"expires_in\":60}");
                default -> token(exchange);
            }
        }

        void token(HttpExchange exchange) throws Exception {
            switch (scenario) {
                case "token-not-json" -> send(exchange, 200, "application/json", "access_token=CANARY-form&token_type=bearer");
                case "token-truncated" -> send(exchange, 200, "application/json", "{\"access_token\":\"CANARY-cut");
                case "token-10mb" -> send(exchange, 200, "application/json", "{\"access_token\":\"CANARY" + "a".repeat(TEN_MB) + "\"}");
                case "token-html" -> send(exchange, 200, "text/html", "<html><body>CANARY-html sign in</body></html>");
                case "token-redirect" -> redirect(exchange, otherHost.url("/oauth/v2/token"));
                default -> send(exchange, 200, "application/json", lib.Json.write(Map.of(
                    "access_token", "CANARY-access-new", "token_type", "Bearer", "expires_in", 3600,
                    "refresh_token", "CANARY-refresh-new", "id_token", idToken())));
            }
        }

        String idToken() throws Exception {
            long now = System.currentTimeMillis();
            JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().issuer(url("")).subject("ada-sub")
                .audience(CLIENT_ID).claim("email", "ada@example.com").claim("name", "Ada")
                .issueTime(new Date(now)).expirationTime(new Date(now + 3_600_000)).claim("nonce", nonce);
            switch (scenario) {
                case "jwt-garbage" -> {
                    return "CANARY.garbage.token";
                }
                case "jwt-alg-none" -> {
                    return new PlainJWT(claims.build()).serialize();
                }
                case "jwt-expired" -> claims.issueTime(new Date(now - 7_200_000)).expirationTime(new Date(now - 3_600_000));
                case "jwt-other-audience" -> claims.audience("another-client");
                default -> {
                }
            }
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(signingKey.getKeyID()).build(),
                claims.build());
            jwt.sign(new RSASSASigner(signingKey));
            return jwt.serialize();
        }

        void api(HttpExchange exchange) throws IOException {
            switch (scenario) {
                case "api-status-without-message" -> send(exchange, 403, "application/json",
                    "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"code\":403}");
                case "api-not-json" -> send(exchange, 200, "application/json", "<html>not json</html>");
                case "api-10mb" -> send(exchange, 200, "application/json", "[" + "1,".repeat(TEN_MB / 2));
                case "api-redirect" -> redirect(exchange, otherHost.url(exchange.getRequestURI().getPath()));
                default -> send(exchange, 404, "application/json", "{\"kind\":\"Status\",\"code\":404,\"message\":\"no such path\"}");
            }
        }

        static void redirect(HttpExchange exchange, String location) throws IOException {
            exchange.getResponseHeaders().set("Location", location);
            send(exchange, 302, "text/plain", "moved");
        }

        static void send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", contentType);
            exchange.sendResponseHeaders(status, bytes.length);
            try {
                exchange.getResponseBody().write(bytes);
            } catch (IOException e) {
                // The client stopped reading a body it judged too large, which is the point.
            }
            exchange.close();
        }

        @Override
        public void close() {
            http.stop(0);
        }
    }
}

package unit;

import lib.Browser;
import lib.BrowserLogin;
import lib.Http;
import lib.Oidc;
import lib.Pkce;
import lib.TokenResponse;
import lib.UserError;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BrowserLoginTest {

    private static final String CLIENT_ID = "datumctl-test";
    private static final String CODE = "code-from-stub";

    private LoopbackStub auth;
    private final StringWriter errText = new StringWriter();
    private final PrintWriter err = new PrintWriter(errText, true);
    private final AtomicReference<Map<String, String>> authorizeQuery = new AtomicReference<>();

    @BeforeEach
    void startStub() throws Exception {
        auth = LoopbackStub.start();
    }

    @AfterEach
    void stopStub() {
        auth.close();
    }

    private Map<String, Object> discovery() {
        return Map.of("issuer", auth.url(""),
            "authorization_endpoint", auth.url("/oauth/v2/authorize"),
            "token_endpoint", auth.url("/oauth/v2/token"));
    }

    private BrowserLogin login(Browser browser, Duration timeout) {
        return new BrowserLogin(Http.client(null), discovery(), CLIENT_ID, browser, err, timeout);
    }

    /** The authorize endpoint redirects to the callback with the parameters the test chooses. */
    private void authorizeRedirects(java.util.function.Function<Map<String, String>, String> callbackQuery) {
        auth.on("GET", "/oauth/v2/authorize", request -> {
            authorizeQuery.set(request.query());
            return LoopbackStub.Reply.redirect(request.query().get("redirect_uri") + "?" + callbackQuery.apply(request.query()));
        });
    }

    private void tokenEndpointAcceptsCode() {
        auth.on("POST", "/oauth/v2/token", request -> {
            Map<String, String> form = request.form();
            assertEquals(Oidc.GRANT_CODE, form.get("grant_type"));
            assertEquals(CODE, form.get("code"));
            assertEquals(CLIENT_ID, form.get("client_id"));
            assertEquals(authorizeQuery.get().get("redirect_uri"), form.get("redirect_uri"));
            assertEquals(authorizeQuery.get().get("code_challenge"), Pkce.challenge(form.get("code_verifier")));
            return LoopbackStub.Reply.json(200,
                "{\"access_token\":\"at-1\",\"token_type\":\"Bearer\",\"refresh_token\":\"rt-1\",\"id_token\":\"idt\",\"expires_in\":3600}");
        });
    }

    @Test
    void codeIsExchangedWithVerifier() throws Exception {
        authorizeRedirects(query -> "code=" + CODE + "&state=" + Http.encode(query.get("state")));
        tokenEndpointAcceptsCode();
        FollowingBrowser browser = new FollowingBrowser(0);

        TokenResponse tokens = login(browser, Duration.ofSeconds(30)).run();

        assertEquals("at-1", tokens.accessToken());
        assertEquals("rt-1", tokens.refreshToken());
        assertEquals(200, browser.callbackStatuses.get(0));
        assertTrue(browser.callbackBodies.get(0).contains("You are logged in"), browser.callbackBodies.get(0));
        assertEquals(1, auth.requests("/oauth/v2/token").size());
    }

    @Test
    void authorizationRequestCarriesPkceStateNonceAndPrompt() throws Exception {
        authorizeRedirects(query -> "code=" + CODE + "&state=" + Http.encode(query.get("state")));
        tokenEndpointAcceptsCode();
        BrowserLogin login = login(new FollowingBrowser(0), Duration.ofSeconds(30));

        login.run();

        Map<String, String> query = authorizeQuery.get();
        assertEquals("code", query.get("response_type"));
        assertEquals(CLIENT_ID, query.get("client_id"));
        assertEquals(Oidc.SCOPES, query.get("scope"));
        assertEquals("S256", query.get("code_challenge_method"));
        assertEquals("select_account", query.get("prompt"));
        assertEquals(login.nonce(), query.get("nonce"));
        assertTrue(query.get("state").length() >= 32, "state is a long random value");
        URI redirect = URI.create(query.get("redirect_uri"));
        assertEquals("localhost", redirect.getHost());
        assertEquals("/datumctl/auth/callback", redirect.getPath());
        assertTrue(redirect.getPort() > 0);
        String stderr = errText.toString();
        assertTrue(stderr.contains("Opening your browser to log in..."), stderr);
        assertTrue(stderr.contains(auth.url("/oauth/v2/authorize?")), stderr);
    }

    @Test
    void stateMismatchFailsLogin() {
        authorizeRedirects(query -> "code=" + CODE + "&state=not-the-state-that-was-sent");
        FollowingBrowser browser = new FollowingBrowser(0);

        UserError error = assertThrows(UserError.class, () -> login(browser, Duration.ofSeconds(30)).run());

        assertTrue(error.getMessage().contains("state"), error.getMessage());
        assertTrue(error.hint().contains("datumctl login"), error.hint());
        assertEquals(400, browser.callbackStatuses.get(0));
        assertTrue(browser.callbackBodies.get(0).contains("could not log you in"), browser.callbackBodies.get(0));
        assertEquals(List.of(), auth.requests("/oauth/v2/token"), "no code exchange after a state mismatch");
    }

    @Test
    void accessDeniedFailsLogin() {
        authorizeRedirects(query -> "error=access_denied&error_description=User+declined&state="
            + Http.encode(query.get("state")));
        FollowingBrowser browser = new FollowingBrowser(0);

        UserError error = assertThrows(UserError.class, () -> login(browser, Duration.ofSeconds(30)).run());

        assertEquals("the login was denied in the browser", error.getMessage());
        assertEquals(400, browser.callbackStatuses.get(0));
        assertTrue(browser.callbackBodies.get(0).contains("denied"), browser.callbackBodies.get(0));
    }

    @Test
    void otherCallbackErrorIsReported() {
        authorizeRedirects(query -> "error=invalid_scope&error_description=offline_access+not+allowed&state="
            + Http.encode(query.get("state")));

        UserError error = assertThrows(UserError.class,
            () -> login(new FollowingBrowser(0), Duration.ofSeconds(30)).run());

        assertTrue(error.getMessage().contains("invalid_scope"), error.getMessage());
        assertTrue(error.getMessage().contains("offline_access not allowed"), error.getMessage());
    }

    @Test
    void rejectedCodeIsReported() {
        authorizeRedirects(query -> "code=" + CODE + "&state=" + Http.encode(query.get("state")));
        auth.on("POST", "/oauth/v2/token", request ->
            LoopbackStub.Reply.json(400, "{\"error\":\"invalid_grant\",\"error_description\":\"code expired\"}"));
        FollowingBrowser browser = new FollowingBrowser(0);

        UserError error = assertThrows(UserError.class, () -> login(browser, Duration.ofSeconds(30)).run());

        assertTrue(error.getMessage().contains("invalid_grant"), error.getMessage());
        assertFalse(error.getMessage().contains(CODE), "the code is a secret");
        assertEquals(400, browser.callbackStatuses.get(0));
    }

    @Test
    void replayedCallbackGetsErrorPage() throws Exception {
        authorizeRedirects(query -> "code=" + CODE + "&state=" + Http.encode(query.get("state")));
        tokenEndpointAcceptsCode();
        FollowingBrowser browser = new FollowingBrowser(1);

        TokenResponse tokens = login(browser, Duration.ofSeconds(30)).run();

        assertEquals("at-1", tokens.accessToken());
        assertEquals(List.of(200, 409), browser.callbackStatuses);
        assertTrue(browser.callbackBodies.get(1).contains("already"), browser.callbackBodies.get(1));
        assertEquals(1, auth.requests("/oauth/v2/token").size(), "the code is exchanged once");
    }

    @Test
    void withoutBrowserUrlIsPrintedAndLoginWaits() throws Exception {
        authorizeRedirects(query -> "code=" + CODE + "&state=" + Http.encode(query.get("state")));
        tokenEndpointAcceptsCode();
        BrowserLogin login = login(url -> false, Duration.ofSeconds(30));

        CompletableFuture<TokenResponse> result = CompletableFuture.supplyAsync(() -> {
            try {
                return login.run();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        String url = awaitPrintedUrl();
        FollowingBrowser person = new FollowingBrowser(0);
        assertTrue(person.open(url));

        assertEquals("at-1", result.get(30, TimeUnit.SECONDS).accessToken());
        assertTrue(errText.toString().contains("No browser could be opened"), errText.toString());
    }

    @Test
    void loginTimesOut() {
        UserError error = assertThrows(UserError.class, () -> login(url -> false, Duration.ofSeconds(1)).run());

        assertEquals("the browser login did not finish within 1 second", error.getMessage());
        assertTrue(error.hint().contains("--no-browser"), error.hint());
    }

    /** Reads the authorization URL from stderr once the login has printed it. */
    private String awaitPrintedUrl() throws InterruptedException {
        String prefix = "  " + auth.url("/oauth/v2/authorize?");
        for (int attempt = 0; attempt < 300; attempt++) {
            for (String line : errText.toString().split("\n")) {
                if (line.startsWith(prefix)) {
                    return line.trim();
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the login printed no authorization URL: " + errText);
    }

    @Test
    void systemBrowserHonoursBrowserVariable() {
        Browser.SystemBrowser browser = new Browser.SystemBrowser(
            Map.of("BROWSER", "firefox --new-tab:open-url %s --flag", "DISPLAY", ":0"), "Linux");

        assertEquals(List.of(List.of("firefox", "--new-tab", "https://x.test/a"),
                List.of("open-url", "https://x.test/a", "--flag")),
            browser.commands("https://x.test/a"));
    }

    @Test
    void systemBrowserPicksPlatformOpener() {
        String url = "https://x.test/a";

        assertEquals(List.of(), new Browser.SystemBrowser(Map.of(), "Linux").commands(url));
        assertEquals(List.of(List.of("xdg-open", url)), new Browser.SystemBrowser(Map.of("DISPLAY", ":0"), "Linux").commands(url));
        assertEquals(List.of(List.of("xdg-open", url)),
            new Browser.SystemBrowser(Map.of("WAYLAND_DISPLAY", "wayland-0"), "Linux").commands(url));
        assertEquals(List.of(List.of("open", url)), new Browser.SystemBrowser(Map.of(), "Mac OS X").commands(url));
        assertEquals(List.of(List.of("rundll32", "url.dll,FileProtocolHandler", url)),
            new Browser.SystemBrowser(Map.of(), "Windows 11").commands(url));
    }

    @Test
    void systemBrowserReportsWhetherCommandStarted(@TempDir Path dir) throws Exception {
        Path script = dir.resolve("record-url");
        Path seen = dir.resolve("seen.txt");
        Files.writeString(script, "#!/bin/sh\nprintf '%s' \"$1\" > '" + seen + "'\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));

        assertTrue(new Browser.SystemBrowser(Map.of("BROWSER", script.toString()), "Linux").open("https://x.test/a?b=c"));
        assertEquals("https://x.test/a?b=c", Files.readString(seen));
        assertFalse(new Browser.SystemBrowser(Map.of(), "Linux").open("https://x.test/a"), "no display, no browser");
        assertFalse(new Browser.SystemBrowser(Map.of("BROWSER", "false"), "Linux").open("https://x.test/a"));
        assertFalse(new Browser.SystemBrowser(Map.of("BROWSER", dir.resolve("missing").toString()), "Linux")
            .open("https://x.test/a"));
    }

    /**
     * Plays the user's browser: requests the authorization URL, follows its redirect to the
     * loopback callback, and then requests the callback again as often as asked.
     */
    static final class FollowingBrowser implements Browser {

        final List<Integer> callbackStatuses = new ArrayList<>();
        final List<String> callbackBodies = new ArrayList<>();
        private final int replays;
        private final HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

        FollowingBrowser(int replays) {
            this.replays = replays;
        }

        @Override
        public boolean open(String url) {
            try {
                HttpResponse<String> authorize = get(url);
                assertEquals(302, authorize.statusCode(), "the authorize endpoint redirects");
                String location = authorize.headers().firstValue("Location").orElseThrow();
                for (int i = 0; i <= replays; i++) {
                    HttpResponse<String> callback = get(location);
                    callbackStatuses.add(callback.statusCode());
                    callbackBodies.add(callback.body());
                }
                return true;
            } catch (Exception e) {
                throw new AssertionError("the test browser failed on " + url, e);
            }
        }

        private HttpResponse<String> get(String url) throws Exception {
            return client.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
        }
    }
}

package unit;

import lib.DeviceLogin;
import lib.Http;
import lib.Oidc;
import lib.Pkce;
import lib.TokenResponse;
import lib.UserError;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeviceLoginTest {

    private static final String CLIENT_ID = "datumctl-test";
    private static final String DEVICE_CODE = "device-code-secret";
    private static final String PENDING = "{\"error\":\"authorization_pending\"}";
    private static final String SLOW_DOWN = "{\"error\":\"slow_down\"}";
    private static final String TOKENS =
        "{\"access_token\":\"at-1\",\"token_type\":\"Bearer\",\"refresh_token\":\"rt-1\",\"id_token\":\"idt\",\"expires_in\":3600}";

    private LoopbackStub auth;
    private final StringWriter errText = new StringWriter();
    private final PrintWriter err = new PrintWriter(errText, true);
    private final FakeTime time = new FakeTime(Instant.parse("2025-01-01T12:00:00Z"));
    private final Deque<LoopbackStub.Reply> tokenReplies = new ArrayDeque<>();
    private final Map<String, String> deviceRequest = new HashMap<>();

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
            "device_authorization_endpoint", auth.url("/device"),
            "token_endpoint", auth.url("/token"));
    }

    /** Makes the device endpoint respond with the required fields plus extraFields. */
    private void deviceEndpointReturns(String path, String extraFields) {
        auth.on("POST", path, request -> {
            deviceRequest.putAll(request.form());
            return LoopbackStub.Reply.json(200, "{\"device_code\":\"" + DEVICE_CODE + "\",\"user_code\":\"WDJB-MJHT\","
                + "\"verification_uri\":\"https://auth.test/device\","
                + "\"verification_uri_complete\":\"https://auth.test/device?user_code=WDJB-MJHT\"" + extraFields + "}");
        });
    }

    /** Each poll must carry the device code and the verifier of the challenge sent before. */
    private void tokenEndpointReturns(String... bodies) {
        for (String body : bodies) {
            tokenReplies.add(LoopbackStub.Reply.json(body.contains("\"error\"") ? 400 : 200, body));
        }
        auth.on("POST", "/token", request -> {
            Map<String, String> form = request.form();
            assertEquals(Oidc.GRANT_DEVICE, form.get("grant_type"));
            assertEquals(DEVICE_CODE, form.get("device_code"));
            assertEquals(CLIENT_ID, form.get("client_id"));
            assertEquals(deviceRequest.get("code_challenge"), Pkce.challenge(form.get("code_verifier")));
            LoopbackStub.Reply reply = tokenReplies.poll();
            if (reply == null) {
                throw new AssertionError("polled after the last scripted response");
            }
            return reply;
        });
    }

    private TokenResponse runLogin() throws InterruptedException {
        return runLogin(discovery());
    }

    private TokenResponse runLogin(Map<String, Object> discovery) throws InterruptedException {
        return new DeviceLogin(Http.client(null), discovery, CLIENT_ID, err, time, time).run();
    }

    @Test
    void pendingThenSuccess() throws Exception {
        deviceEndpointReturns("/device", ",\"expires_in\":600,\"interval\":5");
        tokenEndpointReturns(PENDING, PENDING, TOKENS);

        TokenResponse tokens = runLogin();

        assertEquals("at-1", tokens.accessToken());
        assertEquals(List.of(seconds(5), seconds(5), seconds(5)), time.sleeps);
        assertEquals(3, auth.requests("/token").size());
        assertEquals(CLIENT_ID, deviceRequest.get("client_id"));
        assertEquals(Oidc.SCOPES, deviceRequest.get("scope"));
        assertEquals("S256", deviceRequest.get("code_challenge_method"));
    }

    @Test
    void instructionsHideDeviceCode() throws Exception {
        deviceEndpointReturns("/device", ",\"expires_in\":600,\"interval\":5");
        tokenEndpointReturns(TOKENS);

        runLogin();

        String stderr = errText.toString();
        assertTrue(stderr.contains("https://auth.test/device\n"), stderr);
        assertTrue(stderr.contains("WDJB-MJHT"), stderr);
        assertTrue(stderr.contains("https://auth.test/device?user_code=WDJB-MJHT"), stderr);
        assertTrue(stderr.contains("expires in 10 minutes"), stderr);
        assertFalse(stderr.contains(DEVICE_CODE), "the device code is a secret");
    }

    @Test
    void slowDownAddsFiveSeconds() throws Exception {
        deviceEndpointReturns("/device", ",\"expires_in\":600,\"interval\":3");
        tokenEndpointReturns(SLOW_DOWN, PENDING, SLOW_DOWN, TOKENS);

        runLogin();

        assertEquals(List.of(seconds(3), seconds(8), seconds(8), seconds(13)), time.sleeps);
    }

    @Test
    void missingOrZeroIntervalDefaultsToFiveSeconds() throws Exception {
        deviceEndpointReturns("/device", ",\"expires_in\":600,\"interval\":0");
        tokenEndpointReturns(PENDING, TOKENS);

        runLogin();

        assertEquals(List.of(seconds(5), seconds(5)), time.sleeps);
    }

    @Test
    void accessDeniedStopsPolling() {
        deviceEndpointReturns("/device", ",\"expires_in\":600,\"interval\":5");
        tokenEndpointReturns(PENDING, "{\"error\":\"access_denied\"}");

        UserError error = assertThrows(UserError.class, this::runLogin);

        assertEquals("the login was denied in the browser", error.getMessage());
        assertEquals(2, auth.requests("/token").size());
    }

    @Test
    void expiredTokenStopsPolling() {
        deviceEndpointReturns("/device", ",\"expires_in\":600,\"interval\":5");
        tokenEndpointReturns("{\"error\":\"expired_token\"}");

        UserError error = assertThrows(UserError.class, this::runLogin);

        assertEquals("the device code expired before it was approved", error.getMessage());
        assertTrue(error.hint().contains("datumctl login"), error.hint());
    }

    @Test
    void pollingStopsAtExpiresIn() {
        deviceEndpointReturns("/device", ",\"expires_in\":12,\"interval\":5");
        tokenEndpointReturns(PENDING, PENDING);

        UserError error = assertThrows(UserError.class, this::runLogin);

        assertEquals("the device code expired before it was approved", error.getMessage());
        assertEquals(2, auth.requests("/token").size(), "no poll after the code expired");
    }

    @Test
    void unknownTokenErrorIsReported() {
        deviceEndpointReturns("/device", ",\"expires_in\":600,\"interval\":5");
        tokenEndpointReturns("{\"error\":\"invalid_client\",\"error_description\":\"unknown client\"}");

        UserError error = assertThrows(UserError.class, this::runLogin);

        assertTrue(error.getMessage().contains("invalid_client: unknown client"), error.getMessage());
    }

    @Test
    void missingDeviceEndpointFallsBackToZitadelPath() throws Exception {
        deviceEndpointReturns("/oauth/v2/device_authorization", ",\"expires_in\":600,\"interval\":5");
        tokenEndpointReturns(TOKENS);

        TokenResponse tokens = runLogin(Map.of("issuer", auth.url("/"), "token_endpoint", auth.url("/token")));

        assertEquals("at-1", tokens.accessToken());
    }

    @Test
    void rejectedDeviceRequestIsReported() {
        auth.on("POST", "/device", request ->
            LoopbackStub.Reply.json(400, "{\"error\":\"unauthorized_client\",\"error_description\":\"device flow disabled\"}"));

        UserError error = assertThrows(UserError.class, this::runLogin);

        assertTrue(error.getMessage().contains("unauthorized_client"), error.getMessage());
        assertTrue(error.hint().contains("--no-browser"), error.hint());
    }

    private static Duration seconds(long value) {
        return Duration.ofSeconds(value);
    }

    /** A clock that only moves when the login sleeps, recording each sleep. */
    static final class FakeTime extends Clock implements DeviceLogin.Sleeper {

        final List<Duration> sleeps = new ArrayList<>();
        private Instant now;

        FakeTime(Instant start) {
            this.now = start;
        }

        @Override
        public void sleep(Duration duration) {
            sleeps.add(duration);
            now = now.plus(duration);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }
}

package lib;

import java.io.PrintWriter;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Device login (RFC 8628): the user approves a code in a browser on any device while this
 * process polls the token endpoint. For machines without a browser, or with --no-browser.
 */
public final class DeviceLogin {

    /** Waits between polls; tests record the durations instead of waiting. */
    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    public static final Sleeper THREAD_SLEEP = duration -> Thread.sleep(duration.toMillis());

    /** RFC 8628 section 3.5: the default interval, and how much slow_down adds to it. */
    static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);
    static final Duration SLOW_DOWN_STEP = Duration.ofSeconds(5);

    // Used only when the server omits expires_in, which RFC 8628 makes required.
    static final Duration DEFAULT_EXPIRY = Duration.ofMinutes(10);

    private static final String ZITADEL_DEVICE_PATH = "/oauth/v2/device_authorization";

    private final HttpClient client;
    private final Map<String, Object> discovery;
    private final String clientId;
    private final PrintWriter err;
    private final Clock clock;
    private final Sleeper sleeper;
    private final Pkce pkce = Pkce.create();

    public DeviceLogin(HttpClient client, Map<String, Object> discovery, String clientId, PrintWriter err,
                       Clock clock, Sleeper sleeper) {
        this.client = client;
        this.discovery = discovery;
        this.clientId = clientId;
        this.err = err;
        this.clock = clock;
        this.sleeper = sleeper;
    }

    /** Runs the login and returns the token response once the user has approved it. */
    public TokenResponse run() throws InterruptedException {
        Map<String, Object> authorization = requestDeviceCode();
        String deviceCode = Json.str(authorization, "device_code");
        String userCode = Json.str(authorization, "user_code");
        String verificationUri = Json.str(authorization, "verification_uri");
        if (deviceCode == null || userCode == null || verificationUri == null) {
            throw new UserError("the device authorization response of " + deviceEndpoint()
                + " lacks device_code, user_code or verification_uri",
                "Check that --hostname names an OIDC server that supports device login, or log in without --no-browser.");
        }
        Duration expiresIn = seconds(authorization, "expires_in", DEFAULT_EXPIRY);
        Instant deadline = clock.instant().plus(expiresIn);
        printInstructions(verificationUri, userCode, Json.str(authorization, "verification_uri_complete"), expiresIn);
        return poll(deviceCode, seconds(authorization, "interval", DEFAULT_INTERVAL), deadline);
    }

    private Map<String, Object> requestDeviceCode() {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("client_id", clientId);
        form.put("scope", Oidc.SCOPES);

        // Servers that do not know PKCE for the device flow ignore these; Keycloak requires them.
        form.put("code_challenge", pkce.challenge());
        form.put("code_challenge_method", Pkce.METHOD);
        try {
            return Oidc.tokenCall(client, deviceEndpoint(), form);
        } catch (OAuthError e) {
            throw new UserError("the auth server rejected the device login request: " + e.getMessage(),
                "Check --client-id, or log in without --no-browser.", e);
        }
    }

    /** Returns the discovered device authorization endpoint, else Zitadel's path under the issuer. */
    String deviceEndpoint() {
        String discovered = Json.str(discovery, "device_authorization_endpoint");
        if (discovered != null) {
            return discovered;
        }
        String issuer = Json.str(discovery, "issuer");
        if (issuer == null) {
            throw new UserError("the auth server's discovery document names no device_authorization_endpoint",
                "Log in without --no-browser to use the browser flow instead.");
        }
        return Oidc.trimSlash(issuer) + ZITADEL_DEVICE_PATH;
    }

    private void printInstructions(String verificationUri, String userCode, String completeUri, Duration expiresIn) {
        err.println("To log in, open this URL in a browser on any device:");
        err.println("  " + verificationUri);
        err.println("and enter the code: " + userCode);
        if (completeUri != null) {
            err.println("Or open this URL, which fills in the code for you:");
            err.println("  " + completeUri);
        }
        err.println("Waiting for approval; the code expires in " + BrowserLogin.describe(expiresIn) + " (Ctrl-C to cancel)...");
        err.flush();
    }

    private TokenResponse poll(String deviceCode, Duration interval, Instant deadline) throws InterruptedException {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", Oidc.GRANT_DEVICE);
        form.put("device_code", deviceCode);
        form.put("client_id", clientId);
        form.put("code_verifier", pkce.verifier());
        String tokenUrl = Json.str(discovery, "token_endpoint");
        while (true) {
            sleeper.sleep(interval);
            if (!clock.instant().isBefore(deadline)) {
                throw expired();
            }
            try {
                return Oidc.token(client, tokenUrl, form);
            } catch (OAuthError e) {
                interval = nextInterval(e, interval);
            }
        }
    }

    /** Returns the interval before the next poll, or throws when the login cannot succeed. */
    private Duration nextInterval(OAuthError e, Duration interval) {
        switch (e.error()) {
            case "authorization_pending":
                return interval;
            case "slow_down":
                return interval.plus(SLOW_DOWN_STEP);
            case "access_denied":
                throw new UserError("the login was denied in the browser",
                    "Run 'datumctl login --no-browser' again and approve the code, or use another account.");
            case "expired_token":
                throw expired();
            default:
                throw new UserError("the auth server rejected the device login: " + e.getMessage(),
                    "Run 'datumctl login --no-browser' again; if it repeats, check --client-id.", e);
        }
    }

    private static UserError expired() {
        return new UserError("the device code expired before it was approved",
            "Run 'datumctl login --no-browser' again and approve the new code before it expires.");
    }

    /** Reads a number of seconds from the response; a missing, zero or negative value gives the fallback. */
    private static Duration seconds(Map<String, Object> response, String field, Duration fallback) {
        long value = Json.num(response, field, 0);
        return value > 0 ? Duration.ofSeconds(value) : fallback;
    }

}

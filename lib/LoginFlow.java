package lib;

import com.nimbusds.jwt.JWTClaimsSet;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.time.Clock;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;

/**
 * The whole of `datumctl login` without the command line: resolve the servers and client id,
 * discover the OIDC endpoints, run the browser or device flow, verify the ID token, and store
 * the session as the active one.
 */
public final class LoginFlow {

    /** The login options from the command line; null fields take their defaults. */
    public record Options(String hostname, String apiHostname, String clientId, Path certificateAuthority,
                          boolean noBrowser) {
    }

    /** The servers and client a login talks to, after defaults were applied. */
    public record Target(String authBaseUrl, String authHostKey, String apiHostKey, String clientId) {
    }

    private final PrintWriter err;
    private final boolean verbose;
    private final Browser browser;
    private final Clock clock;
    private final DeviceLogin.Sleeper sleeper;
    private final Sessions sessions;

    public LoginFlow(PrintWriter err, boolean verbose, Browser browser, Clock clock, DeviceLogin.Sleeper sleeper,
                     Sessions sessions) {
        this.err = err;
        this.verbose = verbose;
        this.browser = browser;
        this.clock = clock;
        this.sleeper = sleeper;
        this.sessions = sessions;
    }

    /** Creates a flow with the system browser, clock and credential store. */
    public static LoginFlow standard(PrintWriter err, boolean verbose) {
        return new LoginFlow(err, verbose, Browser.system(), Clock.systemUTC(), DeviceLogin.THREAD_SLEEP, Sessions.open());
    }

    /** Logs in, stores the session, makes it active, and returns it. */
    public StoredSession run(Options options) throws InterruptedException {
        Target target = resolve(options);
        String caPem = readCertificateAuthority(options.certificateAuthority());
        HttpClient client = Http.client(caPem);

        step("Reading the OpenID Connect configuration of " + target.authBaseUrl());
        Map<String, Object> discovery = Oidc.discover(client, target.authBaseUrl());

        TokenResponse tokens;
        String nonce = null;
        if (options.noBrowser()) {
            tokens = new DeviceLogin(client, discovery, target.clientId(), err, clock, sleeper).run();
        } else {
            BrowserLogin login = new BrowserLogin(client, discovery, target.clientId(), browser, err,
                BrowserLogin.DEFAULT_TIMEOUT);
            nonce = login.nonce();
            tokens = login.run();
        }

        step("Verifying the ID token against " + Json.str(discovery, "jwks_uri"));
        JWTClaimsSet claims = IdTokenVerifier.forDiscovery(client, discovery, target.clientId(), clock)
            .verify(tokens.idToken(), nonce);

        StoredSession session = buildSession(target, discovery, tokens, claims, caPem);
        sessions.saveLogin(session, "https://" + target.apiHostKey());
        return session;
    }

    /** Applies the defaults: auth.datum.net, the matching API host and public client id. */
    public static Target resolve(Options options) {
        String hostname = blank(options.hostname()) ? Endpoints.DEFAULT_AUTH_HOST : options.hostname();
        String authBaseUrl = Endpoints.issuerUrl(hostname);
        String authHostKey = Endpoints.hostKey(hostname);

        String apiHostKey = blank(options.apiHostname())
            ? Endpoints.defaultApiHost(authHostKey)
            : Endpoints.hostKey(options.apiHostname());
        if (apiHostKey == null) {
            throw UserError.usage("no API server is known for the auth server " + authHostKey,
                "Pass the API server with --api-hostname, for example --api-hostname api.example.com.");
        }

        String clientId = blank(options.clientId()) ? Endpoints.defaultClientId(authHostKey) : options.clientId();
        if (clientId == null) {
            throw UserError.usage("no OAuth client id is known for the auth server " + authHostKey,
                "Pass the public client id registered for datumctl with --client-id.");
        }
        return new Target(authBaseUrl, authHostKey, apiHostKey, clientId);
    }

    /** Reads and checks the --certificate-authority file; null when none was given. */
    static String readCertificateAuthority(Path file) {
        if (file == null) {
            return null;
        }
        String pem;
        try {
            pem = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            throw new UserError("the certificate authority file " + file + " does not exist",
                "Pass the path of a PEM file with --certificate-authority.", e);
        } catch (IOException e) {
            throw new UserError("cannot read the certificate authority file " + file + ": " + e.getMessage(),
                "Check the path and the file's permissions.", e);
        }
        try {
            Http.parseCertificates(pem);
        } catch (CertificateException e) {
            throw new UserError("the certificate authority file " + file + " contains no valid PEM certificate",
                "Pass a file that contains '-----BEGIN CERTIFICATE-----' blocks with --certificate-authority.", e);
        }
        return pem;
    }

    private StoredSession buildSession(Target target, Map<String, Object> discovery, TokenResponse tokens,
                                       JWTClaimsSet claims, String caPem) {
        String email = (String) claims.getClaim("email");
        Object name = claims.getClaim("name");
        StoredSession session = StoredSession.create()
            .set("hostname", target.authHostKey())
            .set("api_hostname", target.apiHostKey())
            .set("client_id", target.clientId())
            .set("endpoint_auth_url", Json.str(discovery, "authorization_endpoint"))
            .set("endpoint_token_url", Json.str(discovery, "token_endpoint"))
            .set("scopes", Arrays.asList(Oidc.SCOPES.split(" ")))
            .applyTokens(tokens, clock.instant())
            .set("user_name", name instanceof String text && !text.isBlank() ? text : email)
            .set("user_email", email)
            .set("subject", claims.getSubject())
            .set("credential_type", StoredSession.USER);
        if (caPem != null) {
            session.set("certificate_authority_data",
                Base64.getEncoder().encodeToString(caPem.getBytes(StandardCharsets.US_ASCII)));
        }
        return session;
    }

    private void step(String message) {
        if (verbose) {
            err.println(message);
            err.flush();
        }
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}

package lib;

import com.nimbusds.jwt.JWTClaimsSet;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;

/**
 * `datumctl login --credentials`: signs a service account in with its key (the JWT bearer grant,
 * RFC 7523), verifies the ID token when one comes back, keeps the private key for re-minting,
 * and stores the session as the active one.
 */
public final class ServiceAccountLogin {

    /** The options of a service account login; null fields take their defaults. */
    public record Options(String hostname, String apiHostname, Path certificateAuthority) {
    }

    /**
     * The largest session document that keeps the private key inline. go-keyring, the Go
     * datumctl's keyring library, documents 2560 bytes for a Windows Credential Manager secret and
     * about 3000 bytes for service, user and secret together on macOS. A larger document moves the
     * key into a file, as the Go CLI always does.
     */
    public static final int INLINE_LIMIT_BYTES = 2560;

    private final PrintWriter err;
    private final boolean verbose;
    private final Clock clock;
    private final Sessions sessions;
    private final Path home;

    public ServiceAccountLogin(PrintWriter err, boolean verbose, Clock clock, Sessions sessions, Path home) {
        this.err = err;
        this.verbose = verbose;
        this.clock = clock;
        this.sessions = sessions;
        this.home = home;
    }

    public static ServiceAccountLogin standard(PrintWriter err, boolean verbose) {
        return new ServiceAccountLogin(err, verbose, Clock.systemUTC(), Sessions.open(), DatumHome.dir());
    }

    /** Logs the service account in, stores the session, makes it active, and returns it. */
    public StoredSession run(ServiceAccountKey key, Options options) {
        LoginFlow.Target target = resolve(key, options);
        String caPem = LoginFlow.readCertificateAuthority(options.certificateAuthority());
        HttpClient client = Http.client(caPem);

        step("Reading the OpenID Connect configuration of " + target.authBaseUrl());
        Map<String, Object> discovery = Oidc.discover(client, target.authBaseUrl());
        String tokenEndpoint = Json.str(discovery, "token_endpoint");

        step("Exchanging a signed assertion of " + key.identity() + " at " + tokenEndpoint);
        TokenResponse tokens = exchange(client, key, tokenEndpoint);

        String subject = key.clientId();
        if (tokens.idToken() != null) {
            step("Verifying the ID token against " + Json.str(discovery, "jwks_uri"));
            JWTClaimsSet claims = IdTokenVerifier.forDiscovery(client, discovery, key.clientId(), clock)
                .verify(tokens.idToken(), null, false);
            subject = claims.getSubject();
        }

        StoredSession session = buildSession(target, key, discovery, tokens, subject, caPem);
        storePrivateKey(session, key);
        sessions.saveLogin(session, "https://" + target.apiHostKey());
        return session;
    }

    /**
     * Applies the defaults. The auth server is --hostname, else the origin of the key's token_uri.
     * The API server is --api-hostname, else the one that goes with the auth server, else the key's
     * api_endpoint.
     */
    public static LoginFlow.Target resolve(ServiceAccountKey key, Options options) {
        String hostname = blank(options.hostname()) ? JwtBearer.audience(key.tokenUri()) : options.hostname();
        String authBaseUrl = Endpoints.baseUrl(hostname);
        String authHostKey = Endpoints.hostKey(hostname);

        String apiHostKey;
        if (!blank(options.apiHostname())) {
            apiHostKey = Endpoints.hostKey(options.apiHostname());
        } else if (Endpoints.defaultApiHost(authHostKey) != null) {
            apiHostKey = Endpoints.defaultApiHost(authHostKey);
        } else if (key.apiEndpoint() != null) {
            apiHostKey = Endpoints.hostKey(key.apiEndpoint());
        } else {
            throw UserError.usage("no API server is known for the auth server " + authHostKey,
                "Pass the API server with --api-hostname, for example --api-hostname api.example.com.");
        }
        return new LoginFlow.Target(authBaseUrl, authHostKey, apiHostKey, key.clientId());
    }

    private TokenResponse exchange(HttpClient client, ServiceAccountKey key, String tokenEndpoint) {
        String assertion = key.mint(tokenEndpoint, clock.instant());
        TokenResponse tokens;
        try {
            tokens = Oidc.token(client, tokenEndpoint, JwtBearer.form(assertion, key.requestedScope()));
        } catch (OAuthError e) {
            throw new UserError("the auth server " + tokenEndpoint + " rejected the service account key of "
                + key.identity() + " (key id " + key.privateKeyId() + "): " + e.getMessage(),
                "Check that the key file belongs to this Datum Cloud environment (--hostname) and that the key"
                    + " is still active; download a new key from the Datum Cloud portal if it was revoked.", e);
        }

        return ServiceAccountSession.withoutRefreshToken(tokens);
    }

    private StoredSession buildSession(LoginFlow.Target target, ServiceAccountKey key, Map<String, Object> discovery,
                                       TokenResponse tokens, String subject, String caPem) {
        String tokenEndpoint = Json.str(discovery, "token_endpoint");
        StoredSession session = StoredSession.create()
            .set("hostname", target.authHostKey())
            .set("api_hostname", target.apiHostKey())
            .set("client_id", key.clientId())
            .set("endpoint_auth_url", Json.str(discovery, "authorization_endpoint"))
            .set("endpoint_token_url", tokenEndpoint)
            .set("scopes", Arrays.asList(key.requestedScope().trim().split(" +")))
            .applyTokens(tokens, clock.instant())
            .set("user_name", key.identity())
            .set("user_email", key.identity())
            .set("subject", subject)
            .set("credential_type", StoredSession.SERVICE_ACCOUNT)
            .set(ServiceAccountSession.FIELD, ServiceAccountSession.state(key.clientId(), key.clientEmail(),
                key.privateKeyId(), tokenEndpoint, key.requestedScope()));
        if (caPem != null) {
            session.set("certificate_authority_data",
                Base64.getEncoder().encodeToString(caPem.getBytes(StandardCharsets.US_ASCII)));
        }
        return session;
    }

    /**
     * Puts the private key inline into the session when the document stays within
     * INLINE_LIMIT_BYTES, else into a 0600 file under &lt;home&gt;/service-accounts/ (folder 0700).
     */
    public void storePrivateKey(StoredSession session, ServiceAccountKey key) {
        Map<String, Object> state = session.serviceAccount();
        Path file = ServiceAccountSession.keyFile(home, session.userKey());
        state.put("private_key", key.privateKeyPem());
        try {
            if (session.toJson().getBytes(StandardCharsets.UTF_8).length <= INLINE_LIMIT_BYTES) {
                Files.deleteIfExists(file);
                return;
            }
            state.remove("private_key");
            AtomicFiles.createPrivateDir(file.getParent());
            AtomicFiles.write(file, key.privateKeyPem().getBytes(StandardCharsets.US_ASCII), AtomicFiles.OWNER_ONLY);
            state.put("private_key_path", file.toAbsolutePath().toString());
        } catch (IOException e) {
            throw new UserError("cannot write the service account's private key to " + file + ": " + e.getMessage(),
                "Check that " + home + " is writable by you.", e);
        }
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

package lib;

import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Hands out a usable credential for a session, refreshing it when less than a minute remains.
 *
 * <p>Refresh tokens rotate: each refresh spends the old one. Parallel kubectl calls start parallel
 * exec plugins, so a refresh holds a per-session lock and re-reads the store inside it. The
 * processes that waited then find the fresh token and send no request of their own.
 */
public final class TokenSource {

    public static final Duration REFRESH_MARGIN = Duration.ofSeconds(60);

    private final CredentialStore store;
    private final Clock clock;
    private final Function<String, HttpClient> clients;

    public TokenSource(CredentialStore store, Clock clock, Function<String, HttpClient> clients) {
        this.store = store;
        this.clock = clock;
        this.clients = clients;
    }

    public static TokenSource standard() {
        return new TokenSource(CredentialStore.open(), Clock.systemUTC(), new StandardClients());
    }

    /**
     * Http::client as a plain class: a method reference would bootstrap the lambda machinery and
     * load java.net.http on every get-token start, a measurable part of the exec plugin's run even
     * when the token is valid and no request is sent.
     */
    private static final class StandardClients implements Function<String, HttpClient> {
        @Override
        public HttpClient apply(String caPem) {
            return Http.client(caPem);
        }
    }

    /** Returns the store key of the named session, or of the active user when sessionName is null. */
    private static String userKey(String sessionName, Map<String, String> secrets) {
        if (sessionName == null || sessionName.isBlank()) {
            String active = secrets.get(CredentialStore.ACTIVE_USER);
            if (active == null || !secrets.containsKey(active)) {
                throw new UserError("no active session", noActiveSessionHint(secrets));
            }
            return active;
        }
        if (secrets.containsKey(sessionName) && !isReserved(sessionName)) {
            return sessionName;
        }
        for (Map.Entry<String, String> entry : secrets.entrySet()) {
            if (!isReserved(entry.getKey()) && matches(entry, sessionName)) {
                return entry.getKey();
            }
        }
        throw new UserError("no stored session named " + sessionName,
            "Run 'datumctl login' for that account, or 'datumctl auth list' to see the sessions you have.");
    }

    /** Points at auth switch when other accounts are still logged in, else at login. */
    static String noActiveSessionHint(Map<String, String> secrets) {
        for (String key : secrets.keySet()) {
            if (!isReserved(key)) {
                return "Run 'datumctl auth switch USER' to pick one of your accounts ('datumctl auth list' shows them), "
                    + "or 'datumctl login'.";
            }
        }
        return "Run 'datumctl login' to sign in.";
    }

    private static boolean isReserved(String key) {
        return key.equals(CredentialStore.ACTIVE_USER) || key.equals(CredentialStore.KNOWN_USERS);
    }

    private static boolean matches(Map.Entry<String, String> entry, String sessionName) {
        try {
            return sessionName.equals(StoredSession.fromJson(entry.getKey(), entry.getValue()).sessionName());
        } catch (UserError e) {
            return false;
        }
    }

    /** Loads the session's stored credentials; fails with an error naming the key when they are missing. */
    public StoredSession load(String userKey) {
        String secret = store.get(userKey);
        if (secret == null) {
            throw new UserError("no stored credentials for " + userKey, "Run 'datumctl login' to sign in again.");
        }
        return StoredSession.fromJson(userKey, secret);
    }

    /** Returns the session with a credential valid for at least the refresh margin, refreshing it if needed. */
    public StoredSession valid(String sessionName) {
        // One read of the store serves both lookups: with the keyring, each read is a D-Bus connection.
        Map<String, String> secrets = store.all();
        String key = userKey(sessionName, secrets);
        StoredSession session = StoredSession.fromJson(key, secrets.get(key));
        if (isFresh(session)) {
            return session;
        }
        try {
            return AtomicFiles.withLock(refreshLock(key), () -> refreshUnderLock(key));
        } catch (UserError e) {
            throw e;
        } catch (Exception e) {
            throw new UserError("cannot refresh the session " + key + ": " + e.getMessage(),
                "Run 'datumctl login' to sign in again.", e);
        }
    }

    private StoredSession refreshUnderLock(String key) {
        StoredSession session = load(key);
        if (isFresh(session)) {
            return session;
        }
        if (StoredSession.SERVICE_ACCOUNT.equals(session.credentialType())) {
            return remintUnderLock(key, session);
        }
        String refreshToken = session.refreshToken();
        if (refreshToken == null || refreshToken.isEmpty()) {
            throw sessionEnded(key, "it has no refresh token");
        }
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", Oidc.GRANT_REFRESH);
        form.put("refresh_token", refreshToken);
        form.put("client_id", session.clientId());
        TokenResponse tokens;
        try {
            tokens = Oidc.token(clients.apply(Http.pemFromData(session.certificateAuthorityData())),
                session.tokenUrl(), form);
        } catch (OAuthError e) {
            throw sessionEnded(key, "the auth server rejected the refresh token (" + e.error() + ")");
        }

        // The ID token comes straight from the token endpoint over TLS, which vouches for its
        // issuer (OpenID Connect Core 3.1.3.7), so it is stored without a signature check here.
        session.applyTokens(tokens, clock.instant());
        session.set("id_token", tokens.idToken());
        store.put(key, session.toJson());
        return session;
    }

    /**
     * Service accounts have no refresh token: a new assertion signed with the stored key buys new
     * tokens. It runs under the same per-session lock, so parallel plugins mint only once.
     */
    private StoredSession remintUnderLock(String key, StoredSession session) {
        HttpClient client = clients.apply(Http.pemFromData(session.certificateAuthorityData()));
        TokenResponse tokens = ServiceAccountSession.remint(key, session, client, clock.instant());
        session.applyTokens(tokens, clock.instant());
        session.set("id_token", tokens.idToken());
        store.put(key, session.toJson());
        return session;
    }

    private static UserError sessionEnded(String key, String reason) {
        return new UserError("the session " + key + " has ended: " + reason,
            "Run 'datumctl login' to sign in again.");
    }

    /** True when the credential handed to kubectl stays valid for the refresh margin. */
    public boolean isFresh(StoredSession session) {
        // A stored session without any token (a damaged store) must refresh or fail, never print "null".
        if (credentialToken(session) == null) {
            return false;
        }
        Instant expiry = credentialExpiry(session);
        return expiry == null || expiry.isAfter(clock.instant().plus(REFRESH_MARGIN));
    }

    /** Returns the token for kubectl: the ID token when one is stored, else the access token. */
    public static String credentialToken(StoredSession session) {
        return session.idToken() != null ? session.idToken() : session.accessToken();
    }

    /** Returns when that token expires, or null when unknown. */
    public static Instant credentialExpiry(StoredSession session) {
        if (session.idToken() != null) {
            Instant exp = JwtClaims.expiry(session.idToken());
            if (exp != null) {
                return exp;
            }
        }
        return session.expiry();
    }

    /** One lock per session, beside the store it guards, so tests with their own store stay apart. */
    private java.nio.file.Path refreshLock(String key) {
        return store.file().toAbsolutePath().resolveSibling("locks").resolve("refresh-" + sha256(key) + ".lock");
    }

    static String sha256(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}

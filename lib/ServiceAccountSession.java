package lib;

import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The "service_account" object of a stored session, in the Go datumctl's format: client_id,
 * client_email, private_key_id, token_uri, scope, and the private key either inline
 * (private_key) or in a file (private_key_path). Also re-mints a session's tokens.
 *
 * <p>Used by the lean exec plugin, so it depends on the JDK and jackson-core only.
 */
public final class ServiceAccountSession {

    public static final String FIELD = "service_account";
    public static final String KEY_FOLDER = "service-accounts";

    private static final String RELOGIN = "Run 'datumctl login --credentials FILE' with the service account's key file.";

    private ServiceAccountSession() {
    }

    /** Builds the object without the private key; the caller adds it inline or as a path. */
    public static Map<String, Object> state(String clientId, String clientEmail, String keyId, String tokenUri,
                                            String scope) {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("client_email", clientEmail == null ? "" : clientEmail);
        state.put("client_id", clientId);
        state.put("private_key_id", keyId);
        state.put("token_uri", tokenUri);
        state.put("scope", scope);
        return state;
    }

    /**
     * Returns the file that keeps a key too large for the credential store:
     * &lt;home&gt;/service-accounts/&lt;SHA-256 hex of the user key&gt;.pem, the name the Go datumctl uses.
     */
    public static Path keyFile(Path home, String userKey) {
        return home.resolve(KEY_FOLDER).resolve(keyFileName(userKey));
    }

    public static String keyFileName(String userKey) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(userKey.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest) + ".pem";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /** Returns the session's PEM private key, read inline or from its key file. */
    public static String privateKeyPem(String userKey, Map<String, Object> state) {
        String inline = Json.str(state, "private_key");
        if (inline != null && !inline.isBlank()) {
            return inline;
        }
        String path = Json.str(state, "private_key_path");
        if (path == null || path.isBlank()) {
            throw new UserError("the service account session " + userKey + " has no private key", RELOGIN);
        }
        try {
            return Files.readString(Path.of(path), StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            throw new UserError("the private key file " + path + " of the service account session " + userKey
                + " does not exist", RELOGIN, e);
        } catch (IOException e) {
            throw new UserError("cannot read the private key file " + path + " of the service account session " + userKey
                + ": " + e.getMessage(), "Check the file's permissions, or " + Character.toLowerCase(RELOGIN.charAt(0))
                + RELOGIN.substring(1), e);
        }
    }

    /**
     * Mints a new assertion with the stored key and exchanges it for tokens. There is no refresh
     * token: each expiry costs one signature and one token request.
     */
    public static TokenResponse remint(String userKey, StoredSession session, HttpClient client, Instant now) {
        Map<String, Object> state = session.serviceAccount();
        if (state == null) {
            throw new UserError("the service account session " + userKey + " lacks its service_account details", RELOGIN);
        }
        String clientId = Json.str(state, "client_id");
        String keyId = Json.str(state, "private_key_id");
        String tokenUri = Json.str(state, "token_uri");
        if (clientId == null || keyId == null || tokenUri == null) {
            throw new UserError("the service account session " + userKey
                + " lacks client_id, private_key_id or token_uri", RELOGIN);
        }
        String origin = "of the session " + userKey;
        String assertion = JwtBearer.mint(clientId, keyId, JwtBearer.parsePrivateKey(privateKeyPem(userKey, state), origin),
            tokenUri, now);
        try {
            return withoutRefreshToken(Oidc.token(client, tokenUri, JwtBearer.form(assertion, Json.str(state, "scope"))));
        } catch (OAuthError e) {
            throw new UserError("the auth server rejected the service account key of " + userKey + " (" + e.getMessage() + ")",
                "The key may have been revoked or the account disabled. " + RELOGIN, e);
        }
    }

    /** Drops the refresh token of a response: service account sessions re-mint and never keep one. */
    public static TokenResponse withoutRefreshToken(TokenResponse tokens) {
        return new TokenResponse(tokens.accessToken(), tokens.tokenType(), null, tokens.idToken(), tokens.expiresIn(),
            tokens.scope());
    }
}

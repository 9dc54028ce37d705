package lib;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The secret document kept per user in the credential store, in the Go datumctl's format:
 * hostname, api_hostname, client_id, endpoint_auth_url, endpoint_token_url, scopes,
 * token {access_token, token_type, refresh_token, expiry}, user_name, user_email, subject,
 * credential_type, service_account. We add id_token and certificate_authority_data.
 *
 * <p>Backed by the parsed map, so fields written by another version survive a rewrite.
 */
public final class StoredSession {

    public static final String USER = "user";
    public static final String SERVICE_ACCOUNT = "service_account";

    private final Map<String, Object> doc;

    private StoredSession(Map<String, Object> doc) {
        this.doc = doc;
    }

    public static StoredSession create() {
        return new StoredSession(new LinkedHashMap<>());
    }

    /** Parses a stored secret; the key names the entry in errors. */
    public static StoredSession fromJson(String key, String json) {
        try {
            return new StoredSession(Json.parseObject(json));
        } catch (IllegalArgumentException e) {
            throw new UserError("the stored credentials of " + key + " are not valid JSON",
                "Run 'datumctl login' to sign in again.", e);
        }
    }

    public String toJson() {
        return Json.write(doc);
    }

    /** Returns the credential store key of a user: "<email>@<auth host>". */
    public static String userKey(String email, String authHost) {
        return email + "@" + authHost;
    }

    public String userKey() {
        return userKey(userEmail(), hostname());
    }

    /** Returns the session name used in the config and kubeconfig: "<email>@<api host>". */
    public String sessionName() {
        return userEmail() + "@" + apiHostname();
    }

    public String hostname() { return Json.str(doc, "hostname"); }
    public String apiHostname() { return Json.str(doc, "api_hostname"); }
    public String clientId() { return Json.str(doc, "client_id"); }
    public String authUrl() { return Json.str(doc, "endpoint_auth_url"); }
    public String tokenUrl() { return Json.str(doc, "endpoint_token_url"); }
    public String userName() { return Json.str(doc, "user_name"); }
    public String userEmail() { return Json.str(doc, "user_email"); }
    public String subject() { return Json.str(doc, "subject"); }
    public String credentialType() { return Json.str(doc, "credential_type"); }
    public String idToken() { return Json.str(doc, "id_token"); }
    public String certificateAuthorityData() { return Json.str(doc, "certificate_authority_data"); }

    /** The "service_account" object of service-account sessions, or null. */
    public Map<String, Object> serviceAccount() { return Json.obj(doc, "service_account"); }

    public String accessToken() { return Json.str(Json.obj(doc, "token"), "access_token"); }
    public String refreshToken() { return Json.str(Json.obj(doc, "token"), "refresh_token"); }

    @SuppressWarnings("unchecked")
    public List<String> scopes() {
        Object value = doc.get("scopes");
        return value instanceof List ? (List<String>) value : List.of();
    }

    /** When the access token expires, or null when unknown (Go writes its zero time then). */
    public Instant expiry() {
        String text = Json.str(Json.obj(doc, "token"), "expiry");
        if (text == null || text.startsWith("0001-01-01")) {
            return null;
        }
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    public StoredSession set(String field, Object value) {
        if (value == null) {
            doc.remove(field);
        } else {
            doc.put(field, value);
        }
        return this;
    }

    /** Stores a token response: tokens, expiry, and the ID token when the server sent one. */
    public StoredSession applyTokens(TokenResponse tokens, Instant now) {
        Map<String, Object> token = Json.obj(doc, "token");
        if (token == null) {
            token = new LinkedHashMap<>();
            doc.put("token", token);
        }
        token.put("access_token", tokens.accessToken());
        token.put("token_type", tokens.tokenType() == null ? "Bearer" : tokens.tokenType());
        if (tokens.refreshToken() != null) {
            token.put("refresh_token", tokens.refreshToken());
        }
        token.put("expiry", tokens.expiresIn() > 0
            ? now.plusSeconds(tokens.expiresIn()).toString()
            : "0001-01-01T00:00:00Z");
        if (tokens.idToken() != null) {
            doc.put("id_token", tokens.idToken());
        }
        return this;
    }
}

package lib;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import java.security.interfaces.RSAPrivateKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A service account key file as the Datum Cloud portal issues it: JSON of type
 * "datum_service_account" with client_id, client_email, private_key_id, private_key (RSA, PEM in
 * PKCS#1 or PKCS#8), token_uri, and optionally scope and api_endpoint.
 *
 * <p>{@link #parse} checks everything before any network call, so a bad file fails at once with
 * a message that names the problem and never the key material.
 */
public record ServiceAccountKey(String clientId, String clientEmail, String privateKeyId, String privateKeyPem,
                                RSAPrivateKey privateKey, String tokenUri, String scope, String apiEndpoint) {

    public static final String TYPE = "datum_service_account";
    private static final List<String> REQUIRED = List.of("client_id", "private_key_id", "private_key", "token_uri");
    private static final String HINT = "Pass the JSON key file downloaded for the service account from the Datum Cloud portal.";

    /** Parses and checks a key file's text; origin names it in errors, such as "file ci.json" or "from stdin". */
    public static ServiceAccountKey parse(String json, String origin) {
        Map<String, Object> document;
        try {
            document = Json.parseObject(json);
        } catch (IllegalArgumentException e) {
            throw new UserError("invalid service account key " + origin + ": it is not a JSON object", HINT);
        }
        Object type = document.get("type");
        if (!TYPE.equals(type)) {
            throw new UserError("invalid service account key " + origin + ": type is "
                + (type == null ? "missing" : "\"" + type + "\"") + ", expected \"" + TYPE + "\"", HINT);
        }
        List<String> missing = new ArrayList<>();
        for (String field : REQUIRED) {
            if (!(document.get(field) instanceof String value) || value.isBlank()) {
                missing.add(field);
            }
        }
        if (!missing.isEmpty()) {
            throw new UserError("invalid service account key " + origin + ": missing " + String.join(", ", missing), HINT);
        }
        String pem = Json.str(document, "private_key");
        String tokenUri = Json.str(document, "token_uri");
        JwtBearer.audience(tokenUri);
        return new ServiceAccountKey(Json.str(document, "client_id"), optional(document, "client_email"),
            Json.str(document, "private_key_id"), pem, JwtBearer.parsePrivateKey(pem, origin), tokenUri,
            optional(document, "scope"), optional(document, "api_endpoint"));
    }

    private static String optional(Map<String, Object> document, String field) {
        return document.get(field) instanceof String value && !value.isBlank() ? value : null;
    }

    /** Returns the account's name in sessions: client_email, or client_id when the key has no email. */
    public String identity() {
        return clientEmail != null ? clientEmail : clientId;
    }

    /** Returns the scope to request: the key's own, else the default login scopes. */
    public String requestedScope() {
        return scope != null ? scope : JwtBearer.DEFAULT_SCOPE;
    }

    /** Mints the RS256 assertion for a token endpoint with Nimbus JOSE+JWT. */
    public String mint(String tokenEndpoint, Instant now) {
        JWTClaimsSet claimSet = new JWTClaimsSet.Builder()
            .issuer(clientId)
            .subject(clientId)
            .audience(JwtBearer.audience(tokenEndpoint))
            .issueTime(Date.from(now))
            .expirationTime(Date.from(now.plusSeconds(JwtBearer.LIFETIME_SECONDS)))
            .jwtID(UUID.randomUUID().toString())
            .build();
        JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(privateKeyId).type(JOSEObjectType.JWT).build();
        SignedJWT jwt = new SignedJWT(header, claimSet);
        try {
            jwt.sign(new RSASSASigner(privateKey));
        } catch (JOSEException e) {
            throw new UserError("cannot sign the service account assertion: " + e.getMessage(),
                "Check that private_key is a valid RSA key of at least 2048 bits.", e);
        }
        return jwt.serialize();
    }

    /** Keeps the key material out of logs and stack traces. */
    @Override
    public String toString() {
        return "ServiceAccountKey[clientId=" + clientId + ", clientEmail=" + clientEmail + ", privateKeyId=" + privateKeyId
            + ", tokenUri=" + tokenUri + "]";
    }
}

package lib;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The JWT bearer grant (RFC 7523) of service accounts, with the JDK alone: reads the RSA private
 * key from PEM, builds and signs the RS256 assertion, and names the form fields of the exchange.
 *
 * <p>The lean exec plugin re-mints with this class when a service account's token runs out, so
 * it must not depend on Nimbus or any other library besides jackson-core.
 */
public final class JwtBearer {

    public static final String GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer";
    public static final String DEFAULT_SCOPE = Oidc.SCOPES;
    /** Lifetime of an assertion: it is used once, right after minting. */
    public static final long LIFETIME_SECONDS = 60;

    private static final Pattern PEM_BLOCK = Pattern.compile(
        "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*)-----END \\1-----");
    /** DER of the AlgorithmIdentifier for rsaEncryption (OID 1.2.840.113549.1.1.1) with NULL parameters. */
    private static final byte[] RSA_ALGORITHM_ID = {
        0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};
    private static final List<String> OTHER_ALGORITHMS = List.of("EC", "Ed25519", "Ed448", "DSA");

    private JwtBearer() {
    }

    /**
     * Parses an RSA private key from PEM: PKCS#8 ("PRIVATE KEY") or PKCS#1 ("RSA PRIVATE KEY").
     * Errors name the origin and the problem, never the key material.
     */
    public static RSAPrivateKey parsePrivateKey(String pem, String origin) {
        Matcher block = PEM_BLOCK.matcher(pem == null ? "" : pem);
        if (!block.find()) {
            throw invalidKey(origin, "private_key is not a PEM block ('-----BEGIN PRIVATE KEY-----' ... '-----END PRIVATE KEY-----')");
        }
        String label = block.group(1);
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(block.group(2).replaceAll("\\s", ""));
        } catch (IllegalArgumentException e) {
            throw invalidKey(origin, "the PEM block of private_key is not valid base64");
        }
        return switch (label) {
            case "PRIVATE KEY" -> rsaFromPkcs8(der, origin);
            case "RSA PRIVATE KEY" -> rsaFromPkcs8(wrapPkcs1(der), origin);
            case "EC PRIVATE KEY", "DSA PRIVATE KEY", "OPENSSH PRIVATE KEY" ->
                throw invalidKey(origin, "private_key is a PEM block of type " + label + ", but service accounts sign with RSA keys");
            case "ENCRYPTED PRIVATE KEY" ->
                throw invalidKey(origin, "private_key is encrypted; datumctl needs the unencrypted key as the Datum Cloud portal issues it");
            default -> throw invalidKey(origin, "private_key is a PEM block of type " + label + ", not an RSA private key");
        };
    }

    private static RSAPrivateKey rsaFromPkcs8(byte[] der, String origin) {
        try {
            PrivateKey key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
            return (RSAPrivateKey) key;
        } catch (InvalidKeySpecException e) {
            String other = otherAlgorithm(der);
            throw invalidKey(origin, other != null
                ? "private_key is a key of type " + other + ", but service accounts sign with RSA keys"
                : "private_key cannot be read as an RSA private key (PKCS#1 or PKCS#8)");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no RSA key factory", e);
        }
    }

    /** Names the algorithm of a PKCS#8 key that is not RSA, or returns null when none fits. */
    private static String otherAlgorithm(byte[] der) {
        for (String algorithm : OTHER_ALGORITHMS) {
            try {
                KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
                return algorithm;
            } catch (GeneralSecurityException e) {
                // Not this algorithm either; try the next one.
            }
        }
        return null;
    }

    /** Wraps a PKCS#1 RSAPrivateKey into a PKCS#8 PrivateKeyInfo, the only form the JDK's KeyFactory reads. */
    static byte[] wrapPkcs1(byte[] pkcs1) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(new byte[] {0x02, 0x01, 0x00});
        body.writeBytes(RSA_ALGORITHM_ID);
        body.writeBytes(derHeader(0x04, pkcs1.length));
        body.writeBytes(pkcs1);
        ByteArrayOutputStream info = new ByteArrayOutputStream();
        info.writeBytes(derHeader(0x30, body.size()));
        info.writeBytes(body.toByteArray());
        return info.toByteArray();
    }

    private static byte[] derHeader(int tag, int length) {
        if (length < 0x80) {
            return new byte[] {(byte) tag, (byte) length};
        }
        int bytes = 1;
        if (length > 0xffff) {
            bytes = 3;
        } else if (length > 0xff) {
            bytes = 2;
        }
        byte[] header = new byte[2 + bytes];
        header[0] = (byte) tag;
        header[1] = (byte) (0x80 | bytes);
        for (int i = 0; i < bytes; i++) {
            header[2 + i] = (byte) (length >>> (8 * (bytes - 1 - i)));
        }
        return header;
    }

    private static UserError invalidKey(String origin, String problem) {
        return new UserError("invalid service account key " + origin + ": " + problem,
            "Download a new key for the service account from the Datum Cloud portal and pass it with --credentials.");
    }

    /** Returns the assertion's audience: scheme and authority of the token endpoint, which is the issuer on Zitadel. */
    public static String audience(String tokenUri) {
        URI uri;
        try {
            uri = URI.create(tokenUri);
        } catch (IllegalArgumentException e) {
            throw new UserError("invalid token URL " + tokenUri, "Pass a key whose token_uri is an https URL.");
        }
        if (uri.getScheme() == null || uri.getRawAuthority() == null) {
            throw new UserError("invalid token URL " + tokenUri, "Pass a key whose token_uri is an https URL.");
        }
        return uri.getScheme() + "://" + uri.getRawAuthority();
    }

    /** Returns the claims of a fresh assertion: iss = sub = clientId, aud, iat, exp = iat + 60 s, a random jti. */
    public static Map<String, Object> claims(String clientId, String audience, Instant now) {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", clientId);
        claims.put("sub", clientId);
        claims.put("aud", audience);
        claims.put("iat", now.getEpochSecond());
        claims.put("exp", now.getEpochSecond() + LIFETIME_SECONDS);
        claims.put("jti", UUID.randomUUID().toString());
        return claims;
    }

    /** Mints the compact RS256 JWS of an assertion by hand: base64url(header).base64url(claims).signature. */
    public static String mint(String clientId, String keyId, RSAPrivateKey key, String tokenUri, Instant now) {
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("alg", "RS256");
        header.put("typ", "JWT");
        header.put("kid", keyId);
        String signingInput = base64Url(Json.write(header)) + "." + base64Url(Json.write(claims(clientId, audience(tokenUri), now)));
        try {
            Signature signature = Signature.getInstance("SHA256withRSA");
            signature.initSign(key);
            signature.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(signature.sign());
        } catch (GeneralSecurityException e) {
            throw new UserError("cannot sign the service account assertion: " + e.getMessage(),
                "Run 'datumctl login --credentials FILE' again with a valid key.", e);
        }
    }

    private static String base64Url(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    /** Builds the token request form of the grant. A blank scope requests the default scopes. */
    public static Map<String, String> form(String assertion, String scope) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", GRANT_TYPE);
        form.put("assertion", assertion);
        form.put("scope", scope == null || scope.isBlank() ? DEFAULT_SCOPE : scope);
        return form;
    }
}

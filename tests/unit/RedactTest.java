package unit;

import lib.Http.Redact;
import org.junit.jupiter.api.Test;

import java.net.URI;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RedactTest {

    static final String JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhZGEifQ.c2lnbmF0dXJl";

    @Test
    void masksSecretQueryParametersAndKeepsTheRest() {
        String url = Redact.url(URI.create("http://localhost:8000/datumctl/auth/callback?code=abc123&state=s1"));
        assertEquals("http://localhost:8000/datumctl/auth/callback?code=[redacted]&state=s1", url);
    }

    @Test
    void masksCredentialHeadersButKeepsTheScheme() {
        assertEquals("Authorization: Bearer [redacted]", Redact.header("Authorization", "Bearer " + JWT));
        assertEquals("Accept: application/json", Redact.header("Accept", "application/json"));
    }

    @Test
    void masksTokensFormsAndPrivateKeysInText() {
        String text = Redact.text("{\"access_token\":\"opaque-1\",\"token_type\":\"Bearer\"} grant_type=refresh_token"
            + "&refresh_token=opaque-2&client_assertion=" + JWT
            + " -----BEGIN PRIVATE KEY-----\nMIIEv\n-----END PRIVATE KEY-----");
        assertFalse(text.contains("opaque-1") || text.contains("opaque-2") || text.contains(JWT) || text.contains("MIIEv"), text);
        assertTrue(text.contains("\"token_type\":\"Bearer\""), text);
        assertTrue(text.contains("grant_type=refresh_token"), text);
    }
}

package unit;

import lib.Endpoints;
import lib.UserError;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EndpointsTest {

    @Test
    void bareHostMeansHttps() {
        assertEquals("https://auth.datum.net", Endpoints.baseUrl("auth.datum.net"));
        assertEquals("https://127.0.0.1:8443", Endpoints.baseUrl("127.0.0.1:8443"));
    }

    @Test
    void httpsUrlKeepsAuthorityOnly() {
        assertEquals("https://auth.example.com:8443", Endpoints.baseUrl("https://auth.example.com:8443/realms/x/"));
    }

    @Test
    void plainHttpAcceptedForLoopbackHosts() {
        for (String url : List.of("http://127.0.0.1:8080", "http://127.1.2.3:8080", "http://localhost:8080",
                "http://[::1]:8080", "HTTP://LOCALHOST:8080")) {
            assertTrue(Endpoints.baseUrl(url).startsWith("http://"), url + " gives " + Endpoints.baseUrl(url));
        }
        assertEquals("http://127.0.0.1:8080", Endpoints.baseUrl("http://127.0.0.1:8080/realms/datumctl"));
    }

    @Test
    void plainHttpRejectedForOtherHosts() {
        for (String url : List.of("http://auth.datum.net", "http://10.0.0.1:8080", "http://127.example.com",
                "http://localhost.example.com:8080", "http://127.0.0.1.nip.io", "ftp://127.0.0.1")) {
            UserError error = assertThrows(UserError.class, () -> Endpoints.baseUrl(url), url);
            assertTrue(error.getMessage().contains("only https is supported"), error.getMessage());
            assertEquals(2, error.exitCode(), url);
        }
    }

    @Test
    void issuerUrlKeepsPathWithoutTrailingSlash() {
        assertEquals("http://127.0.0.1:8080/realms/datumctl", Endpoints.issuerUrl("http://127.0.0.1:8080/realms/datumctl/"));
        assertEquals("https://auth.datum.net", Endpoints.issuerUrl("auth.datum.net"));
        assertEquals("https://auth.datum.net", Endpoints.issuerUrl("https://auth.datum.net/"));
    }

    @Test
    void hostKeyIgnoresSchemeAndPath() {
        assertEquals("127.0.0.1:8080", Endpoints.hostKey("http://127.0.0.1:8080/realms/datumctl"));
        assertEquals("auth.datum.net", Endpoints.hostKey("auth.datum.net"));
    }
}

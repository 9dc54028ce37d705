package unit;

import lib.Pkce;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PkceTest {

    @Test
    void challengeMatchesRfc7636Example() {
        // RFC 7636 appendix B: the example verifier and its S256 challenge.
        assertEquals("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            Pkce.challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"));
    }

    @Test
    void createdVerifierIsValidAndMatchesChallenge() {
        Pkce pkce = Pkce.create();

        assertTrue(pkce.verifier().length() >= 43, pkce.verifier().length() + " characters");
        assertTrue(pkce.verifier().length() <= 128, pkce.verifier().length() + " characters");
        assertTrue(pkce.verifier().matches("[A-Za-z0-9._~-]+"), "verifier uses only unreserved characters");
        assertEquals(Pkce.challenge(pkce.verifier()), pkce.challenge());
        assertEquals("S256", Pkce.METHOD);
    }

    @Test
    void verifiersAndTokensAreFresh() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            assertTrue(seen.add(Pkce.create().verifier()), "a verifier repeated");
            assertTrue(seen.add(Pkce.randomToken()), "a state or nonce repeated");
        }
        assertNotEquals(Pkce.randomToken(), Pkce.randomToken());
    }

    @Test
    void invalidVerifierIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> Pkce.challenge("too-short"));
        assertThrows(IllegalArgumentException.class, () -> Pkce.challenge("a".repeat(129)));
        assertThrows(IllegalArgumentException.class, () -> Pkce.challenge("a".repeat(42) + "/"));
        assertEquals(43, Pkce.challenge("a".repeat(43)).length());
    }

    @Test
    void toStringHidesVerifier() {
        Pkce pkce = Pkce.create();

        assertFalse(pkce.toString().contains(pkce.verifier()));
    }
}

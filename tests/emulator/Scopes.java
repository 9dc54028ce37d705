package emulator;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Scope parsing and the scopes the provider grants. */
final class Scopes {

    static final List<String> SUPPORTED = List.of("openid", "profile", "email", "offline_access");
    /** Zitadel's reserved scope prefix. Such scopes are accepted and passed through unchanged. */
    private static final String ZITADEL_PREFIX = "urn:zitadel:iam:";

    private Scopes() {
    }

    static Set<String> parse(String scope) {
        Set<String> scopes = new LinkedHashSet<>();
        if (scope != null) {
            Arrays.stream(scope.trim().split(" +")).filter(s -> !s.isEmpty()).forEach(scopes::add);
        }
        return scopes;
    }

    static boolean has(String scope, String expected) {
        return parse(scope).contains(expected);
    }

    /** Checks a requested scope: openid is required and unknown scopes are rejected with invalid_scope. */
    static String validate(String scope) throws OAuthError {
        Set<String> scopes = parse(scope);
        if (!scopes.contains("openid")) {
            throw new OAuthError("invalid_scope", "scope must contain openid, got: " + (scope == null ? "nothing" : scope));
        }
        for (String s : scopes) {
            if (!SUPPORTED.contains(s) && !s.startsWith(ZITADEL_PREFIX)) {
                throw new OAuthError("invalid_scope", "scope " + s + " is not supported; supported: " + String.join(" ", SUPPORTED));
            }
        }
        return String.join(" ", scopes);
    }
}

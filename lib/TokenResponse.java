package lib;

import java.util.Map;

/** The fields of an OAuth 2.0 token response that datumctl uses. */
public record TokenResponse(String accessToken, String tokenType, String refreshToken, String idToken,
                            long expiresIn, String scope) {

    /** Reads a token endpoint's JSON response; the URL names the server in errors. */
    public static TokenResponse fromJson(Map<String, Object> body, String tokenUrl) {
        String accessToken = Json.str(body, "access_token");
        if (accessToken == null || accessToken.isEmpty()) {
            throw new UserError("the token endpoint " + tokenUrl + " answered without an access_token",
                "Check that --hostname names a Datum Cloud auth server.");
        }
        return new TokenResponse(accessToken, Json.str(body, "token_type"), Json.str(body, "refresh_token"),
            Json.str(body, "id_token"), Json.num(body, "expires_in", 0), Json.str(body, "scope"));
    }
}

package lib;

/** An OAuth 2.0 error response (RFC 6749 section 5.2): the error code and its description. */
public class OAuthError extends RuntimeException {

    private final String error;
    private final String description;

    public OAuthError(String error, String description) {
        super(description == null || description.isBlank() ? error : error + ": " + description);
        this.error = error;
        this.description = description;
    }

    public String error() {
        return error;
    }

    public String description() {
        return description;
    }
}

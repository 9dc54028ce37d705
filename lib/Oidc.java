package lib;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.util.Map;

/** OIDC discovery and token endpoint calls shared by every login flow and the refresh path. */
public final class Oidc {

    public static final String SCOPES = "openid profile email offline_access";
    public static final String GRANT_REFRESH = "refresh_token";
    public static final String GRANT_CODE = "authorization_code";
    public static final String GRANT_DEVICE = "urn:ietf:params:oauth:grant-type:device_code";

    private Oidc() {
    }

    /** Fetches <issuer>/.well-known/openid-configuration. */
    public static Map<String, Object> discover(HttpClient client, String issuer) {
        String url = trimSlash(issuer) + "/.well-known/openid-configuration";
        HttpResponse<String> response = send(client, url, () -> client.send(
            Http.request(URI.create(url)).header("Accept", "application/json").GET().build(),
            Http.limitedString(Http.MAX_AUTH_RESPONSE_BYTES)));
        if (response.statusCode() != 200) {
            throw new UserError("OIDC discovery at " + url + " returned HTTP " + response.statusCode(),
                "Check --hostname: it must name the Datum Cloud auth server.");
        }
        Map<String, Object> document = parseJson(response.body(), url);
        if (Json.str(document, "token_endpoint") == null) {
            throw new UserError("the OIDC discovery document at " + url + " has no token_endpoint",
                "Check --hostname: it must name the Datum Cloud auth server.");
        }
        return document;
    }

    /**
     * POSTs a token request. Returns the token response, or throws OAuthError carrying the
     * server's error code (authorization_pending, invalid_grant, ...) for the caller to act on.
     */
    public static TokenResponse token(HttpClient client, String tokenUrl, Map<String, String> form) {
        Map<String, Object> body = tokenCall(client, tokenUrl, form);
        return TokenResponse.fromJson(body, tokenUrl);
    }

    /** POSTs a form to an OAuth endpoint and returns its JSON response, or throws OAuthError. */
    public static Map<String, Object> tokenCall(HttpClient client, String url, Map<String, String> form) {
        HttpResponse<String> response = send(client, url, () -> Http.postForm(client, url, form));
        int status = response.statusCode();
        if (status == 200) {
            return parseJson(response.body(), url);
        }
        if (status == 400 || status == 401) {
            Map<String, Object> error = tryParse(response.body());
            if (Json.str(error, "error") != null) {
                throw new OAuthError(Json.str(error, "error"), Json.str(error, "error_description"));
            }
        }
        throw new UserError(url + " returned HTTP " + status,
            "The auth server may be unavailable; try again later.");
    }

    public static String trimSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    interface Call {
        HttpResponse<String> run() throws IOException, InterruptedException;
    }

    static HttpResponse<String> send(HttpClient client, String url, Call call) {
        try {
            return call.run();
        } catch (javax.net.ssl.SSLHandshakeException e) {
            throw new UserError("cannot reach " + url + ": the server's TLS certificate is not trusted",
                "For a server with a private CA, pass its CA certificate with --certificate-authority FILE.", e);
        } catch (java.net.ConnectException e) {
            throw new UserError("cannot reach " + url + ": connection refused",
                "Check the address and port, and that the server is running.", e);
        } catch (java.net.http.HttpTimeoutException e) {
            throw new UserError("cannot reach " + url + ": timed out",
                "Check your network and proxy settings (HTTPS_PROXY, NO_PROXY), then try again.", e);
        } catch (IOException e) {
            if (Http.tooLarge(e) != null) {
                throw new UserError(url + " sent more than " + (Http.MAX_AUTH_RESPONSE_BYTES >> 10)
                    + " KiB; datumctl stopped reading", "Check that the address names a Datum Cloud auth server.", e);
            }
            String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new UserError("cannot reach " + url + ": " + reason,
                "Check the address, your network and proxy settings, and --certificate-authority for a private CA.", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserError("interrupted while waiting for " + url, null, e);
        }
    }

    private static Map<String, Object> parseJson(String body, String url) {
        try {
            return Json.parseObject(body);
        } catch (IllegalArgumentException e) {
            throw new UserError(url + " returned a body that is not a JSON object",
                "Check that the address names a Datum Cloud server.", e);
        }
    }

    private static Map<String, Object> tryParse(String body) {
        try {
            return Json.parseObject(body);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}

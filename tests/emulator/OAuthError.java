package emulator;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

import com.sun.net.httpserver.HttpExchange;

/** An OAuth 2.0 error response: an error code from the RFCs and a description for people. */
final class OAuthError extends Exception {

    final String error;
    final int status;

    OAuthError(String error, String description) {
        this(error, description, error.equals("invalid_client") ? 401 : 400);
    }

    OAuthError(String error, String description, int status) {
        super(description);
        this.error = error;
        this.status = status;
    }

    /** Sends the error as JSON, the format of the token, device authorization and revocation endpoints. */
    void send(HttpExchange exchange) throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", error);
        body.put("error_description", getMessage());
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.getResponseHeaders().set("Pragma", "no-cache");
        if (status == 401) {
            exchange.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"datum-cloud-emulator\"");
        }
        HttpIo.sendJson(exchange, status, body);
    }
}

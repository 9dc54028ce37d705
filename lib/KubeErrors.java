package lib;

import java.util.Map;

/** Turns a failed Kubernetes API response into a {@link UserError} with the server's message and a next step. */
final class KubeErrors {

    /** Non-Status bodies are quoted up to this many characters. */
    private static final int MAX_QUOTED = 200;

    private KubeErrors() {
    }

    static UserError fromResponse(int code, String body, String what, String server) {
        String message = statusMessage(body);
        return switch (code) {
            case 401 -> new UserError("the control plane rejected your credentials (401 Unauthorized): " + message,
                "Run 'datumctl login' to sign in again, then retry.");
            case 403 -> new UserError("forbidden (403): " + message,
                "Ask an owner of the organization or project for access; 'datumctl auth can-i --list' shows what you may do.");
            case 404 -> new UserError("not found (404): " + message + " (" + what + " on " + server + ")",
                "Check the name and the control plane; 'datumctl api-resources' lists the resource types it serves.");
            case 409 -> new UserError("conflict (409): " + message,
                "The object changed or already exists: read it again and retry your change.");
            case 422 -> new UserError("invalid (422): " + message, "Fix the fields the message names and try again.");
            default -> new UserError(what + " on " + server + " failed with HTTP " + code + ": " + message,
                code >= 500 ? "The server failed; try again later." : "Check the request and try again.");
        };
    }

    /** The message of a Status body, else the start of the body as text. */
    static String statusMessage(String body) {
        try {
            Map<String, Object> status = Json.parseObject(body);
            String message = Json.str(status, "message");
            if ("Status".equals(Json.str(status, "kind")) && message != null && !message.isBlank()) {
                return message;
            }
        } catch (IllegalArgumentException e) {
            // Not JSON: quote the text below.
        }
        String text = body == null ? "" : body.strip();
        if (text.isEmpty()) {
            return "(no message)";
        }
        return text.length() > MAX_QUOTED ? text.substring(0, MAX_QUOTED) + "..." : text;
    }
}

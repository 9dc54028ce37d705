package emulator;

import static emulator.HttpIo.escapeHtml;

import java.util.List;

/**
 * The emulator's HTML pages. They stay minimal so that tests can drive them with an HTTP client:
 * every form posts plain named fields, and each button carries its choice as {@code decision}.
 */
final class Pages {

    private Pages() {
    }

    /** Sign-in page of a browser authorization: one approve form per seeded user and one deny form. */
    static String signIn(String requestId, String clientId, String scope, List<Seed.User> users) {
        StringBuilder body = new StringBuilder();
        body.append("<h1>Sign in to Datum Cloud (emulator)</h1>\n");
        body.append("<p>Client <code>").append(escapeHtml(clientId)).append("</code> requests scopes <code>")
                .append(escapeHtml(scope)).append("</code>.</p>\n");
        for (Seed.User user : users) {
            body.append("<form method=\"post\" action=\"/oauth/v2/authorize/decision\">")
                    .append(hidden("request_id", requestId))
                    .append(hidden("email", user.email()))
                    .append("<button type=\"submit\" name=\"decision\" value=\"approve\">Sign in as ")
                    .append(escapeHtml(user.name())).append(" (").append(escapeHtml(user.email())).append(")</button>")
                    .append("</form>\n");
        }
        body.append("<form method=\"post\" action=\"/oauth/v2/authorize/decision\">")
                .append(hidden("request_id", requestId))
                .append("<button type=\"submit\" name=\"decision\" value=\"deny\">Deny</button></form>\n");
        return document("Sign in", body.toString());
    }

    /** Device verification page: the user code, the account to approve as, approve and deny buttons. */
    static String devicePage(String userCode, List<Seed.User> users) {
        StringBuilder body = new StringBuilder();
        body.append("<h1>Device login (emulator)</h1>\n");
        body.append("<form method=\"post\" action=\"/device\">\n");
        body.append("<label>User code <input type=\"text\" name=\"user_code\" value=\"")
                .append(escapeHtml(userCode)).append("\"></label>\n");
        body.append("<label>Account <select name=\"email\">");
        for (Seed.User user : users) {
            body.append("<option value=\"").append(escapeHtml(user.email())).append("\">")
                    .append(escapeHtml(user.name())).append(" (").append(escapeHtml(user.email())).append(")</option>");
        }
        body.append("</select></label>\n");
        body.append("<button type=\"submit\" name=\"decision\" value=\"approve\">Approve</button>\n");
        body.append("<button type=\"submit\" name=\"decision\" value=\"deny\">Deny</button>\n");
        body.append("</form>\n");
        return document("Device login", body.toString());
    }

    static String message(String title, String text) {
        return document(title, "<h1>" + escapeHtml(title) + "</h1>\n<p>" + escapeHtml(text) + "</p>\n");
    }

    private static String hidden(String name, String value) {
        return "<input type=\"hidden\" name=\"" + name + "\" value=\"" + escapeHtml(value) + "\">";
    }

    private static String document(String title, String body) {
        return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + escapeHtml(title)
                + " - Datum Cloud emulator</title></head>\n<body>\n" + body + "</body></html>\n";
    }
}

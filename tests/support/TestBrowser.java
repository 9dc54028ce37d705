package support;

import lib.Http;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Plays a user's browser against loopback servers: follows redirects, keeps cookies and submits
 * HTML forms. It sends cookies marked Secure over plain http too, because browsers treat loopback
 * as a secure context and Keycloak marks its login cookies Secure even on http. Java's
 * CookieManager drops them there, so this class keeps cookies itself.
 */
public final class TestBrowser {

    /** A page after all redirects: its address, status, body and parsed HTML. */
    public record Page(URI uri, int status, String body, Document html) {

        /** Returns the page's visible text, for assertions and failure messages. */
        public String text() {
            return html.text();
        }

        /** Returns true when the page has a form with an element matching the CSS selector. */
        public boolean hasForm(String fieldSelector) {
            return html.selectFirst("form " + fieldSelector) != null;
        }
    }

    private static final int MAX_REDIRECTS = 20;

    private final HttpClient http = HttpClient.newBuilder()
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(Duration.ofSeconds(10))
        .build();

    // Keyed by host without port, as browsers do (RFC 6265 section 8.5).
    private final Map<String, Map<String, String>> cookies = new ConcurrentHashMap<>();

    /** Opens url and follows redirects to the final page. */
    public Page open(String url) throws IOException, InterruptedException {
        return follow(HttpRequest.newBuilder(checkLoopback(URI.create(url))).GET());
    }

    /**
     * Submits the form that contains the element matching fieldSelector: its hidden and text fields
     * as the page has them, overridden by values, plus the named submit button.
     */
    public Page submit(Page page, String fieldSelector, Map<String, String> values, String button)
            throws IOException, InterruptedException {
        Element field = page.html().selectFirst("form " + fieldSelector);
        if (field == null) {
            throw new AssertionError("no form with " + fieldSelector + " on " + page.uri() + ":\n" + page.text());
        }
        Element form = field.closest("form");
        Map<String, String> data = new LinkedHashMap<>();
        for (Element input : form.select("input[name]")) {
            String type = input.attr("type").toLowerCase(Locale.ROOT);
            boolean clickable = type.equals("submit") || type.equals("button") || type.equals("image");
            boolean unchecked = (type.equals("checkbox") || type.equals("radio")) && !input.hasAttr("checked");
            if (!clickable && !unchecked) {
                data.put(input.attr("name"), input.val());
            }
        }
        data.putAll(values);
        if (button != null) {
            Element pressed = form.selectFirst("[name=" + button + "]");
            if (pressed == null) {
                throw new AssertionError("the form on " + page.uri() + " has no button named " + button + ":\n" + form);
            }
            data.put(button, pressed.val());
        }
        URI action = URI.create(form.absUrl("action").isEmpty() ? page.uri().toString() : form.absUrl("action"));
        HttpRequest.Builder request = HttpRequest.newBuilder(checkLoopback(action))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(Http.formEncode(data)));
        return follow(request);
    }

    private Page follow(HttpRequest.Builder first) throws IOException, InterruptedException {
        HttpRequest request = withCookies(first).build();
        for (int i = 0; i < MAX_REDIRECTS; i++) {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            keepCookies(response);
            String location = response.headers().firstValue("Location").orElse(null);
            if (response.statusCode() / 100 != 3 || location == null) {
                Document html = Jsoup.parse(response.body(), response.uri().toString());
                return new Page(response.uri(), response.statusCode(), response.body(), html);
            }
            URI next = checkLoopback(response.uri().resolve(location));
            request = withCookies(HttpRequest.newBuilder(next).GET()).build();
        }
        throw new AssertionError("more than " + MAX_REDIRECTS + " redirects starting at " + first.build().uri());
    }

    private HttpRequest.Builder withCookies(HttpRequest.Builder builder) {
        HttpRequest probe = builder.copy().build();
        builder.timeout(Duration.ofSeconds(30));
        Map<String, String> jar = cookies.get(probe.uri().getHost());
        if (jar != null && !jar.isEmpty()) {
            StringBuilder header = new StringBuilder();
            jar.forEach((name, value) -> header.append(header.length() == 0 ? "" : "; ").append(name).append('=').append(value));
            builder.setHeader("Cookie", header.toString());
        }
        return builder;
    }

    /** Stores Set-Cookie values, and drops a cookie that the server expires with Max-Age=0. */
    private void keepCookies(HttpResponse<?> response) {
        Map<String, String> jar = cookies.computeIfAbsent(response.uri().getHost(), host -> new ConcurrentHashMap<>());
        for (String header : response.headers().allValues("Set-Cookie")) {
            List<String> parts = List.of(header.split(";"));
            String pair = parts.get(0).trim();
            int equals = pair.indexOf('=');
            if (equals <= 0) {
                continue;
            }
            String name = pair.substring(0, equals);
            boolean expired = parts.stream().skip(1).map(String::trim)
                .anyMatch(attribute -> attribute.equalsIgnoreCase("Max-Age=0"));
            if (expired) {
                jar.remove(name);
            } else {
                jar.put(name, pair.substring(equals + 1));
            }
        }
    }

    /** Tests send traffic to loopback servers only; a redirect elsewhere fails the test instead. */
    private static URI checkLoopback(URI uri) {
        String host = uri.getHost() == null ? "" : uri.getHost();
        if (!host.equals("localhost") && !host.equals("[::1]") && !host.startsWith("127.")) {
            throw new AssertionError("the test browser only visits loopback addresses, not " + uri);
        }
        return uri;
    }
}

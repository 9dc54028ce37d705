package lib;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HTTP clients for the auth and API servers: timeouts everywhere, the proxy variables honoured
 * (java.net.http ignores them by itself), and an optional extra CA trusted beside the system ones.
 */
public final class Http {

    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    /** Discovery, JWKS and token responses are a few kilobytes; more means a wrong or hostile server. */
    public static final int MAX_AUTH_RESPONSE_BYTES = 1 << 20;

    private Http() {
    }

    // Set by --verbose: every client then reports its requests here, secrets masked by Redact.
    private static volatile java.io.PrintStream trace;

    /** Turns on the request trace (method, URL, headers, status) for every client made after this. */
    public static void traceTo(java.io.PrintStream out) {
        trace = out;
    }

    // Set by --insecure-skip-tls-verify only, which warns on every use.
    private static volatile boolean skipTlsVerification;

    /** Makes every client made after this accept any certificate and host name. */
    public static void skipTlsVerification() {
        skipTlsVerification = true;
        // java.net.http reads this once, when its first client is built; nothing is built before the flag is read.
        System.setProperty("jdk.internal.httpclient.disableHostnameVerification", "true");
    }

    /** Builds a client that trusts the system CAs plus caPem (PEM text, may be null). */
    public static HttpClient client(String caPem) {
        HttpClient client = plainClient(caPem);
        java.io.PrintStream out = trace;
        return out == null ? client : new TracingClient(client, out);
    }

    private static HttpClient plainClient(String caPem) {
        HttpClient.Builder builder = HttpClient.newBuilder()
            .connectTimeout(CONNECT_TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER)
            .proxy(new EnvironmentProxySelector(System.getenv()));
        if (skipTlsVerification) {
            builder.sslContext(trustEverything());
        } else if (caPem != null && !caPem.isBlank()) {
            builder.sslContext(sslContext(caPem));
        }
        return builder.build();
    }

    public static HttpRequest.Builder request(URI uri) {
        return HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT).header("User-Agent", "datumctl-jbang");
    }

    /** Sends an application/x-www-form-urlencoded POST and returns the response body as text. */
    public static HttpResponse<String> postForm(HttpClient client, String url, Map<String, String> form)
            throws IOException, InterruptedException {
        HttpRequest request = request(URI.create(url))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Accept", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(formEncode(form)))
            .build();
        return client.send(request, limitedString(MAX_AUTH_RESPONSE_BYTES));
    }

    /** Reads a response body as UTF-8 text, failing with ResponseTooLarge once it passes maxBytes. */
    public static HttpResponse.BodyHandler<String> limitedString(int maxBytes) {
        return info -> new LimitedSubscriber(maxBytes);
    }

    /** A response body that passed the limit; reading stopped there. */
    public static final class ResponseTooLarge extends IOException {
        public ResponseTooLarge(int maxBytes) {
            super("the response is larger than " + (maxBytes >> 10) + " KiB");
        }
    }

    /** Returns the ResponseTooLarge in e's causes, or null: HttpClient rethrows body errors wrapped. */
    public static ResponseTooLarge tooLarge(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof ResponseTooLarge tooLarge) {
                return tooLarge;
            }
        }
        return null;
    }

    private static final class LimitedSubscriber implements HttpResponse.BodySubscriber<String> {

        private final int maxBytes;
        private final java.io.ByteArrayOutputStream buffer = new java.io.ByteArrayOutputStream();
        private final java.util.concurrent.CompletableFuture<String> result = new java.util.concurrent.CompletableFuture<>();
        private java.util.concurrent.Flow.Subscription subscription;

        LimitedSubscriber(int maxBytes) {
            this.maxBytes = maxBytes;
        }

        @Override
        public java.util.concurrent.CompletionStage<String> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(java.util.concurrent.Flow.Subscription value) {
            subscription = value;
            value.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<java.nio.ByteBuffer> items) {
            if (result.isDone()) {
                return;
            }
            for (java.nio.ByteBuffer item : items) {
                byte[] chunk = new byte[item.remaining()];
                item.get(chunk);
                buffer.write(chunk, 0, chunk.length);
            }
            if (buffer.size() > maxBytes) {
                subscription.cancel();
                result.completeExceptionally(new ResponseTooLarge(maxBytes));
            }
        }

        @Override
        public void onError(Throwable error) {
            result.completeExceptionally(error);
        }

        @Override
        public void onComplete() {
            result.complete(buffer.toString(StandardCharsets.UTF_8));
        }
    }

    public static String formEncode(Map<String, String> form) {
        StringJoiner joined = new StringJoiner("&");
        form.forEach((name, value) -> {
            if (value != null) {
                joined.add(encode(name) + "=" + encode(value));
            }
        });
        return joined.toString();
    }

    public static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** Decodes "certificate-authority-data" style input: PEM text, or base64 of PEM. */
    public static String pemFromData(String data) {
        if (data == null || data.contains("-----BEGIN")) {
            return data;
        }
        return new String(Base64.getMimeDecoder().decode(data), StandardCharsets.UTF_8);
    }

    /** Parses every certificate in PEM text; throws CertificateException when there is none. */
    public static List<X509Certificate> parseCertificates(String pem) throws CertificateException {
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        Collection<? extends java.security.cert.Certificate> certs =
            factory.generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
        List<X509Certificate> result = new ArrayList<>();
        for (java.security.cert.Certificate cert : certs) {
            result.add((X509Certificate) cert);
        }
        if (result.isEmpty()) {
            throw new CertificateException("no PEM certificate found");
        }
        return result;
    }

    private static SSLContext sslContext(String caPem) {
        try {
            KeyStore extra = KeyStore.getInstance(KeyStore.getDefaultType());
            extra.load(null, null);
            int i = 0;
            for (X509Certificate cert : parseCertificates(caPem)) {
                extra.setCertificateEntry("extra-" + i++, cert);
            }
            X509TrustManager extraTrust = trustManager(extra);
            X509TrustManager systemTrust = trustManager(null);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new EitherTrustManager(extraTrust, systemTrust)}, null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new UserError("cannot use the certificate authority: " + e.getMessage(),
                "Pass a PEM file with --certificate-authority.", e);
        }
    }

    private static SSLContext trustEverything() {
        X509TrustManager any = new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
                // Nothing checked: the user asked for no verification and was warned.
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
                // Nothing checked: the user asked for no verification and was warned.
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {any}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK cannot create a TLS context", e);
        }
    }

    private static X509TrustManager trustManager(KeyStore store) throws GeneralSecurityException {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        for (TrustManager manager : factory.getTrustManagers()) {
            if (manager instanceof X509TrustManager x509) {
                return x509;
            }
        }
        throw new GeneralSecurityException("no X.509 trust manager available");
    }

    /** Trusts a server chain that either the extra CA or the system CAs accept. */
    private record EitherTrustManager(X509TrustManager first, X509TrustManager second) implements X509TrustManager {

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            second.checkClientTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            try {
                first.checkServerTrusted(chain, authType);
            } catch (CertificateException e) {
                second.checkServerTrusted(chain, authType);
            }
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            X509Certificate[] a = first.getAcceptedIssuers();
            X509Certificate[] b = second.getAcceptedIssuers();
            X509Certificate[] all = new X509Certificate[a.length + b.length];
            System.arraycopy(a, 0, all, 0, a.length);
            System.arraycopy(b, 0, all, a.length, b.length);
            return all;
        }
    }

    /**
     * Masks secrets in anything datumctl prints for diagnosis: URLs, HTTP headers and free text.
     * Every trace goes through here, so a new secret-bearing name is added in one place.
     */
    public static final class Redact {

        public static final String MASK = "[redacted]";

        /** Query, form and JSON field names whose values are secrets. */
        static final Set<String> SECRET_NAMES = Set.of("code", "access_token", "refresh_token", "id_token", "token",
            "device_code", "client_assertion", "assertion", "client_secret", "password", "private_key", "subject_token",
            "code_verifier");

        private static final Set<String> SECRET_HEADERS = Set.of("authorization", "proxy-authorization", "cookie",
            "set-cookie");

        private static final Pattern JWT = Pattern.compile("eyJ[A-Za-z0-9_-]*\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*");
        private static final Pattern PEM_KEY = Pattern.compile(
            "-----BEGIN ([A-Z ]*)PRIVATE KEY-----.*?-----END \\1PRIVATE KEY-----", Pattern.DOTALL);
        private static final Pattern FIELD = Pattern.compile(
            "(\"?)([A-Za-z_]+)\\1(\\s*[:=]\\s*\"?)([^\"&\\s,}]+)");

        private Redact() {
        }

        /** Returns the URL with the values of secret query parameters masked. */
        public static String url(URI uri) {
            String query = uri.getRawQuery();
            String base = uri.toString();
            if (query == null) {
                return base;
            }
            int start = base.indexOf('?');
            return base.substring(0, start + 1) + text(query) + (uri.getRawFragment() == null ? "" : "#" + uri.getRawFragment());
        }

        /** Formats a header as "Name: value", with credentials masked but their scheme kept ("Bearer [redacted]"). */
        public static String header(String name, String value) {
            if (!SECRET_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                return name + ": " + value;
            }
            int space = value.indexOf(' ');
            return name + ": " + (space > 0 ? value.substring(0, space + 1) : "") + MASK;
        }

        /** Returns text (a form, a JSON body, a query) with JWTs, private keys and secret fields masked. */
        public static String text(String text) {
            if (text == null) {
                return null;
            }
            String masked = PEM_KEY.matcher(text).replaceAll(MASK);
            masked = JWT.matcher(masked).replaceAll(MASK);
            Matcher field = FIELD.matcher(masked);
            StringBuilder out = new StringBuilder();
            while (field.find()) {
                boolean secret = SECRET_NAMES.contains(field.group(2).toLowerCase(Locale.ROOT));
                String replacement = secret ? field.group(1) + field.group(2) + field.group(1) + field.group(3) + MASK : field.group();
                field.appendReplacement(out, Matcher.quoteReplacement(replacement));
            }
            field.appendTail(out);
            return out.toString();
        }
    }

    /** A client that prints each request and its status to the trace, with secrets masked. */
    static final class TracingClient extends HttpClient {

        private final HttpClient delegate;
        private final java.io.PrintStream out;

        TracingClient(HttpClient delegate, java.io.PrintStream out) {
            this.delegate = delegate;
            this.out = out;
        }

        private void request(HttpRequest request) {
            StringBuilder line = new StringBuilder("http: ").append(request.method()).append(' ')
                .append(Redact.url(request.uri()));
            request.headers().map().forEach((name, values) -> values.forEach(value ->
                line.append("\nhttp:   ").append(Redact.header(name, value))));
            out.println(line);
        }

        private void response(HttpRequest request, int status) {
            out.println("http: " + status + " from " + request.method() + " " + Redact.url(request.uri()));
        }

        @Override
        public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler)
                throws IOException, InterruptedException {
            request(request);
            HttpResponse<T> response = delegate.send(request, handler);
            response(request, response.statusCode());
            return response;
        }

        @Override
        public <T> java.util.concurrent.CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request,
                HttpResponse.BodyHandler<T> handler) {
            request(request);
            return delegate.sendAsync(request, handler).whenComplete((response, error) -> {
                if (response != null) {
                    response(request, response.statusCode());
                }
            });
        }

        @Override
        public <T> java.util.concurrent.CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request,
                HttpResponse.BodyHandler<T> handler, HttpResponse.PushPromiseHandler<T> push) {
            return sendAsync(request, handler);
        }

        @Override
        public java.util.Optional<java.net.CookieHandler> cookieHandler() {
            return delegate.cookieHandler();
        }

        @Override
        public java.util.Optional<Duration> connectTimeout() {
            return delegate.connectTimeout();
        }

        @Override
        public Redirect followRedirects() {
            return delegate.followRedirects();
        }

        @Override
        public java.util.Optional<ProxySelector> proxy() {
            return delegate.proxy();
        }

        @Override
        public SSLContext sslContext() {
            return delegate.sslContext();
        }

        @Override
        public javax.net.ssl.SSLParameters sslParameters() {
            return delegate.sslParameters();
        }

        @Override
        public java.util.Optional<java.net.Authenticator> authenticator() {
            return delegate.authenticator();
        }

        @Override
        public Version version() {
            return delegate.version();
        }

        @Override
        public java.util.Optional<java.util.concurrent.Executor> executor() {
            return delegate.executor();
        }
    }

    /**
     * HTTPS_PROXY / HTTP_PROXY / NO_PROXY in either case, with Go's rules: loopback hosts never
     * go through a proxy, and a NO_PROXY entry matches the host and its subdomains.
     */
    static final class EnvironmentProxySelector extends ProxySelector {

        private final Map<String, String> env;

        EnvironmentProxySelector(Map<String, String> env) {
            this.env = env;
        }

        @Override
        public List<Proxy> select(URI uri) {
            String proxy = "https".equalsIgnoreCase(uri.getScheme()) ? variable("HTTPS_PROXY") : variable("HTTP_PROXY");
            if (proxy == null || proxy.isBlank() || bypass(uri.getHost())) {
                return List.of(Proxy.NO_PROXY);
            }
            URI proxyUri = URI.create(proxy.contains("://") ? proxy : "http://" + proxy);
            int port = proxyUri.getPort() > 0 ? proxyUri.getPort() : 80;
            return List.of(new Proxy(Proxy.Type.HTTP, InetSocketAddress.createUnresolved(proxyUri.getHost(), port)));
        }

        boolean bypass(String host) {
            if (host == null) {
                return true;
            }
            String h = host.toLowerCase(Locale.ROOT).replaceAll("^\\[|\\]$", "");
            if (h.equals("localhost") || h.startsWith("127.") || h.equals("::1")) {
                return true;
            }
            String noProxy = variable("NO_PROXY");
            if (noProxy == null) {
                return false;
            }
            for (String entry : noProxy.split(",")) {
                String e = entry.trim().toLowerCase(Locale.ROOT);
                if (e.equals("*")) {
                    return true;
                }
                e = e.startsWith(".") ? e.substring(1) : e;
                if (!e.isEmpty() && (h.equals(e) || h.endsWith("." + e))) {
                    return true;
                }
            }
            return false;
        }

        private String variable(String name) {
            String upper = env.get(name);
            return upper != null ? upper : env.get(name.toLowerCase(Locale.ROOT));
        }

        @Override
        public void connectFailed(URI uri, SocketAddress address, IOException e) {
            // Nothing to remember: the request fails with e and the caller reports it.
        }
    }
}

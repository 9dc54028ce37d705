///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DEPS info.picocli:picocli:4.7.6
//DEPS com.fasterxml.jackson.core:jackson-core:2.18.2
//DEPS org.yaml:snakeyaml:2.3
//DEPS com.nimbusds:nimbus-jose-jwt:9.47
//SOURCES Cli.java
//SOURCES ../lib/AtomicFiles.java ../lib/Browser.java ../lib/BrowserLogin.java ../lib/CredentialStore.java
//SOURCES ../lib/DatumHome.java ../lib/DeviceLogin.java ../lib/Endpoints.java ../lib/Http.java
//SOURCES ../lib/IdTokenVerifier.java ../lib/Json.java ../lib/LoginFlow.java ../lib/OAuthError.java
//SOURCES ../lib/Oidc.java ../lib/Pkce.java ../lib/SessionConfig.java ../lib/Sessions.java
//SOURCES ../lib/StoredSession.java ../lib/TokenResponse.java ../lib/UserError.java
//SOURCES ../lib/JwtBearer.java ../lib/ServiceAccountKey.java ../lib/ServiceAccountLogin.java
//SOURCES ../lib/ServiceAccountSession.java ../lib/Terminal.java

package auth;

import lib.CredentialStore;
import lib.LoginFlow;
import lib.ServiceAccountKey;
import lib.ServiceAccountLogin;
import lib.StoredSession;
import lib.Terminal;
import lib.UserError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * `datumctl login`: signs a user in with the browser or the device flow, or a service account
 * with its key, and stores the session.
 */
@Command(name = "login",
    description = {
        "Log in to Datum Cloud and make the new session the active one.",
        "",
        "Opens your browser to sign in (authorization code flow with PKCE, answered on a loopback port)."
            + " With --no-browser, prints a URL and a code to approve on any device instead."
            + " With --credentials, signs a service account in with its JSON key, for CI and scripts.",
        "",
        "When stdin is not a terminal or the CI variable is set, login never opens a browser: without"
            + " --credentials or --no-browser it exits with code 2 and explains how to log in headless."
            + " Tokens go to the OS keyring (the Secret Service on Linux) when there is one, else to"
            + " credentials.json under $DATUMCTL_HOME (default ~/.datumctl); DATUMCTL_CREDENTIAL_STORE=keyring|file"
            + " chooses."},
    footerHeading = "%nExamples:%n",
    footer = {
        "  # Log in to Datum Cloud in your browser",
        "  datumctl login",
        "",
        "  # Log in from a headless machine: approve the printed code on another device",
        "  datumctl login --no-browser",
        "",
        "  # Log in with a service account key, read from a CI secret variable on stdin",
        "  printf '%%s' \"$DATUM_CREDENTIALS\" | datumctl login --credentials -",
        "",
        "  # Log in to a local emulator that uses its own CA",
        "  datumctl login --hostname https://127.0.0.1:PORT --client-id datumctl-local \\",
        "      --certificate-authority ca.pem"})
public class Login implements Callable<Integer> {

    @Mixin
    Cli.Verbosity verbosity;

    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Option(names = "--hostname", paramLabel = "HOST",
        description = "Auth server: a host name or an issuer URL such as https://127.0.0.1:8443; plain http is accepted"
            + " for loopback hosts only (default: auth.datum.net).")
    String hostname;

    @Option(names = "--api-hostname", paramLabel = "HOST",
        description = "API server; by default 'auth.' in the auth host becomes 'api.', and a loopback auth server serves the API itself.")
    String apiHostname;

    @Option(names = "--client-id", paramLabel = "ID",
        description = "Public OAuth client id; required for auth servers other than Datum Cloud's.")
    String clientId;

    @Option(names = "--certificate-authority", paramLabel = "FILE",
        description = "PEM file of an extra CA to trust for the auth and API servers; kept with the session.")
    Path certificateAuthority;

    @Option(names = "--no-browser",
        description = "Use the device flow: print a URL and a code to approve in a browser on any device.")
    boolean noBrowser;

    @Option(names = "--credentials", paramLabel = "FILE|-",
        description = "Log in as a service account with its JSON key file (type datum_service_account); '-' reads"
            + " the key from stdin. Its token is renewed with the key, no refresh token involved.")
    String credentials;

    static final String HEADLESS_HINT = "Log in without a browser: 'datumctl login --credentials KEY.json' with a"
        + " service account key ('--credentials -' reads it from stdin), or 'datumctl login --no-browser' to approve"
        + " a device code on another device.";

    /**
     * Runs after a successful login with stdout and stderr. datumctl sets it to discover the
     * user's organizations and projects and offer them as contexts. Run alone, login skips that
     * step, so this script does not need the Kubernetes client.
     */
    public static volatile java.util.function.BiConsumer<PrintWriter, PrintWriter> afterLogin = (out, err) -> { };

    // Sentinel for the end of input; compared by identity, so no typed line can equal it.
    private static final String END_OF_INPUT = new String("end of input");
    private static final java.util.concurrent.LinkedBlockingQueue<String> TYPED_LINES =
        new java.util.concurrent.LinkedBlockingQueue<>();
    private static volatile boolean watcherStarted;

    public static void main(String[] args) {
        Cli.exit(Cli.run(new Login(), args));
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (credentials != null) {
            return serviceAccountLogin(out, err);
        }
        if (!noBrowser && !Terminal.interactive()) {
            throw UserError.usage("cannot log in with the browser: " + Terminal.reason(), HEADLESS_HINT);
        }
        // A misspelled or unusable credential store fails here, before the user approves a login.
        CredentialStore.open().all();
        LoginFlow.Options options = new LoginFlow.Options(hostname, apiHostname, clientId, certificateAuthority, noBrowser);
        Cancellation cancellation = Cancellation.start(err);
        StoredSession session;
        try {
            session = LoginFlow.standard(err, verbosity.on()).run(options);
        } catch (InterruptedException e) {
            return cancellation.reportCancelled();
        } catch (UserError e) {
            if (cancellation.requested()) {
                return cancellation.reportCancelled();
            }
            throw e;
        } finally {
            cancellation.finish();
        }
        out.println("Logged in as " + describeUser(session) + " (session " + session.sessionName() + ")");
        out.flush();
        afterLogin.accept(out, err);
        return 0;
    }

    /**
     * Reads the next line the user types after the login, or returns null at the end of input.
     * While the Ctrl-D watcher runs, it owns stdin and hands typed lines over through a queue.
     */
    public static String readTypedLine() throws IOException {
        if (!watcherStarted) {
            return new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        }
        try {
            String line = TYPED_LINES.take();
            if (line == END_OF_INPUT) {
                TYPED_LINES.add(END_OF_INPUT);
                return null;
            }
            return line;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private int serviceAccountLogin(PrintWriter out, PrintWriter err) throws IOException {
        if (noBrowser || clientId != null) {
            throw UserError.usage("--credentials cannot be combined with " + (noBrowser ? "--no-browser" : "--client-id"),
                "A service account key names its own client and needs no browser; drop that option.");
        }
        ServiceAccountKey key = readKey(err);
        StoredSession session = ServiceAccountLogin.standard(err, verbosity.on())
            .run(key, new ServiceAccountLogin.Options(hostname, apiHostname, certificateAuthority));
        out.println("Logged in as service account " + session.userEmail() + " (session " + session.sessionName() + ")");
        out.flush();
        afterLogin.accept(out, err);
        return 0;
    }

    private ServiceAccountKey readKey(PrintWriter err) throws IOException {
        if (credentials.equals("-")) {
            if (Terminal.stdinIsTerminal()) {
                err.println("Paste the service account key (JSON), then press Ctrl-D:");
                err.flush();
            }
            String text = new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
            if (text.isBlank()) {
                throw new UserError("no service account key on stdin",
                    "Pipe the key file's JSON into 'datumctl login --credentials -', for example from a CI secret variable.");
            }
            return ServiceAccountKey.parse(text, "from stdin");
        }
        Path file = Path.of(credentials);
        try {
            return ServiceAccountKey.parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
        } catch (NoSuchFileException e) {
            throw new UserError("the service account key file " + file + " does not exist",
                "Pass the path of the JSON key file with --credentials, or '-' to read it from stdin.", e);
        }
    }

    private static String describeUser(StoredSession session) {
        String name = session.userName();
        if (name == null || name.isBlank() || name.equals(session.userEmail())) {
            return session.userEmail();
        }
        return name + " <" + session.userEmail() + ">";
    }

    /**
     * Ends a waiting login on Ctrl-C (the JVM exits with 130 after the shutdown hook prints one
     * line) or on end of input at a terminal (the main thread is interrupted).
     */
    static final class Cancellation {

        private static final String MESSAGE = "Login cancelled.";

        private final PrintWriter err;
        private final AtomicBoolean waiting = new AtomicBoolean(true);
        private final AtomicBoolean requested = new AtomicBoolean();
        private final Thread hook;

        private Cancellation(PrintWriter err) {
            this.err = err;
            this.hook = new Thread(this::onShutdown, "datumctl-login-cancel");
        }

        static Cancellation start(PrintWriter err) {
            Cancellation cancellation = new Cancellation(err);
            Runtime.getRuntime().addShutdownHook(cancellation.hook);

            // CI and scripts run with stdin closed or empty; only a terminal's end of input
            // (Ctrl-D) means the user wants to stop.
            if (stdinIsTerminal()) {
                cancellation.startWatcher(Thread.currentThread());
            }
            return cancellation;
        }

        private void startWatcher(Thread main) {
            watcherStarted = true;
            Thread watcher = new Thread(() -> watch(System.in, main), "datumctl-login-stdin");
            watcher.setDaemon(true);
            watcher.start();
        }

        private void watch(InputStream in, Thread main) {
            // The login itself ignores typed lines. They are queued for a prompt that follows it,
            // such as the context picker, because this thread owns stdin until the JVM exits.
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            try {
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    TYPED_LINES.add(line);
                }
            } catch (IOException e) {
                return;
            } finally {
                TYPED_LINES.add(END_OF_INPUT);
            }
            if (waiting.get()) {
                requested.set(true);
                main.interrupt();
            }
        }

        boolean requested() {
            return requested.get();
        }

        int reportCancelled() {
            waiting.set(false);
            err.println(MESSAGE);
            err.flush();
            return Cli.INTERRUPTED;
        }

        void finish() {
            waiting.set(false);
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // The JVM is already shutting down, and the hook prints nothing because waiting is false.
            }
            Thread.interrupted();
        }

        private void onShutdown() {
            if (waiting.getAndSet(false)) {
                err.println();
                err.println(MESSAGE);
                err.flush();
            }
        }

        /** System.console() is enough on JDK 17; JDK 22 and later also return one for pipes. */
        private static boolean stdinIsTerminal() {
            Console console = System.console();
            if (console == null) {
                return false;
            }
            try {
                Method isTerminal = Console.class.getMethod("isTerminal");
                return (Boolean) isTerminal.invoke(console);
            } catch (ReflectiveOperationException e) {
                return true;
            }
        }
    }
}

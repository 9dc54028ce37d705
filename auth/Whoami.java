///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DEPS info.picocli:picocli:4.7.6
//DEPS com.fasterxml.jackson.core:jackson-core:2.18.2
//DEPS org.yaml:snakeyaml:2.3
//SOURCES Cli.java AuthList.java ../lib/AtomicFiles.java ../lib/CredentialStore.java ../lib/DatumHome.java ../lib/Json.java
//SOURCES ../lib/SessionConfig.java ../lib/Sessions.java ../lib/StoredSession.java ../lib/TokenResponse.java
//SOURCES ../lib/UserError.java

package auth;

import lib.SessionConfig;
import lib.Sessions;
import lib.StoredSession;
import lib.UserError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;

/** Shows the active session and context from local storage, without any network call. */
@Command(name = "whoami",
    description = "Show the account you are logged in as and the current context.",
    footerHeading = "%nExamples:%n",
    footer = {"  datumctl whoami", "",
        "To ask the control plane who it thinks you are, use 'kubectl auth whoami'."})
public final class Whoami implements Callable<Integer> {

    @Mixin
    Cli.Verbosity verbosity;

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        Cli.exit(Cli.run(new Whoami(), args));
    }

    @Override
    public Integer call() {
        Sessions sessions = Sessions.open();
        StoredSession session = sessions.active();
        if (session == null && !sessions.list().isEmpty()) {
            throw new UserError("no account is active",
                "Run 'datumctl auth switch USER' to pick one; 'datumctl auth list' shows them.");
        }
        if (session == null) {
            throw new UserError("you are not logged in", "Run 'datumctl login' to sign in.");
        }
        SessionConfig config = SessionConfig.load();
        PrintWriter out = spec.commandLine().getOut();
        out.printf("User:        %s%n", AuthList.displayUser(session));
        out.printf("Session:     %s%n", session.sessionName());
        out.printf("Auth server: %s%n", authServer(session));
        out.printf("API server:  https://%s%n", session.apiHostname());
        out.printf("Context:     %s%n", describeContext(config));
        out.println();
        out.println("The context is datumctl's own, not kubectl's current-context.");
        out.flush();
        return 0;
    }

    /** Returns the auth server's origin from the stored endpoint, which keeps http for a loopback IdP. */
    private static String authServer(StoredSession session) {
        String url = session.authUrl();
        if (url != null) {
            java.net.URI uri = java.net.URI.create(url);
            return uri.getScheme() + "://" + uri.getRawAuthority();
        }
        return "https://" + session.hostname();
    }

    private static String describeContext(SessionConfig config) {
        String name = config.currentContext();
        Map<String, Object> context = name == null ? null : config.context(name);
        if (context == null) {
            return "none (the user control plane)";
        }
        Object project = context.get("project-id");
        Object organization = context.get("organization-id");
        if (project != null) {
            return name + " (project " + project + " in organization " + organization + ")";
        }
        return name + " (organization " + organization + ")";
    }
}

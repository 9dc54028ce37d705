///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DEPS info.picocli:picocli:4.7.6
//DEPS com.fasterxml.jackson.core:jackson-core:2.18.2
//DEPS org.yaml:snakeyaml:2.3
//SOURCES Cli.java AuthList.java ../lib/AtomicFiles.java ../lib/CredentialStore.java ../lib/DatumHome.java
//SOURCES ../lib/Json.java ../lib/SessionConfig.java ../lib/Sessions.java ../lib/StoredSession.java
//SOURCES ../lib/TokenResponse.java ../lib/UserError.java

package auth;

import lib.Sessions;
import lib.StoredSession;
import lib.UserError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

/** Forgets stored sessions: their tokens, config entries and datumctl contexts. */
@Command(name = "logout",
    description = "Log out: remove the stored credentials of an account, or of all accounts.",
    footerHeading = "%nExamples:%n",
    footer = {"  # Log out of the active account", "  datumctl logout", "",
        "  # Log out of one account", "  datumctl logout ada@example.com", "",
        "  # Log out of every account", "  datumctl logout --all", "",
        "kubeconfig entries that point at a removed session stop working until you log in again."})
public final class Logout implements Callable<Integer> {

    @Mixin
    Cli.Verbosity verbosity;

    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..1", paramLabel = "USER",
        description = "Email, session name or user key; default: the active account.")
    String user;

    @Option(names = "--all", description = "Log out of every account.")
    boolean all;

    public static void main(String[] args) {
        Cli.exit(Cli.run(new Logout(), args));
    }

    @Override
    public Integer call() {
        if (all && user != null) {
            throw UserError.usage("give either USER or --all, not both", "See 'datumctl logout --help'.");
        }
        Sessions sessions = Sessions.open();
        List<StoredSession> targets = all ? sessions.list() : List.of(target(sessions));
        PrintWriter out = spec.commandLine().getOut();
        if (targets.isEmpty()) {
            spec.commandLine().getErr().println("No sessions to log out of.");
            return 0;
        }
        for (StoredSession session : targets) {
            sessions.remove(session);
            out.println("Logged out " + AuthList.displayUser(session) + " (session " + session.sessionName() + ")");
        }
        out.flush();

        List<StoredSession> remaining = sessions.list();
        if (sessions.active() == null && !remaining.isEmpty()) {
            spec.commandLine().getErr().println("No account is active now. Run 'datumctl auth switch USER' to pick one of: "
                + String.join(", ", remaining.stream().map(StoredSession::sessionName).toList()) + ".");
        }
        return 0;
    }

    private StoredSession target(Sessions sessions) {
        if (user != null) {
            return sessions.find(user);
        }
        StoredSession active = sessions.active();
        if (active == null) {
            throw new UserError("no active session to log out of",
                "Name the account ('datumctl logout USER') or use --all; 'datumctl auth list' shows them.");
        }
        return active;
    }
}

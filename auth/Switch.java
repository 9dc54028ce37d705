///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DEPS info.picocli:picocli:4.7.6
//DEPS com.fasterxml.jackson.core:jackson-core:2.18.2
//DEPS org.yaml:snakeyaml:2.3
//SOURCES Cli.java AuthList.java ../lib/AtomicFiles.java ../lib/CredentialStore.java ../lib/DatumHome.java
//SOURCES ../lib/Json.java ../lib/SessionConfig.java ../lib/Sessions.java ../lib/StoredSession.java
//SOURCES ../lib/TokenResponse.java ../lib/UserError.java
//SOURCES ../lib/Terminal.java

package auth;

import lib.Sessions;
import lib.StoredSession;
import lib.Terminal;
import lib.UserError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;

/** Makes another stored session the active one. */
@Command(name = "switch",
    description = "Make another account you are logged in with the active one.",
    footerHeading = "%nExamples:%n",
    footer = {"  # Switch by email", "  datumctl auth switch ada@example.com", "",
        "  # Switch by session name when the email is logged in on several servers",
        "  datumctl auth switch ada@example.com@api.staging.env.datum.net", "",
        "  # Pick from a list (on a terminal)", "  datumctl auth switch"})
public final class Switch implements Callable<Integer> {

    @Mixin
    Cli.Verbosity verbosity;

    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..1", paramLabel = "USER",
        description = "Email, session name (<email>@<api host>) or user key of the account.")
    String user;

    public static void main(String[] args) {
        Cli.exit(Cli.run(new Switch(), args));
    }

    @Override
    public Integer call() throws IOException {
        Sessions sessions = Sessions.open();
        StoredSession target = user != null ? sessions.find(user) : pick(sessions.list());
        sessions.activate(target);
        PrintWriter out = spec.commandLine().getOut();
        out.println("Switched to " + AuthList.displayUser(target) + " (session " + target.sessionName() + ")");
        out.flush();
        return 0;
    }

    /** Prompts on the terminal for the session to use; without a terminal, explains how to name one. */
    private StoredSession pick(List<StoredSession> all) throws IOException {
        if (all.isEmpty()) {
            throw new UserError("you are not logged in", "Run 'datumctl login' to sign in.");
        }
        if (!Terminal.interactive()) {
            throw UserError.usage("name the account to switch to",
                "Known users: " + String.join(", ", all.stream().map(StoredSession::sessionName).toList())
                    + ". Run 'datumctl auth switch USER'.");
        }
        PrintWriter err = spec.commandLine().getErr();
        for (int i = 0; i < all.size(); i++) {
            err.printf("%d) %s  %s%n", i + 1, AuthList.displayUser(all.get(i)), all.get(i).apiHostname());
        }
        err.print("Switch to [1-" + all.size() + "]: ");
        err.flush();
        String answer = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        try {
            int choice = Integer.parseInt(answer == null ? "" : answer.trim());
            if (choice >= 1 && choice <= all.size()) {
                return all.get(choice - 1);
            }
        } catch (NumberFormatException e) {
            // Falls through to the error below, which names the valid range.
        }
        throw UserError.usage("no account chosen: " + (answer == null ? "end of input" : "'" + answer.trim() + "'"),
            "Enter a number from 1 to " + all.size() + ", or run 'datumctl auth switch USER'.");
    }
}

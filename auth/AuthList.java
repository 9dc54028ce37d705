///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DEPS info.picocli:picocli:4.7.6
//DEPS com.fasterxml.jackson.core:jackson-core:2.18.2
//DEPS org.yaml:snakeyaml:2.3
//SOURCES Cli.java ../lib/AtomicFiles.java ../lib/CredentialStore.java ../lib/DatumHome.java ../lib/Json.java
//SOURCES ../lib/SessionConfig.java ../lib/Sessions.java ../lib/StoredSession.java ../lib/TokenResponse.java
//SOURCES ../lib/UserError.java

package auth;

import lib.Sessions;
import lib.StoredSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** Lists the stored sessions, marking the active one. */
@Command(name = "list", aliases = "ls",
    description = "List the accounts you are logged in with.",
    footerHeading = "%nExamples:%n",
    footer = {"  datumctl auth list", "  datumctl auth ls"})
public final class AuthList implements Callable<Integer> {

    @Mixin
    Cli.Verbosity verbosity;

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        Cli.exit(Cli.run(new AuthList(), args));
    }

    @Override
    public Integer call() {
        Sessions sessions = Sessions.open();
        List<StoredSession> all = sessions.list();
        PrintWriter out = spec.commandLine().getOut();
        if (all.isEmpty()) {
            spec.commandLine().getErr().println("No sessions. Run 'datumctl login' to sign in.");
            return 0;
        }
        StoredSession active = sessions.active();
        String activeKey = active == null ? null : active.userKey();
        boolean showEndpoint = all.stream().map(StoredSession::apiHostname).distinct().count() > 1;

        List<String[]> rows = new ArrayList<>();
        rows.add(showEndpoint ? new String[] {"USER", "ENDPOINT", "STATUS"} : new String[] {"USER", "STATUS"});
        for (StoredSession session : all) {
            String status = session.userKey().equals(activeKey) ? "Active" : "";
            rows.add(showEndpoint
                ? new String[] {displayUser(session), session.apiHostname(), status}
                : new String[] {displayUser(session), status});
        }
        printTable(out, rows);
        out.flush();
        return 0;
    }

    /** "Name <email>", or the email alone when the name adds nothing. */
    static String displayUser(StoredSession session) {
        String name = session.userName();
        String email = session.userEmail();
        if (name == null || name.isBlank() || name.equals(email)) {
            return email;
        }
        return name + " <" + email + ">";
    }

    /** Prints rows in columns three spaces apart, as kubectl does. */
    static void printTable(PrintWriter out, List<String[]> rows) {
        int columns = rows.get(0).length;
        int[] widths = new int[columns];
        for (String[] row : rows) {
            for (int i = 0; i < columns; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < columns; i++) {
                line.append(i == columns - 1 ? row[i] : String.format("%-" + (widths[i] + 3) + "s", row[i]));
            }
            out.println(line.toString().stripTrailing());
        }
    }
}

package resources;

import lib.Manifests;
import lib.ObjectChanges;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.util.List;
import java.util.function.Function;

/** Prints per-object outcomes of apply, create and delete: lines to stdout, errors to stderr. */
final class Outcomes {

    private Outcomes() {
    }

    /** Runs change on each document, printing each outcome as it is reached. Returns 1 when any failed, else 0. */
    static int print(List<Manifests.Document> documents, Function<Manifests.Document, ObjectChanges.Outcome> change,
                     CommandSpec spec) {
        int failed = 0;
        for (Manifests.Document document : documents) {
            failed += print(change.apply(document), spec) ? 0 : 1;
        }
        return failed == 0 ? 0 : 1;
    }

    /** Prints one outcome; returns false when it is an error. */
    static boolean print(ObjectChanges.Outcome outcome, CommandSpec spec) {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (outcome.line() != null) {
            out.println(outcome.line());
            out.flush();
        }
        if (outcome.error() != null) {
            err.println(outcome.error());
            err.flush();
            return false;
        }
        return true;
    }
}

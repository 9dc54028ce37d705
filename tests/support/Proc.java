package support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a real process with a given environment and captures what it prints. */
public final class Proc {

    /** What a finished process left: its exit code, stdout and stderr. */
    public record Result(List<String> command, int exitCode, String out, String err) {

        /** Everything a failed assertion should show about the run. */
        public String describe() {
            return "command: " + String.join(" ", command) + "\nexit code: " + exitCode
                + "\n--- stdout ---\n" + out + "\n--- stderr ---\n" + err;
        }
    }

    private Proc() {
    }

    /** Runs command in dir with env added to this process's environment; stdin is empty. */
    public static Result run(List<String> command, Map<String, String> env, Path dir, long timeoutSeconds) {
        Process process = start(command, env, dir);
        try {
            process.getOutputStream().close();
            return await(command, process, timeoutSeconds);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Process start(List<String> command, Map<String, String> env, Path dir) {
        ProcessBuilder builder = new ProcessBuilder(command);
        // A desktop's session bus leads to the user's real keyring; only a test that starts its
        // own bus passes an address on.
        builder.environment().remove("DBUS_SESSION_BUS_ADDRESS");
        builder.environment().putAll(env);
        if (dir != null) {
            builder.directory(dir.toFile());
        }
        try {
            return builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    /** Waits for an already started process, reading both streams so it never blocks on a pipe. */
    public static Result await(List<String> command, Process process, long timeoutSeconds) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread outReader = pump(process.getInputStream(), out);
        Thread errReader = pump(process.getErrorStream(), err);
        try {
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor();
                outReader.join();
                errReader.join();
                throw new AssertionError("timed out after " + timeoutSeconds + " s: " + String.join(" ", command)
                    + "\n--- stdout ---\n" + out.toString(StandardCharsets.UTF_8)
                    + "\n--- stderr ---\n" + err.toString(StandardCharsets.UTF_8));
            }
            outReader.join();
            errReader.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running " + command, e);
        }
        return new Result(command, process.exitValue(), out.toString(StandardCharsets.UTF_8),
            err.toString(StandardCharsets.UTF_8));
    }

    private static Thread pump(InputStream from, ByteArrayOutputStream to) {
        Thread thread = new Thread(() -> {
            try {
                from.transferTo(to);
            } catch (IOException e) {
                // The process ended and closed the pipe; what was read so far is kept.
            }
        });
        thread.setDaemon(true);
        thread.start();
        return thread;
    }
}

package lib;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Opens a URL in the user's web browser; tests pass their own implementation. */
public interface Browser {

    /** Starts a browser on url; returns false when no browser could be started. */
    boolean open(String url);

    /** Returns the browser of this machine: $BROWSER, else the platform's URL opener. */
    static Browser system() {
        return new SystemBrowser(System.getenv(), System.getProperty("os.name", ""));
    }

    /**
     * Runs a command with the URL as its argument. java.awt.Desktop is avoided on purpose: it
     * loads the AWT toolkit (slow to start) and fails on headless machines.
     */
    final class SystemBrowser implements Browser {

        // A launcher that fails (xdg-open without a usable browser, a wrong $BROWSER) exits at
        // once; a real browser may keep running, which counts as opened.
        private static final long EXIT_WAIT_MILLIS = 3000;

        private final Map<String, String> env;
        private final String osName;

        public SystemBrowser(Map<String, String> env, String osName) {
            this.env = env;
            this.osName = osName.toLowerCase(Locale.ROOT);
        }

        @Override
        public boolean open(String url) {
            for (List<String> command : commands(url)) {
                if (start(command)) {
                    return true;
                }
            }
            return false;
        }

        /**
         * Lists the command lines to try, in order. $BROWSER is a list of commands separated by
         * the path separator. "%s" in a command is replaced by the URL, else the URL is appended.
         */
        public List<List<String>> commands(String url) {
            List<List<String>> commands = new ArrayList<>();
            String browser = env.get("BROWSER");
            if (browser != null && !browser.isBlank()) {
                String separator = osName.startsWith("windows") ? ";" : ":";
                for (String entry : browser.split(separator)) {
                    if (!entry.isBlank()) {
                        commands.add(withUrl(entry.trim(), url));
                    }
                }
                return commands;
            }
            if (osName.startsWith("mac")) {
                commands.add(List.of("open", url));
            } else if (osName.startsWith("windows")) {
                commands.add(List.of("rundll32", "url.dll,FileProtocolHandler", url));
            } else if (hasDisplay()) {
                commands.add(List.of("xdg-open", url));
            }
            return commands;
        }

        private boolean hasDisplay() {
            return isSet("DISPLAY") || isSet("WAYLAND_DISPLAY");
        }

        private boolean isSet(String name) {
            String value = env.get(name);
            return value != null && !value.isBlank();
        }

        private static List<String> withUrl(String entry, String url) {
            List<String> command = new ArrayList<>(Arrays.asList(entry.split("\\s+")));
            boolean placed = false;
            for (int i = 0; i < command.size(); i++) {
                if (command.get(i).contains("%s")) {
                    command.set(i, command.get(i).replace("%s", url));
                    placed = true;
                }
            }
            if (!placed) {
                command.add(url);
            }
            return command;
        }

        private static boolean start(List<String> command) {
            try {
                Process process = new ProcessBuilder(command)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();

                // The browser must not read datumctl's standard input.
                process.getOutputStream().close();
                if (!process.waitFor(EXIT_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                    return true;
                }
                return process.exitValue() == 0;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }
}

package support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Finds a JDK of a minimum feature release on this machine, for servers that need a newer Java than the suite. */
public final class JdkFinder {

    /** The folder Debian and the Temurin packages install JDKs into. */
    private static final Path JVM_DIR = Path.of("/usr/lib/jvm");
    private static final Pattern VERSION = Pattern.compile("^JAVA_VERSION=\"(1\\.)?(\\d+)", Pattern.MULTILINE);

    private JdkFinder() {
    }

    /**
     * Returns the home of a JDK with feature release minimum or newer: KEYCLOAK_JAVA_HOME when set,
     * else this JVM, JAVA_HOME, or the newest JDK under /usr/lib/jvm.
     */
    public static Path find(int minimum) {
        String override = System.getenv("KEYCLOAK_JAVA_HOME");
        if (override != null && !override.isBlank()) {
            Path home = Path.of(override);
            if (feature(home) < minimum) {
                throw new IllegalStateException("KEYCLOAK_JAVA_HOME is " + home + ", which is not a JDK " + minimum
                    + " or newer; point it at one, or unset it to search " + JVM_DIR);
            }
            return home;
        }
        Path best = null;
        int bestFeature = 0;
        for (Path candidate : candidates()) {
            int feature = feature(candidate);
            if (feature >= minimum && feature > bestFeature) {
                best = candidate;
                bestFeature = feature;
            }
        }
        if (best == null) {
            throw new IllegalStateException("Keycloak needs a JDK " + minimum + " or newer, but this JVM, JAVA_HOME and "
                + JVM_DIR + " have none. Install one (Debian: apt-get install openjdk-21-jdk-headless) or set"
                + " KEYCLOAK_JAVA_HOME to its folder.");
        }
        return best;
    }

    private static List<Path> candidates() {
        List<Path> homes = new ArrayList<>();
        homes.add(Path.of(System.getProperty("java.home")));
        String javaHome = System.getenv("JAVA_HOME");
        if (javaHome != null && !javaHome.isBlank()) {
            homes.add(Path.of(javaHome));
        }
        if (Files.isDirectory(JVM_DIR)) {
            try (Stream<Path> dirs = Files.list(JVM_DIR)) {
                dirs.sorted().forEach(homes::add);
            } catch (IOException e) {
                // An unreadable folder offers no candidates; the error above names it.
            }
        }
        return homes;
    }

    /** Returns the feature release from the JDK's release file, or 0 when it is not a usable JDK. */
    static int feature(Path home) {
        if (!Files.isExecutable(home.resolve("bin/java"))) {
            return 0;
        }
        try {
            Matcher matcher = VERSION.matcher(Files.readString(home.resolve("release")));
            return matcher.find() ? Integer.parseInt(matcher.group(2)) : 0;
        } catch (IOException e) {
            return 0;
        }
    }
}

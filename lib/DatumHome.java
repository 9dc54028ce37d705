package lib;

import java.nio.file.Path;

/**
 * The folder of datumctl's config and credentials: ~/.datumctl, or $DATUMCTL_HOME. The system
 * property datumctl.home overrides both, so a test JVM never reaches the real home folder.
 */
public final class DatumHome {

    private DatumHome() {
    }

    public static Path dir() {
        String property = System.getProperty("datumctl.home");
        if (property != null && !property.isBlank()) {
            return Path.of(property).toAbsolutePath();
        }
        String override = System.getenv("DATUMCTL_HOME");
        if (override != null && !override.isBlank()) {
            return Path.of(override).toAbsolutePath();
        }
        return Path.of(System.getProperty("user.home"), ".datumctl");
    }

    public static Path configFile() {
        return dir().resolve("config");
    }

    public static Path credentialsFile() {
        return dir().resolve("credentials.json");
    }

    /** Lock files live apart from the data, so a reader never sees a lock as data. */
    public static Path lockFile(String name) {
        return dir().resolve("locks").resolve(name + ".lock");
    }
}

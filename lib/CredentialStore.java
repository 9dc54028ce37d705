//SOURCES SecretServiceKeyring.java

package lib;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Secrets of the keyring service "datumctl-auth", kept in the OS keyring when there is one. The
 * fallback is the Go datumctl's file store: credentials.json, mode 0600, in the format
 * {"datumctl-auth": {"<key>": "<secret string>"}}.
 *
 * <p>Keys: "active_user", "known_users" (a JSON list) and one per user, "<email>@<auth host>".
 * Other services and keys in the file are kept as they are.
 *
 * <p>DATUMCTL_CREDENTIAL_STORE (or the system property datumctl.credential-store) may force
 * "keyring" or "file". Otherwise an existing credentials.json stays the store, so sessions never
 * split between two stores. Without one, the Secret Service is used on Linux with a D-Bus session
 * bus, and the file store elsewhere, with a warning when the file is first created.
 */
public final class CredentialStore {

    public static final String SERVICE = "datumctl-auth";
    public static final String ACTIVE_USER = "active_user";
    public static final String KNOWN_USERS = "known_users";
    public static final String CHOICE_VARIABLE = "DATUMCTL_CREDENTIAL_STORE";

    /** A storage place for the secrets of the service. */
    public interface Backend {
        /** Returns all secrets of the service. */
        Map<String, String> read();

        /** Writes after, given that the store contained before. Keys missing from after are deleted. */
        void write(Map<String, String> before, Map<String, String> after);
    }

    /** Whether this process printed the fallback warning; a command may open several stores. */
    private static boolean warned;

    private final Path file;
    private Backend backend;
    private final boolean fallBack;
    private String fallbackReason;

    /** A store that keeps its secrets in file. */
    public CredentialStore(Path file) {
        this(file, null, false, null);
    }

    private CredentialStore(Path file, Backend backend, boolean fallBack, String fallbackReason) {
        this.file = file;
        this.backend = backend == null ? new FileBackend(file) : backend;
        this.fallBack = fallBack;
        this.fallbackReason = fallbackReason;
    }

    /** Opens the store of this user and machine, chosen as the class comment describes. */
    public static CredentialStore open() {
        Path file = DatumHome.credentialsFile();
        String choice = System.getProperty("datumctl.credential-store");
        if (choice == null || choice.isBlank()) {
            choice = System.getenv(CHOICE_VARIABLE);
        }
        choice = choice == null ? "" : choice.trim().toLowerCase(Locale.ROOT);
        switch (choice) {
            case "file":
                return new CredentialStore(file);
            case "keyring":
                return new CredentialStore(file, new SecretServiceKeyring(SERVICE), false, null);
            case "":
                return automatic(file);
            default:
                // The error surfaces on first use, where every command reports errors.
                return new CredentialStore(file, new Unusable(UserError.usage("invalid " + CHOICE_VARIABLE + " value "
                    + choice, "Use keyring, file, or leave it unset to use the keyring when one responds.")), false, null);
        }
    }

    private static CredentialStore automatic(Path file) {
        FileBackend fileStore = new FileBackend(file);
        if (holdsData(file)) {
            return new CredentialStore(file);
        }
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")) {
            // NOTE: macOS Keychain and Windows Credential Manager are not supported, so the file
            // store is used there, as the Go datumctl does when its keyring fails.
            return new CredentialStore(file, fileStore, false, "this datumctl reaches the OS keyring only through"
                + " the Secret Service on Linux");
        }
        String bus = System.getenv("DBUS_SESSION_BUS_ADDRESS");
        if (bus == null || bus.isBlank()) {
            // Without a session bus there is no Secret Service, so the file store is chosen at
            // once instead of after a timeout on every kubectl call.
            return new CredentialStore(file, fileStore, false, "no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)");
        }
        return new CredentialStore(file, new SecretServiceKeyring(SERVICE), true, null);
    }

    /** Returns whether the file exists and is not empty. A damaged file is reported when it is read. */
    private static boolean holdsData(Path file) {
        try {
            return Files.size(file) > 0;
        } catch (IOException e) {
            return Files.exists(file);
        }
    }

    /** Returns the file store's path; the lock files are next to it for every backend. */
    public Path file() {
        return file;
    }

    /** Returns the secret stored under key, or null. */
    public String get(String key) {
        return read().get(key);
    }

    /** Returns all secrets of the service, in store order. */
    public Map<String, String> all() {
        return read();
    }

    public void put(String key, String secret) {
        update(secrets -> secrets.put(key, secret));
    }

    public void delete(String key) {
        update(secrets -> secrets.remove(key));
    }

    /** Reads, changes and writes the service's secrets under the store's lock. */
    public void update(Consumer<Map<String, String>> change) {
        try {
            AtomicFiles.withLock(lockFile(), () -> {
                Map<String, String> before = read();
                Map<String, String> after = new LinkedHashMap<>(before);
                change.accept(after);
                if (!after.equals(before)) {
                    write(before, after);
                }
                return null;
            });
        } catch (UserError e) {
            throw e;
        } catch (Exception e) {
            throw new UserError("cannot write the credential store " + file + ": " + e.getMessage(),
                "Check that the folder exists and is writable by you.", e);
        }
    }

    /** Returns the lock file that orders every read-modify-write of this store. */
    public Path lockFile() {
        return file.toAbsolutePath().resolveSibling("locks").resolve(file.getFileName() + ".lock");
    }

    private Map<String, String> read() {
        try {
            return backend.read();
        } catch (SecretServiceKeyring.KeyringException e) {
            fallBackOrFail(e);
            // Warned on read as well as on write, because otherwise a keyring that disappeared
            // would look like a machine with no sessions.
            warnOnce();
            return backend.read();
        }
    }

    private void write(Map<String, String> before, Map<String, String> after) {
        try {
            warnOnce();
            backend.write(before, after);
        } catch (SecretServiceKeyring.KeyringException e) {
            fallBackOrFail(e);
            write(new FileBackend(file).read(), after);
        }
    }

    /** Prints the fallback warning once per process, and only while the file store does not exist yet. */
    private void warnOnce() {
        if (fallbackReason == null || warned || Files.exists(file)) {
            return;
        }
        warned = true;
        System.err.println("WARNING: " + fallbackReason + "; keeping credentials in " + file
            + ", readable by you only. Set " + CHOICE_VARIABLE + "=file to choose the file store"
            + " and silence this warning.");
    }

    /**
     * Switches an automatic choice to the file store when there is no keyring at all. A keyring
     * that is locked, failing or not responding may contain the user's sessions, so using the
     * file instead would split them; that case fails, as does a keyring the user chose.
     */
    private void fallBackOrFail(SecretServiceKeyring.KeyringException e) {
        if (!fallBack || !e.absent()) {
            throw new UserError("cannot use the OS keyring: " + e.getMessage(),
                "Unlock or restart your keyring (GNOME Keyring, KWallet), or set " + CHOICE_VARIABLE
                    + "=file to keep credentials in " + file + ".");
        }
        backend = new FileBackend(file);
        fallbackReason = "no OS keyring found (" + e.getMessage() + ")";
    }

    /** A store that cannot be used, for example because its choice is misspelled. */
    private static final class Unusable implements Backend {

        private final UserError error;

        Unusable(UserError error) {
            this.error = error;
        }

        @Override
        public Map<String, String> read() {
            throw error;
        }

        @Override
        public void write(Map<String, String> before, Map<String, String> after) {
            throw error;
        }
    }

    /** The credentials.json store. */
    static final class FileBackend implements Backend {

        private final Path file;

        FileBackend(Path file) {
            this.file = file;
        }

        @Override
        public Map<String, String> read() {
            return serviceSecrets(readDocument());
        }

        @Override
        public void write(Map<String, String> before, Map<String, String> after) {
            Map<String, Object> document = readDocument();
            document.put(SERVICE, new LinkedHashMap<>(after));
            try {
                AtomicFiles.createPrivateDir(file.toAbsolutePath().getParent());
                AtomicFiles.write(file, Json.write(document).getBytes(StandardCharsets.UTF_8), AtomicFiles.OWNER_ONLY);
            } catch (IOException e) {
                throw new UserError("cannot write the credential store " + file + ": " + e.getMessage(),
                    "Check that the folder exists and is writable by you.", e);
            }
        }

        private Map<String, Object> readDocument() {
            byte[] data;
            try {
                data = AtomicFiles.readIfExists(file);
            } catch (IOException e) {
                throw new UserError("cannot read the credential store " + file + ": " + e.getMessage(),
                    "Check the file's permissions.", e);
            }
            if (data == null || data.length == 0) {
                return new LinkedHashMap<>();
            }
            try {
                return Json.parseObject(new String(data, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw new UserError("the credential store " + file + " is not valid JSON: " + e.getMessage(),
                    "Move the file aside and run 'datumctl login' again.", e);
            }
        }

        private Map<String, String> serviceSecrets(Map<String, Object> document) {
            Map<String, Object> service = Json.obj(document, SERVICE);
            Map<String, String> secrets = new LinkedHashMap<>();
            if (service == null) {
                return secrets;
            }
            for (Map.Entry<String, Object> entry : service.entrySet()) {
                if (entry.getValue() instanceof String value) {
                    secrets.put(entry.getKey(), value);
                }
            }
            return secrets;
        }
    }
}

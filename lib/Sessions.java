package lib;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The sessions a user has, across the two stores that hold them: the secrets in the credential
 * store and the session entries in the config file. Both CLIs read both, so they change together.
 */
public final class Sessions {

    private final CredentialStore store;

    public Sessions(CredentialStore store) {
        this.store = store;
    }

    public static Sessions open() {
        return new Sessions(CredentialStore.open());
    }

    /** Stores a fresh login and makes it the active session. */
    public void saveLogin(StoredSession session, String apiServerUrl) {
        String key = session.userKey();
        checkConfigReadable();
        store.update(secrets -> {
            secrets.put(key, session.toJson());
            secrets.put(CredentialStore.ACTIVE_USER, key);
            List<String> known = knownUsers(secrets);
            if (!known.contains(key)) {
                known.add(key);
            }
            secrets.put(CredentialStore.KNOWN_USERS, Json.write(known));
        });
        SessionConfig.update(config -> {
            config.upsertSession(session, apiServerUrl);
            config.setActiveSession(session.sessionName());
        });
    }

    /**
     * Each change writes the credential store first and the config second; a config that cannot
     * be read must stop the change before the store is touched, or the two would disagree.
     */
    private static void checkConfigReadable() {
        SessionConfig.load();
    }

    /** Lists every stored login, in the order the users first logged in. */
    public List<StoredSession> list() {
        Map<String, String> secrets = store.all();
        List<StoredSession> sessions = new ArrayList<>();
        for (String key : userKeys(secrets)) {
            sessions.add(StoredSession.fromJson(key, secrets.get(key)));
        }
        return sessions;
    }

    /** Returns the active login, or null when no user is logged in. */
    public StoredSession active() {
        Map<String, String> secrets = store.all();
        String key = secrets.get(CredentialStore.ACTIVE_USER);
        if (key == null || secrets.get(key) == null) {
            return null;
        }
        return StoredSession.fromJson(key, secrets.get(key));
    }

    /** Makes the session with this store key active. */
    public void activate(StoredSession session) {
        checkConfigReadable();
        store.update(secrets -> secrets.put(CredentialStore.ACTIVE_USER, session.userKey()));
        SessionConfig.update(config -> config.setActiveSession(session.sessionName()));
    }

    /** Forgets a login: its secret, its config entry and the contexts that used it. */
    public void remove(StoredSession session) {
        String key = session.userKey();
        checkConfigReadable();
        store.update(secrets -> {
            secrets.remove(key);
            List<String> known = knownUsers(secrets);
            known.remove(key);
            secrets.put(CredentialStore.KNOWN_USERS, Json.write(known));
            if (key.equals(secrets.get(CredentialStore.ACTIVE_USER))) {
                secrets.remove(CredentialStore.ACTIVE_USER);
            }
        });
        SessionConfig.update(config -> config.removeSession(session.sessionName()));
        deleteServiceAccountKeyFile(session);
    }

    /**
     * Deletes the private key file of a service account session. Only a file named
     * "<SHA-256 hex of the user key>.pem", as datumctl and the Go CLI name them, is deleted, so a
     * damaged or edited session cannot make logout delete another file.
     */
    private static void deleteServiceAccountKeyFile(StoredSession session) {
        String path = Json.str(session.serviceAccount(), "private_key_path");
        if (path == null || path.isBlank()) {
            return;
        }
        Path file = Path.of(path);
        if (file.getFileName() == null || !file.getFileName().toString().equals(sha256Hex(session.userKey()) + ".pem")) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UserError("cannot delete the service account key file " + file + ": " + e.getMessage(),
                "Delete the file by hand; it holds the account's private key.", e);
        }
    }

    private static String sha256Hex(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /**
     * Finds the session a user argument names: an email, a session name (<email>@<api host>) or a
     * store key (<email>@<auth host>). Errors list the known users when nothing matches, and
     * the candidates when an email is ambiguous.
     */
    public StoredSession find(String user) {
        List<StoredSession> all = list();
        List<StoredSession> matches = new ArrayList<>();
        for (StoredSession session : all) {
            if (user.equals(session.sessionName()) || user.equals(session.userKey())) {
                return session;
            }
            if (user.equalsIgnoreCase(session.userEmail())) {
                matches.add(session);
            }
        }
        if (matches.size() == 1) {
            return matches.get(0);
        }
        if (matches.isEmpty()) {
            throw new UserError("no session matches " + user,
                all.isEmpty() ? "Run 'datumctl login' to sign in."
                    : "Known users: " + String.join(", ", names(all)) + ".");
        }
        throw new UserError(user + " is logged in on several servers",
            "Name one session: " + String.join(", ", names(matches)) + ".");
    }

    private static List<String> names(List<StoredSession> sessions) {
        List<String> names = new ArrayList<>();
        for (StoredSession session : sessions) {
            names.add(session.sessionName());
        }
        return names;
    }

    /** Store keys of user secrets: known_users first, then any other per-user entry. */
    private static List<String> userKeys(Map<String, String> secrets) {
        List<String> keys = new ArrayList<>();
        for (String key : knownUsers(secrets)) {
            if (secrets.containsKey(key)) {
                keys.add(key);
            }
        }
        for (String key : secrets.keySet()) {
            if (!keys.contains(key) && !key.equals(CredentialStore.ACTIVE_USER) && !key.equals(CredentialStore.KNOWN_USERS)) {
                keys.add(key);
            }
        }
        return keys;
    }

    private static List<String> knownUsers(Map<String, String> secrets) {
        List<String> known = new ArrayList<>();
        String text = secrets.get(CredentialStore.KNOWN_USERS);
        if (text == null) {
            return known;
        }
        try {
            if (Json.parse(text) instanceof List<?> list) {
                for (Object item : list) {
                    if (item instanceof String key) {
                        known.add(key);
                    }
                }
            }
        } catch (IllegalArgumentException e) {
            // A damaged known_users list is rebuilt from the per-user entries on the next write.
        }
        return known;
    }
}

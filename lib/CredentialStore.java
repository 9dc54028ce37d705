package lib;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Secrets of the keyring service "datumctl-auth", kept in the file store the Go datumctl falls
 * back to: credentials.json, {"datumctl-auth": {"<key>": "<secret string>"}}, mode 0600.
 *
 * <p>Keys: "active_user", "known_users" (a JSON list) and one per user, "<email>@<auth host>".
 * Other services and keys in the file are kept as they are.
 */
public final class CredentialStore {

    public static final String SERVICE = "datumctl-auth";
    public static final String ACTIVE_USER = "active_user";
    public static final String KNOWN_USERS = "known_users";

    // NOTE: the OS keyring (Secret Service, Keychain, Credential Manager) is not used yet.
    // Every secret goes to the file store, as the Go datumctl does when no keyring is available.
    private final Path file;

    public CredentialStore(Path file) {
        this.file = file;
    }

    public static CredentialStore open() {
        return new CredentialStore(DatumHome.credentialsFile());
    }

    public Path file() {
        return file;
    }

    /** Returns the secret stored under key, or null. */
    public String get(String key) {
        return read().get(key);
    }

    /** Returns all secrets of the service, in file order. */
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
                Map<String, Object> document = readDocument();
                Map<String, String> secrets = serviceSecrets(document);
                change.accept(secrets);
                document.put(SERVICE, new LinkedHashMap<>(secrets));
                AtomicFiles.createPrivateDir(file.toAbsolutePath().getParent());
                AtomicFiles.write(file, Json.write(document).getBytes(StandardCharsets.UTF_8), AtomicFiles.OWNER_ONLY);
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
        return serviceSecrets(readDocument());
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

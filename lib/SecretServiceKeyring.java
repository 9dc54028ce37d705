//DEPS de.swiesend:secret-service:1.8.1-jdk17
// dbus-java logs through SLF4J; without a provider, SLF4J prints a notice on stderr, which kubectl
// shows under every command, so the no-operation provider is pinned beside the API it matches.
//DEPS org.slf4j:slf4j-nop:2.0.6
//SOURCES DBusWire.java SecretServiceReader.java

package lib;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.freedesktop.secret.simple.SimpleCollection;

/**
 * The secrets of one keyring service in the Secret Service's default collection (GNOME Keyring,
 * KWallet), one item per key with the attributes "service" and "username", as the Go datumctl's
 * keyring library stores them, so both CLIs find each other's sessions.
 *
 * <p>Every call runs on one daemon thread and is abandoned after {@link #CALL_TIMEOUT}: a
 * keyring that hangs (a locked collection waiting for a prompt no one sees) must not hang the
 * exec plugin, and with it every kubectl command.
 *
 * <p>Reads go through SecretServiceReader, a plain D-Bus client of the JDK, when it can; writes
 * and anything it cannot read go through the library.
 */
public final class SecretServiceKeyring implements CredentialStore.Backend {

    /** Long enough for a keyring daemon that D-Bus starts on demand, short enough for kubectl. */
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);

    private static final String SERVICE_ATTRIBUTE = "service";
    private static final String KEY_ATTRIBUTE = "username";

    private final String service;
    private final ExecutorService caller = Executors.newSingleThreadExecutor(new DaemonThreads());
    private SimpleCollection collection;

    public SecretServiceKeyring(String service) {
        this.service = service;
    }

    /**
     * Returns one class from each jar a keyring call loads, so the exec plugin's class path can
     * carry those jars. The JVM opens a class-path jar only when it looks a class up in it, so a
     * plugin on the file store never pays for them.
     */
    public static List<Class<?>> libraryClasses() {
        return List.of(SimpleCollection.class, org.freedesktop.dbus.connections.impl.DBusConnection.class,
            org.freedesktop.dbus.transport.jre.NativeTransportProvider.class, at.favre.lib.crypto.HKDF.class,
            org.slf4j.LoggerFactory.class, org.slf4j.nop.NOPServiceProvider.class);
    }

    @Override
    public String describe() {
        return "the Secret Service keyring (service " + service + ")";
    }

    @Override
    public Map<String, String> read() {
        return call("read", new Read());
    }

    /**
     * The exec plugin reads on every kubectl call, so the read tries the plain D-Bus reader first
     * and loads the library only when that one cannot do it. A named class, not a lambda: a
     * lambda's bootstrap would cost the plugin's start-up too.
     */
    private final class Read implements Callable<Map<String, String>> {
        @Override
        public Map<String, String> call() {
            String bus = System.getenv("DBUS_SESSION_BUS_ADDRESS");
            if (bus != null && !bus.isBlank()) {
                try {
                    return SecretServiceReader.read(bus, service);
                } catch (SecretServiceReader.Unsupported e) {
                    // The library below reads the same items and reports what really failed.
                }
            }
            Map<String, String> secrets = new LinkedHashMap<>();
            for (Map.Entry<String, String> item : items().entrySet()) {
                char[] secret = collection().getSecret(item.getValue());
                if (secret == null) {
                    throw new KeyringException("the keyring returned no secret for the key " + item.getKey());
                }
                secrets.put(item.getKey(), new String(secret));
            }
            return secrets;
        }
    }

    /** Daemon threads, so a keyring call abandoned after its timeout never keeps the JVM alive. */
    private static final class DaemonThreads implements ThreadFactory {
        @Override
        public Thread newThread(Runnable task) {
            Thread thread = new Thread(task, "datumctl-keyring");
            thread.setDaemon(true);
            return thread;
        }
    }

    @Override
    public void write(Map<String, String> before, Map<String, String> after) {
        call("write", () -> {
            Map<String, String> paths = items();
            for (Map.Entry<String, String> entry : after.entrySet()) {
                String key = entry.getKey();
                if (entry.getValue().equals(before.get(key)) && paths.containsKey(key)) {
                    continue;
                }
                String path = paths.get(key);
                if (path == null) {
                    collection().createItem(label(key), entry.getValue(), attributes(key));
                } else {
                    collection().updateItem(path, label(key), entry.getValue(), attributes(key));
                }
            }
            for (String key : before.keySet()) {
                if (!after.containsKey(key) && paths.containsKey(key)) {
                    collection().deleteItem(paths.get(key));
                }
            }
            return null;
        });
    }

    /** Returns the item path of each key of the service; of duplicates, the first one found. */
    private Map<String, String> items() {
        Map<String, String> paths = new LinkedHashMap<>();
        List<String> found = collection().getItems(Map.of(SERVICE_ATTRIBUTE, service));
        if (found == null) {
            return paths;
        }
        for (String path : found) {
            Map<String, String> attributes = collection().getAttributes(path);
            String key = attributes == null ? null : attributes.get(KEY_ATTRIBUTE);
            if (key != null) {
                paths.putIfAbsent(key, path);
            }
        }
        return paths;
    }

    private Map<String, String> attributes(String key) {
        return Map.of(SERVICE_ATTRIBUTE, service, KEY_ATTRIBUTE, key);
    }

    /** Returns the label keyring managers such as Seahorse show; the Go keyring library writes the same. */
    private String label(String key) {
        return "Password for '" + key + "' on '" + service + "'";
    }

    private SimpleCollection collection() {
        if (collection == null) {
            if (!SimpleCollection.isAvailable()) {
                throw new KeyringException("no Secret Service responds on the D-Bus session bus");
            }
            try {
                collection = new SimpleCollection();
            } catch (Exception e) {
                throw new KeyringException("cannot open the default keyring collection: " + e.getMessage());
            }
            collection.setTimeout(CALL_TIMEOUT);
            if (collection.isLocked()) {
                throw new KeyringException("the default keyring collection is locked");
            }
        }
        return collection;
    }

    private <T> T call(String action, Callable<T> body) {
        Future<T> result = caller.submit(body);
        try {
            return result.get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            result.cancel(true);
            throw new KeyringException("the keyring did not respond within " + CALL_TIMEOUT.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KeyringException("interrupted while waiting for the keyring");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof KeyringException keyring) {
                throw keyring;
            }
            String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
            throw new KeyringException("keyring " + action + " failed: " + message);
        }
    }

    /** A keyring that is missing, locked, slow or refusing; the store reports or falls back. */
    public static final class KeyringException extends RuntimeException {
        KeyringException(String message) {
            super(message, null, false, false);
        }
    }
}

//SOURCES DBusWire.java SecretServiceClient.java

package lib;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A credential store backend that keeps one keyring service in the Secret Service on the D-Bus
 * session bus, through SecretServiceClient.
 *
 * <p>Every call runs on one daemon thread and is abandoned after {@link #CALL_TIMEOUT}, because a
 * hung keyring must not hang the exec plugin, and with it every kubectl command.
 */
public final class SecretServiceKeyring implements CredentialStore.Backend {

    /**
     * The limit for one keyring call. It leaves time for D-Bus to start a keyring daemon on
     * demand, and stays short because kubectl may retry a failing plugin several times per command.
     */
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);

    private final String service;
    private final ExecutorService caller = Executors.newSingleThreadExecutor(new DaemonThreads());

    public SecretServiceKeyring(String service) {
        this.service = service;
    }

    @Override
    public Map<String, String> read() {
        return call(new Read());
    }

    @Override
    public void write(Map<String, String> before, Map<String, String> after) {
        call(new Write(before, after));
    }

    // Named classes, not lambdas: the exec plugin reads on every kubectl call, and a lambda's
    // bootstrap would add to its start-up.
    private final class Read implements Callable<Map<String, String>> {
        @Override
        public Map<String, String> call() throws SecretServiceClient.Failure, java.io.IOException {
            try (SecretServiceClient client = SecretServiceClient.connect(busAddress())) {
                return client.read(service);
            }
        }
    }

    private final class Write implements Callable<Void> {
        private final Map<String, String> before;
        private final Map<String, String> after;

        Write(Map<String, String> before, Map<String, String> after) {
            this.before = before;
            this.after = after;
        }

        @Override
        public Void call() throws SecretServiceClient.Failure, java.io.IOException {
            try (SecretServiceClient client = SecretServiceClient.connect(busAddress())) {
                client.write(service, before, after);
                return null;
            }
        }
    }

    /** A factory of daemon threads, so a keyring call abandoned after its timeout never keeps the JVM alive. */
    private static final class DaemonThreads implements ThreadFactory {
        @Override
        public Thread newThread(Runnable task) {
            Thread thread = new Thread(task, "datumctl-keyring");
            thread.setDaemon(true);
            return thread;
        }
    }

    private static String busAddress() throws SecretServiceClient.Failure {
        String address = System.getenv("DBUS_SESSION_BUS_ADDRESS");
        if (address == null || address.isBlank()) {
            throw new SecretServiceClient.Failure("DBUS_SESSION_BUS_ADDRESS is not set, so there is no D-Bus session bus",
                true);
        }
        return address;
    }

    private <T> T call(Callable<T> body) {
        Future<T> result = caller.submit(body);
        try {
            return result.get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            result.cancel(true);
            throw new KeyringException("the keyring call timed out after " + CALL_TIMEOUT.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KeyringException("interrupted while waiting for the keyring");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
            throw new KeyringException(message,
                cause instanceof SecretServiceClient.Failure failure && failure.absent());
        }
    }

    /** An error from a keyring that is missing, locked, slow or failing; only an absent one lets the store fall back. */
    public static final class KeyringException extends RuntimeException {
        private final boolean absent;

        KeyringException(String message) {
            this(message, false);
        }

        KeyringException(String message, boolean absent) {
            super(message, null, false, false);
            this.absent = absent;
        }

        /** Returns true when there is no keyring at all, so nothing can be stored in one. */
        public boolean absent() {
            return absent;
        }
    }
}

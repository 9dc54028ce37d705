package lib;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Whole-file writes that a crash or a parallel process can never leave half done, and the
 * locks that order read-modify-write cycles between processes.
 */
public final class AtomicFiles {

    public static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    public static final Set<PosixFilePermission> OWNER_ONLY_DIR = PosixFilePermissions.fromString("rwx------");

    // FileChannel locks are held per JVM, so threads of one process need their own lock first.
    private static final Map<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();

    private AtomicFiles() {
    }

    /** Returns the file's bytes, or null when it does not exist. */
    public static byte[] readIfExists(Path file) throws IOException {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /**
     * Replaces the file with data: temp file in the same folder, fsync, rename. With perms null
     * the file keeps the permissions it had, or gets the default ones when new.
     */
    public static void write(Path file, byte[] data, Set<PosixFilePermission> perms) throws IOException {
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        Files.createDirectories(dir);
        Set<PosixFilePermission> mode = perms != null ? perms : existingPermissions(target);
        Path temp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
        try {
            if (mode != null) {
                setPermissions(temp, mode);
            }
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(data);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            move(temp, target);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static void move(Path temp, Path target) throws IOException {
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static Set<PosixFilePermission> existingPermissions(Path file) throws IOException {
        if (!Files.exists(file)) {
            return null;
        }
        try {
            return Files.getPosixFilePermissions(file);
        } catch (UnsupportedOperationException e) {
            return null;
        }
    }

    private static void setPermissions(Path file, Set<PosixFilePermission> perms) throws IOException {
        try {
            Files.setPosixFilePermissions(file, perms);
        } catch (UnsupportedOperationException e) {
            // Not a POSIX file system (Windows): the user profile's ACLs protect the file instead.
        }
    }

    /**
     * Creates the folder with owner-only permissions when it is new, and its missing parents the
     * same way: DATUMCTL_HOME itself is often created this way, and it contains secrets.
     */
    public static void createPrivateDir(Path dir) throws IOException {
        Path absolute = dir.toAbsolutePath();
        if (Files.isDirectory(absolute)) {
            return;
        }
        Path parent = absolute.getParent();
        if (parent != null) {
            createPrivateDir(parent);
        }
        try {
            Files.createDirectory(absolute);
        } catch (FileAlreadyExistsException e) {
            // A parallel datumctl created it first; its permissions are the same as ours.
            return;
        }
        setPermissions(absolute, OWNER_ONLY_DIR);
    }

    /**
     * Runs action while holding an exclusive lock on lockFile, blocking until it is free. The lock
     * file is never deleted: deleting it would let two processes lock two different files.
     */
    public static <T> T withLock(Path lockFile, Callable<T> action) throws Exception {
        Path key = lockFile.toAbsolutePath();
        createPrivateDir(key.getParent());
        ReentrantLock local = IN_PROCESS.computeIfAbsent(key, k -> new ReentrantLock());
        local.lock();
        try (FileChannel channel = FileChannel.open(key, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = channel.lock()) {
            return action.call();
        } finally {
            local.unlock();
        }
    }

    /**
     * Creates lockFile exclusively, the way kubectl locks a kubeconfig (<file>.lock), runs action
     * and removes the lock, also when action fails: a stale lock would block kubectl.
     *
     * <p>The lock names this process ("datumctl pid N"), so a lock left by a datumctl that was
     * killed outright is recognised and removed by the next one instead of blocking until the
     * user deletes it. Empty lock files, as kubectl writes them, are never broken.
     */
    public static <T> T withExclusiveLockFile(Path lockFile, long timeoutMillis, Callable<T> action) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (!tryCreateLockFile(lockFile)) {
            if (breakStaleLock(lockFile)) {
                continue;
            }
            if (System.currentTimeMillis() > deadline) {
                throw new UserError("cannot lock " + lockFile + ": the lock file exists",
                    "If no other kubectl or datumctl is running, remove " + lockFile + " and try again.");
            }
            Thread.sleep(50);
        }
        try {
            return action.call();
        } finally {
            Files.deleteIfExists(lockFile);
        }
    }

    static final String LOCK_OWNER_PREFIX = "datumctl pid ";

    /**
     * Creates the lock with its owner already inside: the owner line goes to a private file first
     * and a hard link publishes it, so no reader finds an empty or half-written datumctl lock.
     */
    private static boolean tryCreateLockFile(Path lockFile) throws IOException {
        long pid = ProcessHandle.current().pid();
        Path staging = lockFile.resolveSibling("." + lockFile.getFileName() + "." + pid + ".tmp");
        Files.write(staging, (LOCK_OWNER_PREFIX + pid + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        try {
            Files.createLink(lockFile, staging);
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } catch (UnsupportedOperationException | IOException e) {
            // No hard links on this file system: an empty lock, as kubectl makes, still excludes.
            return createPlainLock(lockFile);
        } finally {
            Files.deleteIfExists(staging);
        }
    }

    private static boolean createPlainLock(Path lockFile) throws IOException {
        try {
            Files.createFile(lockFile);
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        }
    }

    /**
     * Removes a lock whose owner is a datumctl process that no longer runs. It is renamed aside
     * first, which only one process can do, and put back if it turns out to belong to a live one.
     */
    private static boolean breakStaleLock(Path lockFile) throws IOException {
        Long owner = lockOwner(lockFile);
        if (owner == null || ProcessHandle.of(owner).map(ProcessHandle::isAlive).orElse(false)) {
            return false;
        }
        Path aside = lockFile.resolveSibling("." + lockFile.getFileName() + ".stale." + ProcessHandle.current().pid());
        try {
            Files.move(lockFile, aside, StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchFileException e) {
            return true;
        }
        if (!owner.equals(lockOwner(aside))) {
            // Another process broke the stale lock and took a new one in between: give it back.
            try {
                Files.createLink(lockFile, aside);
            } catch (FileAlreadyExistsException ignored) {
                // A third process holds the lock by now; the one moved aside is released early.
            }
            Files.deleteIfExists(aside);
            return false;
        }
        Files.deleteIfExists(aside);
        return true;
    }

    // NOTE: the pid is checked on this machine only. A kubeconfig shared over a network file
    // system by two hosts could see a live remote owner as gone.
    /** Returns the pid a datumctl lock names, or null for a lock without one (kubectl's, or unreadable). */
    static Long lockOwner(Path lockFile) {
        try {
            String text = Files.readString(lockFile, java.nio.charset.StandardCharsets.US_ASCII).trim();
            return text.startsWith(LOCK_OWNER_PREFIX) ? Long.valueOf(text.substring(LOCK_OWNER_PREFIX.length())) : null;
        } catch (IOException | NumberFormatException e) {
            return null;
        }
    }
}

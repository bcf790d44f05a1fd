package org.rnnlab.data;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An exclusive lock on a folder, held by one rnnlab process at a time: a task's data folder while
 * its files are generated and read, a model folder while model.zip and metrics.json are written.
 * A second run that needs the folder waits, saying so, and goes on once the first lets go; runs
 * with different recipes thus each train on their own recipe's data (docs/robustness.md,
 * "Two runs, one folder").
 *
 * <p>The lock is the operating system's ({@link FileChannel#lock}) on a {@code .lock} file in the
 * folder, so a run killed in any way releases it; the file itself stays, empty, as lock files do.
 * Threads of one process take a lock of their own first, since a JVM may hold a file's lock only once.
 */
public final class FolderLock implements AutoCloseable {
    public static final String FILE = ".lock";
    private static final Map<Path, ReentrantLock> IN_THIS_PROCESS = new ConcurrentHashMap<>();

    private final ReentrantLock local;
    private final FileChannel channel;
    private final FileLock lock;
    private boolean closed;

    private FolderLock(ReentrantLock local, FileChannel channel, FileLock lock) {
        this.local = local;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Locks {@code dir} (made if missing), waiting for another process that holds it; while it
     * waits, says once on {@code notices} who it waits for.
     *
     * @param use what the folder is being used for, for the notice ("its data", "the model")
     */
    public static FolderLock acquire(Path dir, String use, PrintStream notices) throws IOException {
        Files.createDirectories(dir);
        Path key = dir.toAbsolutePath().normalize();
        ReentrantLock local = IN_THIS_PROCESS.computeIfAbsent(key, k -> new ReentrantLock());
        if (!local.tryLock()) {
            notices.println("waiting for another task of this run to finish with " + dir + " (" + use + ")");
            local.lock();
        }
        if (local.getHoldCount() > 1) {
            return new FolderLock(local, null, null); // this thread already holds the folder
        }
        FileChannel channel = null;
        try {
            channel = FileChannel.open(key.resolve(FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null) {
                notices.println("waiting for another rnnlab run to finish with " + dir + " (" + use + ")");
                lock = channel.lock();
            }
            return new FolderLock(local, channel, lock);
        } catch (IOException | RuntimeException e) {
            if (channel != null) {
                channel.close();
            }
            local.unlock();
            throw e;
        }
    }

    /** Lets go of the folder; a second call does nothing. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (lock != null) {
                lock.release();
                channel.close();
            }
        } finally {
            local.unlock();
        }
    }
}

package org.rnnlab.data;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A folder's lock is held by one process at a time, waits say so, and a killed holder lets go (issue 18, item 3). */
class FolderLockTest {
    @TempDir
    Path dir;

    /** Holds the lock of the folder in args[0] until its stdin closes or it is killed. */
    public static final class Holder {
        public static void main(String[] args) throws Exception {
            try (FolderLock lock = FolderLock.acquire(Path.of(args[0]), "a test", System.out)) {
                System.out.println("locked");
                System.out.flush();
                while (System.in.read() >= 0) {
                    // hold until stdin closes
                }
            }
        }
    }

    @Test
    void aSecondProcessWaitsSayingSoUntilTheHolderIsKilled() throws Exception {
        Process holder = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-cp",
                System.getProperty("java.class.path"), Holder.class.getName(), dir.toString()).start();
        try {
            BufferedReader said = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
            assertTrue("locked".equals(said.readLine()), "the holder took the lock");

            ByteArrayOutputStream notices = new ByteArrayOutputStream();
            CompletableFuture<Void> second = CompletableFuture.runAsync(() -> {
                try (FolderLock lock = FolderLock.acquire(dir, "its data",
                        new PrintStream(notices, true, StandardCharsets.UTF_8))) {
                    // got it
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            Thread.sleep(1500);
            assertFalse(second.isDone(), "the second waits while the first holds the folder");
            assertTrue(notices.toString(StandardCharsets.UTF_8).contains("waiting for another rnnlab run to finish with "
                    + dir + " (its data)"), notices.toString(StandardCharsets.UTF_8));

            holder.destroyForcibly(); // SIGKILL: no shutdown hook, no finally; the system drops the lock
            second.get(30, TimeUnit.SECONDS);
        } finally {
            holder.destroyForcibly();
        }
    }

    @Test
    void threadsOfOneProcessTakeTurnsAndOneThreadMayNestIt() throws Exception {
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        try (FolderLock outer = FolderLock.acquire(dir, "outer", quiet);
                FolderLock inner = FolderLock.acquire(dir, "inner", quiet)) {
            CompletableFuture<Void> other = CompletableFuture.runAsync(() -> {
                try (FolderLock lock = FolderLock.acquire(dir, "other", quiet)) {
                    // got it
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            Thread.sleep(300);
            assertFalse(other.isDone(), "another thread waits");
            inner.close();
            Thread.sleep(300);
            assertFalse(other.isDone(), "still held by the outer lock");
            outer.close();
            other.get(10, TimeUnit.SECONDS);
        }
    }
}

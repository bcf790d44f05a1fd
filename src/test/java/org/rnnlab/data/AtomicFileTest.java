package org.rnnlab.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFileTest {
    @TempDir
    Path dir;

    private List<String> folderContents() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void writesANewFile() throws IOException {
        Path target = dir.resolve("a.txt");
        AtomicFile.writeString(target, "héllo\n");
        assertArrayEquals("héllo\n".getBytes(StandardCharsets.UTF_8), Files.readAllBytes(target));
        assertEquals(List.of("a.txt"), folderContents());
    }

    @Test
    void createsMissingParentFolders() throws IOException {
        Path target = dir.resolve("x/y/z.bin");
        AtomicFile.write(target, out -> out.write(new byte[] {1, 2, 3}));
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(target));
    }

    @Test
    void replacesExistingContent() throws IOException {
        Path target = dir.resolve("a.txt");
        AtomicFile.writeString(target, "a much longer first version\n");
        AtomicFile.writeString(target, "short\n");
        // Replaced, not overwritten in place: no tail of the longer old content survives.
        assertEquals("short\n", Files.readString(target));
        assertEquals(List.of("a.txt"), folderContents());
    }

    @Test
    void aFailingWriterLeavesTheOldFileAndNoTemporaryFiles() throws IOException {
        Path target = dir.resolve("model.zip");
        byte[] old = {10, 20, 30, 40, 50};
        Files.write(target, old);

        IOException e = assertThrows(IOException.class, () -> AtomicFile.write(target, out -> {
            out.write(new byte[] {99, 99, 99}); // some bytes reach the temporary file ...
            throw new IOException("disk full"); // ... then the writer fails
        }));
        assertEquals("disk full", e.getMessage());
        assertArrayEquals(old, Files.readAllBytes(target));
        assertEquals(List.of("model.zip"), folderContents(), "the temporary file must be cleaned up");
    }

    @Test
    void aFailingWriterCreatesNoTarget() throws IOException {
        Path target = dir.resolve("new.csv");
        assertThrows(IOException.class, () -> AtomicFile.write(target, out -> {
            out.write(1);
            throw new IOException("boom");
        }));
        assertFalse(Files.exists(target));
        assertEquals(List.of(), folderContents());
    }

    @Test
    void anUncheckedFailureAlsoCleansUp() throws IOException {
        Path target = dir.resolve("a.txt");
        Files.writeString(target, "old");
        assertThrows(IllegalStateException.class, () -> AtomicFile.write(target, out -> {
            out.write(7);
            throw new IllegalStateException("bug in the writer");
        }));
        assertEquals("old", Files.readString(target));
        assertEquals(List.of("a.txt"), folderContents());
    }

    @Test
    void writtenFilesAreReadableByAll() throws IOException {
        assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"), "POSIX file system only");
        Path target = dir.resolve("metrics.json");
        AtomicFile.writeString(target, "{}");
        // Temporary files start as rw-------; the finished file must not keep that.
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(target)));
        AtomicFile.writeString(target, "{ }");
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(target)));
    }

    /** What a Ctrl-C in the middle of a save does: the shutdown hook removes the half-written file. */
    @Test
    void aStopDuringTheWriteLeavesTheOldFileAndNoTemporaryOne() throws IOException {
        Path target = dir.resolve("model.zip");
        Files.writeString(target, "old model");
        assertThrows(IOException.class, () -> AtomicFile.write(target, out -> {
            out.write("half of a new mod".getBytes(StandardCharsets.UTF_8));
            assertEquals(2, folderContents().size(), "the temporary file exists while writing");
            AtomicFile.deleteUnfinished(); // as the shutdown hook would, with the JVM stopping here
        }));
        assertEquals("old model", Files.readString(target));
        assertEquals(List.of("model.zip"), folderContents());
    }

    /** Two runs saving to the same place: the file is always one of them, complete, never a mix. */
    @Test
    void concurrentWritersLeaveOneCompleteFile() throws Exception {
        Path target = dir.resolve("model.zip");
        byte[] a = new byte[200_000];
        byte[] b = new byte[200_000];
        java.util.Arrays.fill(a, (byte) 'a');
        java.util.Arrays.fill(b, (byte) 'b');
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 20; round++) {
                var first = pool.submit(() -> {
                    AtomicFile.write(target, out -> out.write(a));
                    return null;
                });
                var second = pool.submit(() -> {
                    AtomicFile.write(target, out -> out.write(b));
                    return null;
                });
                first.get();
                second.get();
                byte[] content = Files.readAllBytes(target);
                org.junit.jupiter.api.Assertions.assertTrue(java.util.Arrays.equals(content, a)
                        || java.util.Arrays.equals(content, b), "round " + round + ": a mix of both writes");
            }
        } finally {
            pool.shutdown();
        }
        assertEquals(List.of("model.zip"), folderContents());
    }

    @Test
    void theTemporaryFileOfAKilledRunIsDeletedByTheNextWriteAndALiveOnesIsKept() throws Exception {
        Process gone = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-version")
                .redirectErrorStream(true).start();
        gone.getInputStream().readAllBytes();
        gone.waitFor();
        Path abandoned = Files.writeString(dir.resolve(AtomicFile.tempPrefix("model.zip", gone.pid()) + "123.tmp"), "half");
        Path live = Files.writeString(dir.resolve(AtomicFile.tempPrefix("model.zip", ProcessHandle.current().pid())
                + "456.tmp"), "being written");
        Path otherFile = Files.writeString(dir.resolve(AtomicFile.tempPrefix("metrics.json", gone.pid()) + "7.tmp"), "x");
        Path notOurs = Files.writeString(dir.resolve(".model.zip.notes.tmp"), "a user's file");

        AtomicFile.writeString(dir.resolve("model.zip"), "new");

        assertFalse(Files.exists(abandoned), "a dead process's temporary file is deleted");
        assertTrue(Files.exists(live), "a live process's temporary file is its own to finish");
        assertTrue(Files.exists(otherFile), "only the temporary files of the file being written");
        assertTrue(Files.exists(notOurs), "a name this class does not give is left alone");
    }
}

package org.rnnlab.data;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Writes a file so that readers see either the old content or the complete new content, never a
 * half-written file: the bytes go to a temporary file in the same folder, are forced to disk, and
 * the temporary file is then moved over the target in one step. A run killed outright (SIGKILL,
 * a power cut) may leave its temporary file behind; the next write to the same target deletes it.
 */
public final class AtomicFile {

    /** Writes bytes to an output stream; may fail with an IOException. */
    @FunctionalInterface
    public interface Writer {
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * Temporary files being written now. A JVM stopped by Ctrl-C or SIGTERM runs its shutdown hooks
     * but not the {@code finally} below, so a hook deletes them: a stopped run leaves the old file
     * and no half-written one beside it.
     */
    private static final Set<Path> UNFINISHED = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(AtomicFile::deleteUnfinished, "rnnlab-unfinished-files"));
    }

    private AtomicFile() {
    }

    /** Deletes the temporary files of writes still in progress (what the shutdown hook does). */
    static void deleteUnfinished() {
        for (Path temp : UNFINISHED) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException e) {
                // nothing more can be done while the JVM stops
            }
        }
    }

    public static void write(Path target, Writer writer) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        deleteAbandoned(dir, target.getFileName().toString());
        Path temp = Files.createTempFile(dir, tempPrefix(target.getFileName().toString(), ProcessHandle.current().pid()),
                ".tmp");
        UNFINISHED.add(temp);
        try {
            readableByAll(temp);
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                OutputStream out = Channels.newOutputStream(channel);
                writer.writeTo(out);
                out.flush();
                channel.force(true);
            }
            moveIntoPlace(temp, target);
        } finally {
            Files.deleteIfExists(temp);
            UNFINISHED.remove(temp);
        }
    }

    /**
     * ".NAME.PID.": a temporary file names the process writing it, so that a later run can tell
     * the file of a killed run (SIGKILL runs no shutdown hook) from one being written right now.
     */
    static String tempPrefix(String name, long pid) {
        return "." + name + "." + pid + ".";
    }

    /**
     * Deletes the temporary files a killed run left beside {@code name}: those whose process is
     * gone. Those of live processes are theirs to finish or delete.
     */
    static void deleteAbandoned(Path dir, String name) throws IOException {
        String start = "." + name + ".";
        try (var files = Files.newDirectoryStream(dir, file -> {
            String f = file.getFileName().toString();
            return f.startsWith(start) && f.endsWith(".tmp");
        })) {
            for (Path file : files) {
                String rest = file.getFileName().toString().substring(start.length());
                int dot = rest.indexOf('.');
                long pid;
                try {
                    pid = Long.parseLong(dot < 0 ? rest : rest.substring(0, dot));
                } catch (NumberFormatException e) {
                    continue; // not a name this class gives
                }
                if (ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true)) {
                    Files.deleteIfExists(file);
                }
            }
        }
    }

    public static void writeString(Path target, String text) throws IOException {
        write(target, out -> out.write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    /** Temporary files start private (rw-------); a saved model or CSV should read like any other file. */
    private static void readableByAll(Path file) throws IOException {
        if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        }
    }

    private static void moveIntoPlace(Path temp, Path target) throws IOException {
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            // Some file systems cannot rename atomically; a plain replace is the best they offer.
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}

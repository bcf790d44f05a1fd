package org.rnnlab.nets;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnnlab.BadInputException;

/** Damaged, mutated and hostile model files: each ends in one BadInputException, quickly, and runs nothing. */
class ModelStoreRobustnessTest {
    @TempDir
    Path dir;

    /** A serializable object that records being deserialized: what an attacker's gadget would do instead. */
    static final class Tripwire implements Serializable {
        private static final long serialVersionUID = 1L;
        static volatile boolean tripped;

        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            tripped = true;
        }
    }

    private Path validModel() throws IOException {
        Path file = dir.resolve("valid.zip");
        ModelStore.save(file, ModelStoreTest.model(), ModelInfo.of("demo-task", new ModelStoreTest.Options(5, 9)));
        return file;
    }

    /** A copy of {@code model} with one more entry. */
    private Path withEntry(Path model, String name, byte[] content) throws IOException {
        Path copy = dir.resolve("with-" + name + ".zip");
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(model));
                ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(copy))) {
            for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                out.putNextEntry(new ZipEntry(entry.getName()));
                in.transferTo(out);
                out.closeEntry();
            }
            out.putNextEntry(new ZipEntry(name));
            out.write(content);
            out.closeEntry();
        }
        return copy;
    }

    @Test
    void aSerializedObjectInTheZipIsRefusedWithoutBeingDeserialized() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(new Tripwire());
        }
        Path hostile = withEntry(validModel(), "preprocessor.bin", bytes.toByteArray());

        Tripwire.tripped = false;
        BadInputException e = assertThrows(BadInputException.class, () -> ModelStore.load(hostile));
        assertTrue(e.getMessage().contains("preprocessor.bin"), e.getMessage());
        assertFalse(Tripwire.tripped, "rnnlab deserialized the object");

        // The threat is real: DL4J's own loader deserializes that entry.
        try {
            ModelSerializer.restoreMultiLayerNetwork(hostile.toFile(), true);
        } catch (RuntimeException expected) {
            // it is not a DataSetPreProcessor, but readObject has run by then
        }
        assertTrue(Tripwire.tripped, "DL4J's ModelSerializer no longer deserializes preprocessor.bin");
    }

    @Test
    void anEmptyFileAndABrokenRnnlabJsonAreRefusedByName() throws IOException {
        Path empty = Files.createFile(dir.resolve("empty.zip"));
        assertTrue(assertThrows(BadInputException.class, () -> ModelStore.load(empty)).getMessage()
                .contains("not a model zip"));

        Path valid = validModel();
        Path broken = dir.resolve("broken-info.zip");
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(valid));
                ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(broken))) {
            for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                out.putNextEntry(new ZipEntry(entry.getName()));
                if (entry.getName().equals(ModelStore.INFO_ENTRY)) {
                    out.write("{\"task\": \"demo-task\", \"format_version\": ".getBytes());
                } else {
                    in.transferTo(out);
                }
                out.closeEntry();
            }
        }
        BadInputException e = assertThrows(BadInputException.class, () -> ModelStore.load(broken));
        assertTrue(e.getMessage().contains(ModelStore.INFO_ENTRY) && !e.getMessage().contains("\n"), e.getMessage());
    }

    /** File permissions do not bind root, so these run only for other users (CI may well be root). */
    @Test
    void anUnreadableModelAndAReadOnlyFolderEndInOneClearError() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeFalse("root".equals(System.getProperty("user.name")),
                "skipped: running as root, which reads and writes regardless of permissions");
        Path model = validModel();
        byte[] before = Files.readAllBytes(model);
        Files.setPosixFilePermissions(model, java.nio.file.attribute.PosixFilePermissions.fromString("-w-------"));
        assertTrue(assertThrows(BadInputException.class, () -> ModelStore.load(model)).getMessage().contains("not readable"));
        Files.setPosixFilePermissions(model, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));

        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            assertThrows(IOException.class, () -> ModelStore.save(model, ModelStoreTest.model(),
                    ModelInfo.of("demo-task", new ModelStoreTest.Options(5, 9))));
        } finally {
            Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        org.junit.jupiter.api.Assertions.assertArrayEquals(before, Files.readAllBytes(model));
    }

    @Test
    void aNormalizerEntryThatIsNotOneIsRefused() throws IOException {
        Path file = dir.resolve("no-normalizer.zip");
        org.nd4j.linalg.dataset.api.preprocessor.DataNormalization none = null;
        ModelStore.save(file, new TrainedNetwork(ModelStoreTest.model().network(), none),
                ModelInfo.of("demo-task", new ModelStoreTest.Options(5, 9)));
        Path odd = withEntry(file, ModelSerializer.NORMALIZER_BIN, "not a normalizer".getBytes());
        assertThrows(BadInputException.class, () -> ModelStore.load(odd));
    }

    /**
     * 3,000 files made from a valid model by flipping bytes, truncating, splicing in random runs,
     * or made of random bytes: each loads or ends in a BadInputException, within a second.
     */
    @Test
    void mutatedAndRandomFilesEndInOneClearErrorWithinASecond() throws IOException {
        byte[] valid = Files.readAllBytes(validModel());
        Random random = new Random(1234);
        Path file = dir.resolve("fuzz.zip");
        int refused = 0;
        double slowest = 0;
        for (int i = 0; i < 3000; i++) {
            byte[] bytes = mutate(valid, random);
            Files.write(file, bytes);
            long start = System.nanoTime();
            try {
                ModelStore.load(file);
            } catch (BadInputException e) {
                refused++;
                if (e.getMessage() == null || e.getMessage().isBlank() || e.getMessage().contains("\n")) {
                    fail("case " + i + ": not one clear line: " + e.getMessage());
                }
            } catch (Throwable t) {
                throw new AssertionError("case " + i + " escaped as " + t, t);
            }
            slowest = Math.max(slowest, (System.nanoTime() - start) / 1e9);
        }
        assertTrue(slowest < 1.0, "slowest load took " + slowest + " s");
        assertTrue(refused > 2250, "only " + refused + " of 3000 damaged files were refused");
    }

    private static byte[] mutate(byte[] valid, Random random) {
        switch (random.nextInt(4)) {
            case 0 -> { // flip 1 to 8 bytes
                byte[] copy = valid.clone();
                for (int k = 1 + random.nextInt(8); k > 0; k--) {
                    copy[random.nextInt(copy.length)] ^= (byte) (1 + random.nextInt(255));
                }
                return copy;
            }
            case 1 -> { // truncate
                return java.util.Arrays.copyOf(valid, random.nextInt(valid.length));
            }
            case 2 -> { // overwrite a run with random bytes
                byte[] copy = valid.clone();
                int start = random.nextInt(copy.length);
                int length = Math.min(copy.length - start, 1 + random.nextInt(64));
                for (int j = 0; j < length; j++) {
                    copy[start + j] = (byte) random.nextInt(256);
                }
                return copy;
            }
            default -> { // random bytes, sometimes starting like a zip
                byte[] copy = new byte[random.nextInt(4096)];
                random.nextBytes(copy);
                if (copy.length >= 4 && random.nextBoolean()) {
                    copy[0] = 'P';
                    copy[1] = 'K';
                    copy[2] = 3;
                    copy[3] = 4;
                }
                return copy;
            }
        }
    }
}

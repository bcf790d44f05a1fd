package org.rnnlab.nets;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.dataset.api.preprocessor.DataNormalization;
import org.nd4j.linalg.dataset.api.preprocessor.serializer.NormalizerSerializer;
import org.rnnlab.BadInputException;
import org.rnnlab.data.AtomicFile;
import org.rnnlab.data.Json;
import org.rnnlab.layers.Nd4jThreads;

/**
 * Saves and loads trained networks as DL4J ModelSerializer zips (configuration.json,
 * coefficients.bin, updaterState.bin, normalizer.bin when the data was normalized) with one more entry, {@code rnnlab.json} ({@link ModelInfo}).
 *
 * <p>Saving is atomic: the zip is written to a temporary file beside the target and moved into
 * place, so an existing model survives a failed or interrupted save. Loading checks the file
 * before DL4J reads it and turns every problem into a {@link BadInputException} naming the file.
 */
public final class ModelStore {
    public static final String INFO_ENTRY = "rnnlab.json";
    public static final int FORMAT_VERSION = 1;
    private static final String[] DL4J_ENTRIES = {"configuration.json", "coefficients.bin"};
    /**
     * Every entry an rnnlab model may hold. Anything else is refused before DL4J reads the zip: in
     * particular DL4J's {@code preprocessor.bin}, which ModelSerializer reads with Java object
     * deserialization, a way for a crafted file to run code.
     */
    private static final Set<String> ALLOWED_ENTRIES = Set.of(INFO_ENTRY, "configuration.json", "coefficients.bin",
            "updaterState.bin", ModelSerializer.NORMALIZER_BIN);
    /** Far above any rnnlab model (char-rnn's is 0.2 MB); a larger entry is a damaged or hostile file. */
    private static final long MAX_ENTRY_BYTES = 256L << 20;

    /** A network and what rnnlab knows about it. */
    public record StoredModel(TrainedNetwork model, ModelInfo info) {
    }

    private ModelStore() {
    }

    /**
     * Writes the network (with its updater state, for resuming), its normalizer if it has one, and
     * {@code info} to {@code file}.
     */
    public static void save(Path file, TrainedNetwork model, ModelInfo info) throws IOException {
        save(file, model.network(), model.normalizer(), info, true);
    }

    /**
     * Writes any DL4J network (a MultiLayerNetwork or, for an imported Keras model, a
     * ComputationGraph), its normalizer if not null, and {@code info} to {@code file}; its updater
     * state only {@code withUpdater}: an imported model has none worth keeping, and DL4J 1.0.0-M2.1
     * cannot build the updater of a Bidirectional over LastTimeStep layers at all (docs/keras.md).
     */
    public static void save(Path file, org.deeplearning4j.nn.api.Model network, DataNormalization normalizer,
            ModelInfo info, boolean withUpdater) throws IOException {
        byte[] infoJson = Json.MAPPER.writeValueAsBytes(info);
        AtomicFile.write(file, out -> {
            ZipOutputStream zip = new ZipOutputStream(out);
            zip.putNextEntry(new ZipEntry(INFO_ENTRY));
            zip.write(infoJson);
            zip.closeEntry();
            // ModelSerializer writes a complete zip of its own; copy its entries beside ours.
            ByteArrayOutputStream dl4j = new ByteArrayOutputStream();
            ModelSerializer.writeModel(network, dl4j, withUpdater);
            try (ZipInputStream entries = new ZipInputStream(new ByteArrayInputStream(dl4j.toByteArray()))) {
                for (ZipEntry entry = entries.getNextEntry(); entry != null; entry = entries.getNextEntry()) {
                    zip.putNextEntry(new ZipEntry(entry.getName()));
                    entries.transferTo(zip);
                    zip.closeEntry();
                }
            }
            if (normalizer != null) {
                // The entry ModelSerializer itself would write; its writeModel(..., normalizer) to a
                // stream fails in 1.0.0-M2.1 ("flush() failed: stream is closed").
                zip.putNextEntry(new ZipEntry(ModelSerializer.NORMALIZER_BIN));
                NormalizerSerializer.getDefault().write(normalizer, new NonClosingStream(zip));
                zip.closeEntry();
            }
            zip.finish(); // not close(): AtomicFile still has to force the bytes to disk
        });
    }

    /** Reads only the rnnlab.json entry, after checking every entry's name, size and checksum. */
    public static ModelInfo readInfo(Path file) {
        requireReadableFile(file);
        try (ZipFile zip = new ZipFile(file.toFile())) {
            for (String name : DL4J_ENTRIES) {
                if (zip.getEntry(name) == null) {
                    throw new BadInputException(file + " is a zip but not a DL4J model (no " + name + ")");
                }
            }
            checkEntries(file, zip);
            ZipEntry entry = zip.getEntry(INFO_ENTRY);
            if (entry == null) {
                throw new BadInputException(file + " is a DL4J model but not an rnnlab one (no " + INFO_ENTRY + ")");
            }
            ModelInfo info;
            try (InputStream in = zip.getInputStream(entry)) {
                info = Json.MAPPER.readValue(new String(in.readAllBytes(), StandardCharsets.UTF_8), ModelInfo.class);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new BadInputException(file + ": " + INFO_ENTRY + " is not valid: " + e.getOriginalMessage(), e);
            }
            if (info.task() == null || info.options() == null) {
                throw new BadInputException(file + ": " + INFO_ENTRY + " names no task or options");
            }
            if (info.formatVersion() > FORMAT_VERSION || info.formatVersion() < 1) {
                throw new BadInputException(file + " has model format version " + info.formatVersion()
                        + "; this rnnlab reads versions 1.." + FORMAT_VERSION);
            }
            return info;
        } catch (ZipException e) {
            throw new BadInputException(file + " is not a model zip (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new BadInputException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Reads the network (with its updater state) and its info. */
    public static StoredModel load(Path file) {
        Nd4jThreads.configure(); // before the first op of a program that only loads and uses a model
        ModelInfo info = readInfo(file);
        try {
            MultiLayerNetwork network = ModelSerializer.restoreMultiLayerNetwork(file.toFile(), true);
            ObjectNode state = info.extras() instanceof ObjectNode extras ? extras : null;
            return new StoredModel(new TrainedNetwork(network, readNormalizer(file), state), info);
        } catch (IOException | RuntimeException e) {
            throw new BadInputException("cannot load the network in " + file + ": " + e.getMessage(), e);
        } catch (OutOfMemoryError e) {
            // A well-formed zip whose arrays claim absurd sizes: a damaged or hostile file, not a bug of ours.
            throw new BadInputException("cannot load the network in " + file + ": its arrays do not fit in memory", e);
        }
    }

    /**
     * The normalizer through NormalizerSerializer alone. ModelSerializer.restoreNormalizerFromFile
     * falls back on Java object deserialization for entries it does not recognise.
     */
    private static DataNormalization readNormalizer(Path file) throws IOException {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            ZipEntry entry = zip.getEntry(ModelSerializer.NORMALIZER_BIN);
            if (entry == null) {
                return null;
            }
            try (InputStream in = zip.getInputStream(entry)) {
                return NormalizerSerializer.getDefault().restore(in);
            } catch (IOException e) {
                throw e;
            } catch (Exception e) {
                throw new BadInputException(file + ": " + ModelSerializer.NORMALIZER_BIN + " is not a normalizer rnnlab reads ("
                        + e.getMessage() + ")", e);
            }
        }
    }

    /**
     * Refuses entries rnnlab does not write, and reads every entry to its end so that the zip's
     * CRC-32 checks run before DL4J parses anything: a damaged file fails here, as a damaged file,
     * rather than as garbage array shapes inside ND4J.
     */
    private static void checkEntries(Path file, ZipFile zip) throws IOException {
        var entries = zip.entries();
        while (entries.hasMoreElements()) {
            ZipEntry entry = entries.nextElement();
            if (!ALLOWED_ENTRIES.contains(entry.getName())) {
                throw new BadInputException(file + " holds an entry rnnlab does not write, " + entry.getName()
                        + "; refused (DL4J would read some such entries as Java objects)");
            }
            long read = 0;
            try (InputStream in = zip.getInputStream(entry)) {
                byte[] buffer = new byte[64 * 1024];
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    read += n;
                    if (read > MAX_ENTRY_BYTES) {
                        throw new BadInputException(file + ": entry " + entry.getName() + " is larger than "
                                + (MAX_ENTRY_BYTES >> 20) + " MB; not an rnnlab model");
                    }
                }
            } catch (ZipException | java.io.EOFException e) {
                throw new BadInputException(file + " is damaged: entry " + entry.getName() + " does not read back ("
                        + e.getMessage() + ")", e);
            }
        }
    }

    /** Keeps a serializer that closes its stream from closing the zip around it. */
    private static final class NonClosingStream extends java.io.FilterOutputStream {
        NonClosingStream(java.io.OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }

    private static void requireReadableFile(Path file) {
        if (!Files.exists(file)) {
            throw new BadInputException("no model at " + file + " (train one with 'rnnlab train TASK')");
        }
        if (!Files.isRegularFile(file)) {
            throw new BadInputException(file + " is not a file");
        }
        if (!Files.isReadable(file)) {
            throw new BadInputException(file + " is not readable");
        }
    }
}

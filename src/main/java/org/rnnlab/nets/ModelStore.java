package org.rnnlab.nets;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
        byte[] infoJson = Json.MAPPER.writeValueAsBytes(info);
        AtomicFile.write(file, out -> {
            ZipOutputStream zip = new ZipOutputStream(out);
            zip.putNextEntry(new ZipEntry(INFO_ENTRY));
            zip.write(infoJson);
            zip.closeEntry();
            // ModelSerializer writes a complete zip of its own; copy its entries beside ours.
            ByteArrayOutputStream dl4j = new ByteArrayOutputStream();
            ModelSerializer.writeModel(model.network(), dl4j, true);
            try (ZipInputStream entries = new ZipInputStream(new ByteArrayInputStream(dl4j.toByteArray()))) {
                for (ZipEntry entry = entries.getNextEntry(); entry != null; entry = entries.getNextEntry()) {
                    zip.putNextEntry(new ZipEntry(entry.getName()));
                    entries.transferTo(zip);
                    zip.closeEntry();
                }
            }
            if (model.normalizer() != null) {
                // The entry ModelSerializer itself would write; its writeModel(..., normalizer) to a
                // stream fails in 1.0.0-M2.1 ("flush() failed: stream is closed").
                zip.putNextEntry(new ZipEntry(ModelSerializer.NORMALIZER_BIN));
                NormalizerSerializer.getDefault().write(model.normalizer(), new NonClosingStream(zip));
                zip.closeEntry();
            }
            zip.finish(); // not close(): AtomicFile still has to force the bytes to disk
        });
    }

    /** Reads only the rnnlab.json entry. */
    public static ModelInfo readInfo(Path file) {
        requireReadableFile(file);
        try (ZipFile zip = new ZipFile(file.toFile())) {
            for (String name : DL4J_ENTRIES) {
                if (zip.getEntry(name) == null) {
                    throw new BadInputException(file + " is a zip but not a DL4J model (no " + name + ")");
                }
            }
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
        ModelInfo info = readInfo(file);
        try {
            MultiLayerNetwork network = ModelSerializer.restoreMultiLayerNetwork(file.toFile(), true);
            DataNormalization normalizer = hasEntry(file, ModelSerializer.NORMALIZER_BIN)
                    ? ModelSerializer.restoreNormalizerFromFile(file.toFile()) : null;
            ObjectNode state = info.extras() instanceof ObjectNode extras ? extras : null;
            return new StoredModel(new TrainedNetwork(network, normalizer, state), info);
        } catch (IOException | RuntimeException e) {
            throw new BadInputException("cannot load the network in " + file + ": " + e.getMessage(), e);
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

    private static boolean hasEntry(Path file, String name) throws IOException {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            return zip.getEntry(name) != null;
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

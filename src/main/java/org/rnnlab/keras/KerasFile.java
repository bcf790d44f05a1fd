package org.rnnlab.keras;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.deeplearning4j.nn.modelimport.keras.Hdf5Archive;
import org.rnnlab.BadInputException;
import org.rnnlab.data.Json;

/**
 * A Keras 2 HDF5 model file, checked before DL4J's importer sees it: an HDF5 signature, a readable
 * file, and the root attributes a Keras-saved model carries ({@code model_config}, and where Keras
 * wrote them {@code keras_version} and {@code backend}).
 *
 * <p>Or a model in two files, as Keras writes them with {@code model.to_json()} and
 * {@code model.save_weights("weights.h5")}: the JSON config, and an HDF5 file of weights.
 *
 * @param file         the .h5 file, or the JSON config of a model in two files
 * @param modelConfig  the parsed {@code model_config} JSON: {"class_name": "Sequential"|"Model"|..., "config": ...}
 * @param kerasVersion {@code keras_version}, or "unknown" where the file has none
 * @param backend      {@code backend}, or "unknown"
 * @param weights      the HDF5 file of weights: {@code file} itself for a whole model
 */
public record KerasFile(Path file, JsonNode modelConfig, String kerasVersion, String backend, Path weights) {

    /** A whole model in one .h5 file. */
    public KerasFile(Path file, JsonNode modelConfig, String kerasVersion, String backend) {
        this(file, modelConfig, kerasVersion, backend, file);
    }

    /** Whether the model came as a JSON config and a separate weights file. */
    public boolean twoFiles() {
        return !weights.equals(file);
    }

    /**
     * A model in two files: {@code config} as {@code model.to_json()} writes it (keras_version and
     * backend beside class_name and config), {@code weights} as {@code save_weights} or a whole-model
     * .h5 holds them.
     */
    public static KerasFile read(Path config, Path weights) {
        if (!Files.isRegularFile(config) || !Files.isReadable(config)) {
            throw new BadInputException(config + " is not a readable file");
        }
        JsonNode json;
        try {
            json = Json.MAPPER.readTree(Files.readString(config));
        } catch (IOException e) {
            throw new BadInputException(config + " is not a Keras model's JSON config: " + e.getMessage(), e);
        }
        if (json == null || !json.path("class_name").isTextual() || !json.has("config")) {
            throw new BadInputException(config + " is not a Keras model's JSON config (no class_name and config)");
        }
        requireHdf5(weights);
        // A config without keras_version and backend takes the weights file's (save_weights writes both)
        String version = json.path("keras_version").asText("unknown");
        String backend = json.path("backend").asText("unknown");
        try (Hdf5Archive archive = Hdf5Files.open(weights)) {
            if (archive.getGroups().isEmpty()) {
                throw new BadInputException(weights + " holds no weights (no groups)");
            }
            if (version.equals("unknown") && archive.hasAttribute("keras_version")) {
                version = archive.readAttributeAsString("keras_version");
            }
            if (backend.equals("unknown") && archive.hasAttribute("backend")) {
                backend = archive.readAttributeAsString("backend");
            }
        } catch (BadInputException e) {
            throw e;
        } catch (Exception e) {
            throw new BadInputException(weights + " cannot be read as HDF5 (" + Hdf5Files.reason(e) + ")", e);
        }
        return new KerasFile(config, json, version, backend, weights);
    }
    /** HDF5's format signature, at the start of a file written by h5py. */
    private static final byte[] HDF5_SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    private static final byte[] ZIP_SIGNATURE = {'P', 'K', 3, 4};

    /** Reads and checks {@code file}; every problem is one {@link BadInputException} naming the file. */
    public static KerasFile read(Path file) {
        requireHdf5(file);
        String json;
        String version;
        String backend;
        try (Hdf5Archive archive = Hdf5Files.open(file)) {
            if (!archive.hasAttribute("model_config")) {
                throw new BadInputException(file + " holds no Keras model (no model_config attribute; a file of"
                        + " weights only, from save_weights?)");
            }
            json = archive.readAttributeAsJson("model_config");
            version = archive.hasAttribute("keras_version") ? archive.readAttributeAsString("keras_version") : "unknown";
            backend = archive.hasAttribute("backend") ? archive.readAttributeAsString("backend") : "unknown";
        } catch (BadInputException e) {
            throw e;
        } catch (Exception e) {
            throw new BadInputException(file + " cannot be read as a Keras HDF5 model (" + Hdf5Files.reason(e) + ")", e);
        }
        JsonNode config;
        try {
            config = Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new BadInputException(file + ": its model_config is not JSON", e);
        }
        if (!config.path("class_name").isTextual()) {
            throw new BadInputException(file + ": its model_config names no model class");
        }
        return new KerasFile(file, config, version, backend);
    }

    /** Whether {@code file} starts with HDF5's signature (false for an unreadable file). */
    public static boolean isHdf5(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return Arrays.equals(Arrays.copyOf(in.readNBytes(HDF5_SIGNATURE.length), HDF5_SIGNATURE.length),
                    HDF5_SIGNATURE);
        } catch (IOException e) {
            return false;
        }
    }

    /** Refuses anything but a readable file with HDF5's signature, naming a Keras 3 archive as such. */
    private static void requireHdf5(Path file) {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new BadInputException(file + " is not a readable file");
        }
        byte[] start = firstBytes(file, HDF5_SIGNATURE.length);
        if (Arrays.equals(Arrays.copyOf(start, ZIP_SIGNATURE.length), ZIP_SIGNATURE)) {
            throw new BadInputException(file + " is a zip archive (a Keras 3 .keras file?); rnnlab imports Keras 2 HDF5"
                    + " files: in Keras, model.save(\"model.h5\")");
        }
        if (!Arrays.equals(start, HDF5_SIGNATURE)) {
            throw new BadInputException(file + " is not an HDF5 file (no HDF5 signature at its start)");
        }
    }

    /** Sequential, Model or Functional. */
    public String className() {
        return modelConfig.path("class_name").asText();
    }

    /** Whether DL4J imports it as a MultiLayerNetwork (a Sequential model) rather than a ComputationGraph. */
    public boolean sequential() {
        return className().equals("Sequential");
    }

    private static byte[] firstBytes(Path file, int n) {
        try (InputStream in = Files.newInputStream(file)) {
            return Arrays.copyOf(in.readNBytes(n), n);
        } catch (IOException e) {
            throw new BadInputException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}

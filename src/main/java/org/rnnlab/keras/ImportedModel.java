package org.rnnlab.keras;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.zip.ZipFile;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.rnnlab.BadInputException;
import org.rnnlab.data.Json;
import org.rnnlab.data.Sha256;
import org.rnnlab.nets.ModelInfo;
import org.rnnlab.nets.ModelStore;

/**
 * A network imported from a Keras file and where it came from: read from the .h5 itself, or from
 * the rnnlab zip {@code rnnlab import} saved it in. The zip is DL4J's ModelSerializer zip plus
 * rnnlab.json, whose task is {@value #TASK} and whose options record the source file, its
 * SHA-256, Keras version, backend and model class; its extras keep the Keras model_config, so
 * that the zip describes the Keras model it came from.
 */
public record ImportedModel(Model network, ObjectNode source, JsonNode modelConfig) {
    /** The task name in an imported model's rnnlab.json: no trainable task of rnnlab's. */
    public static final String TASK = "keras-import";

    /** The network of a Keras .h5 file. */
    public static ImportedModel fromKeras(Path file) {
        return fromKeras(KerasFile.read(file));
    }

    /** The network of a checked Keras file, or of a JSON config and its weights file. */
    public static ImportedModel fromKeras(KerasFile keras) {
        Model network = KerasImport.network(keras);
        ObjectNode source = Json.MAPPER.createObjectNode();
        source.put("file", keras.file().toAbsolutePath().normalize().toString());
        try {
            source.put("sha256", Sha256.of(keras.file()));
            if (keras.twoFiles()) {
                source.put("weights", keras.weights().toAbsolutePath().normalize().toString());
                source.put("weights_sha256", Sha256.of(keras.weights()));
            }
        } catch (IOException e) {
            throw new BadInputException("cannot read " + keras.file() + ": " + e.getMessage(), e);
        }
        source.put("keras_version", keras.kerasVersion());
        source.put("backend", keras.backend());
        source.put("class_name", keras.className());
        return new ImportedModel(network, source, keras.modelConfig());
    }

    /**
     * Whether {@code file} is for {@link #read}: a Keras HDF5 file, or a zip whose rnnlab.json names
     * {@value #TASK} (any other file is checked as an rnnlab zip, and refused in one line if it is none).
     */
    public static boolean isImported(Path file) {
        return KerasFile.isHdf5(file) || TASK.equals(ModelStore.readInfo(file).task());
    }

    /** An imported model from a Keras .h5 file or from the zip {@link #save} wrote. */
    public static ImportedModel read(Path file) {
        if (KerasFile.isHdf5(file) || file.toString().endsWith(".h5") || file.toString().endsWith(".keras")) {
            return fromKeras(file);
        }
        ModelInfo info = ModelStore.readInfo(file); // checks the zip's entries first
        if (!TASK.equals(info.task())) {
            throw new BadInputException(file + " holds an rnnlab " + info.task() + " model, not an imported Keras one");
        }
        try (ZipFile zip = new ZipFile(file.toFile())) {
            String configuration;
            try (InputStream in = zip.getInputStream(zip.getEntry("configuration.json"))) {
                configuration = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            // A ComputationGraph's configuration lists vertices; a MultiLayerNetwork's, confs
            Model network = Json.MAPPER.readTree(configuration).has("vertices")
                    ? ModelSerializer.restoreComputationGraph(file.toFile(), false)
                    : ModelSerializer.restoreMultiLayerNetwork(file.toFile(), false);
            return new ImportedModel(network, (ObjectNode) info.options(), info.extras().path("model_config"));
        } catch (IOException | RuntimeException e) {
            throw new BadInputException("cannot load the network in " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * What Keras's {@code model.predict(x)} returns, x laid out as Keras takes it. The shape is
     * checked against the input's {@code batch_input_shape} first: DL4J's native code fails on a
     * wrong width with a message of its own rather than a line naming the shapes.
     */
    public INDArray predict(INDArray x) {
        JsonNode declared = KerasSettings.batchInputShape(modelConfig);
        if (declared != null) {
            boolean fits = x.rank() == declared.size();
            for (int i = 1; fits && i < declared.size(); i++) {
                fits = declared.get(i).isNull() || declared.get(i).asLong() == x.size(i);
            }
            if (!fits) {
                throw new BadInputException("the model takes inputs of shape " + declared.toString().replace("null",
                        "None") + "; the input has " + java.util.Arrays.toString(x.shape()));
            }
        }
        return asKerasOutput(x, KerasLayout.predict(network, x));
    }

    /**
     * The network's raw output {@code y} for {@code x} as Keras returns it. DL4J's importer turns a
     * Dense or TimeDistributed(Dense) at every step of the last layer into a dense layer over
     * [batch x steps, units] rows, where Keras returns [batch, steps, units]. The rows are those of
     * DL4J's RnnToFeedForwardPreProcessor, which reshapes in 'f' order: row b + B t holds example b's
     * step t. (x is [batch, steps, features], or [batch, steps] of indices into a first Embedding.)
     */
    INDArray asKerasOutput(INDArray x, INDArray y) {
        int rank = KerasConfigSummary.outputRank(modelConfig);
        if (rank == 3 && y.rank() == 2 && x.rank() >= 2 && y.size(0) == x.size(0) * x.size(1)) {
            y = y.dup('f').reshape('f', x.size(0), x.size(1), y.size(1)).dup('c');
        }
        return y;
    }

    /** Saves the network and its source as an rnnlab zip (atomically, as every rnnlab model). */
    public void save(Path zip) throws IOException {
        ObjectNode extras = Json.MAPPER.createObjectNode();
        extras.set("model_config", modelConfig);
        ModelStore.save(zip, network, null, new ModelInfo(TASK, ModelStore.FORMAT_VERSION, source, extras), false);
    }

    /** One line: what was imported from where. */
    public String describe() {
        return String.format("%s from %s (Keras %s, %s backend) as a DL4J %s of %,d parameters", source.path("class_name")
                .asText(), source.path("file").asText(), source.path("keras_version").asText(), source.path("backend")
                .asText(), network.getClass().getSimpleName(), network.numParams());
    }
}

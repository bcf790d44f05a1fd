package org.rnnlab.keras;

import static org.bytedeco.hdf5.global.hdf5.H5F_ACC_TRUNC;
import static org.bytedeco.hdf5.global.hdf5.H5S_SCALAR;
import static org.bytedeco.hdf5.global.hdf5.H5T_CSET_UTF8;
import static org.bytedeco.hdf5.global.hdf5.H5T_STR_NULLPAD;
import static org.bytedeco.hdf5.global.hdf5.H5T_VARIABLE;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.bytedeco.hdf5.AbstractDs;
import org.bytedeco.hdf5.Attribute;
import org.bytedeco.hdf5.DataSet;
import org.bytedeco.hdf5.DataSpace;
import org.bytedeco.hdf5.Group;
import org.bytedeco.hdf5.H5File;
import org.bytedeco.hdf5.IdComponent;
import org.bytedeco.hdf5.PredType;
import org.bytedeco.hdf5.StrType;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.PointerScope;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
import org.deeplearning4j.nn.modelimport.keras.Hdf5Archive;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationHardSigmoid;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.rnnlab.BadInputException;
import org.rnnlab.data.AtomicFile;
import org.rnnlab.data.Json;
import org.rnnlab.layers.Gru;
import org.rnnlab.layers.GruParamInitializer;

/**
 * A DL4J network of SimpleRnn, LSTM, GRU, dense and output layers written as a Keras 2 HDF5 model in
 * tf.keras 2.2.4's layout, the one of the real files in ../shared/keras/: root attributes
 * {@code keras_version}, {@code backend} and {@code model_config} (variable-length strings), the
 * group {@code model_weights} with {@code layer_names}, and per layer a group with
 * {@code weight_names} (fixed-length string arrays) and float32 datasets
 * {@code model_weights/<layer>/<layer>/kernel:0}, {@code recurrent_kernel:0}, {@code bias:0}.
 *
 * <p>The weights in Keras's layout: a kernel is [inputs, gates x units] in both, so SimpleRnn's and
 * Dense's copy over as they are; DL4J's LSTM keeps its column blocks in the order g, f, o, i and
 * Keras's in i, f, c, o (c being DL4J's g), so each kernel and bias is re-blocked. rnnlab's {@link Gru}
 * (and {@code FastGru}) keeps Keras's GRU layout, blocks z, r, h; its bias b is Keras's [3u] bias with
 * {@code reset_after=False}, and b over RB the [2, 3u] one with {@code reset_after=True}. A per-step output
 * layer becomes TimeDistributed(Dense); a layer under LastTimeStep a recurrent layer without
 * {@code return_sequences}.
 */
public final class KerasExport {
    /** The Keras version whose file layout and config fields the export follows. */
    public static final String KERAS_VERSION = "2.2.4-tf";

    private KerasExport() {
    }

    /**
     * One exported layer: its Keras config ({"class_name": ..., "config": ...}) and its weights by
     * Keras name (kernel:0, ...), in Keras's order.
     */
    record Exported(ObjectNode layer, String name, Map<String, INDArray> weights) {
    }

    /**
     * Writes {@code network} to {@code file} (atomically).
     *
     * @param steps the length of its input sequences where fixed; empty writes None
     */
    public static void write(MultiLayerNetwork network, OptionalInt steps, Path file) throws IOException {
        write(export(network, steps), file);
    }

    /** Writes a Sequential model of these layers to {@code file} (atomically), as tf.keras 2.2.4 lays it out. */
    static void write(List<Exported> layers, Path file) throws IOException {
        ObjectNode model = Json.MAPPER.createObjectNode();
        model.put("class_name", "Sequential");
        ObjectNode config = model.putObject("config");
        config.put("name", "sequential");
        ArrayNode list = config.putArray("layers");
        layers.forEach(layer -> list.add(layer.layer()));
        String modelConfig = Json.MAPPER.writeValueAsString(model);

        Path scratch = Files.createTempFile("rnnlab-export", ".h5");
        // Every HDF5 object is freed here, in this thread, when the scope closes: left to JavaCPP's
        // deallocator thread, their destructors called into HDF5 (not thread-safe) while this or a
        // later file was being written, and the JVM crashed in H5CX_pop (twice in KerasExportTest on 2026-12-02).
        // DL4J's Hdf5Archive takes LOCK_OBJECT for the same reason.
        Hdf5Files.silence();
        try {
            synchronized (Hdf5Archive.LOCK_OBJECT) {
                try (PointerScope scope = new PointerScope(IdComponent.class, AbstractDs.class)) {
                    writeHdf5(scratch, layers, modelConfig);
                }
            }
            AtomicFile.write(file, out -> Files.copy(scratch, out));
        } finally {
            Files.deleteIfExists(scratch);
        }
    }

    private static void writeHdf5(Path scratch, List<Exported> layers, String modelConfig) {
        H5File h5 = new H5File(scratch.toString(), H5F_ACC_TRUNC);
        try {
            writeText(h5, "keras_version", KERAS_VERSION);
            writeText(h5, "backend", "tensorflow");
            writeText(h5, "model_config", modelConfig);
            Group weights = h5.createGroup("model_weights");
            writeTexts(weights, "layer_names", layers.stream().map(Exported::name).toList());
            writeText(weights, "backend", "tensorflow");
            writeText(weights, "keras_version", KERAS_VERSION);
            for (Exported layer : layers) {
                Group group = weights.createGroup(layer.name());
                List<String> names = new ArrayList<>();
                Group inner = group.createGroup(layer.name());
                Map<String, Group> halves = new LinkedHashMap<>(); // a Bidirectional's forward_.../ and backward_.../
                for (Map.Entry<String, INDArray> weight : layer.weights().entrySet()) {
                    names.add(layer.name() + "/" + weight.getKey());
                    String key = weight.getKey();
                    int slash = key.indexOf('/');
                    Group into = slash < 0 ? inner
                            : halves.computeIfAbsent(key.substring(0, slash), inner::createGroup);
                    writeArray(into, key.substring(slash + 1), weight.getValue());
                }
                halves.values().forEach(Group::close);
                writeTexts(group, "weight_names", names);
                inner.close();
                group.close();
            }
            weights.close();
        } finally {
            h5.close();
        }
    }

    static List<Exported> export(MultiLayerNetwork network, OptionalInt steps) {
        List<Exported> layers = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        int count = network.getLayerWiseConfigurations().getConfs().size();
        for (int i = 0; i < count; i++) {
            Layer layer = network.getLayerWiseConfigurations().getConf(i).getLayer();
            boolean lastStep = layer instanceof LastTimeStep;
            Layer inner = lastStep ? ((LastTimeStep) layer).getUnderlying() : layer;
            String prefix = i + "_";
            ObjectNode config = Json.MAPPER.createObjectNode();
            String type;
            Map<String, INDArray> weights = new LinkedHashMap<>();
            if (inner instanceof Gru gru) { // FastGru too
                type = "GRU";
                config.put("units", gru.getNOut());
                config.put("activation", activation(gru.getActivationFn(), i));
                config.put("recurrent_activation", activation(gru.getGateActivationFn(), i));
                config.put("implementation", 1);
                config.put(KerasGru.RESET_AFTER, gru.isResetAfter());
                recurrentSettings(config, !lastStep);
                initialisers(config, true);
                weights.put("kernel:0", network.getParam(prefix + GruParamInitializer.INPUT_WEIGHT_KEY));
                weights.put("recurrent_kernel:0", network.getParam(prefix + GruParamInitializer.RECURRENT_WEIGHT_KEY));
                INDArray bias = network.getParam(prefix + GruParamInitializer.BIAS_KEY).reshape(1, -1);
                weights.put("bias:0", gru.isResetAfter() // Keras's [2, 3u]: the input bias over the recurrent one
                        ? Nd4j.vstack(bias, network.getParam(prefix + GruParamInitializer.RECURRENT_BIAS_KEY).reshape(1, -1))
                        : bias.reshape(-1));
            } else if (inner instanceof LSTM lstm) {
                type = "LSTM";
                config.put("units", lstm.getNOut());
                config.put("activation", activation(lstm.getActivationFn(), i));
                config.put("recurrent_activation", activation(lstm.getGateActivationFn(), i));
                config.put("unit_forget_bias", true);
                config.put("implementation", 1);
                recurrentSettings(config, !lastStep);
                initialisers(config, true);
                weights.put("kernel:0", KerasWeights.kerasLstmBlocks(network.getParam(prefix + "W")));
                weights.put("recurrent_kernel:0", KerasWeights.kerasLstmBlocks(network.getParam(prefix + "RW")));
                weights.put("bias:0", KerasWeights.kerasLstmBlocks(network.getParam(prefix + "b").reshape(1, -1)).reshape(-1));
            } else if (inner instanceof SimpleRnn rnn) {
                if (rnn.hasLayerNorm()) {
                    throw new BadInputException("layer " + i + " is a SimpleRnn with layer normalisation, which Keras's"
                            + " SimpleRNN does not have");
                }
                type = "SimpleRNN";
                config.put("units", rnn.getNOut());
                config.put("activation", activation(rnn.getActivationFn(), i));
                recurrentSettings(config, !lastStep);
                initialisers(config, true);
                weights.put("kernel:0", network.getParam(prefix + "W"));
                weights.put("recurrent_kernel:0", network.getParam(prefix + "RW"));
                weights.put("bias:0", network.getParam(prefix + "b").reshape(-1));
            } else if (!lastStep && (inner instanceof DenseLayer || inner instanceof BaseOutputLayer)) {
                FeedForwardLayer dense = (FeedForwardLayer) inner;
                boolean bias = inner instanceof DenseLayer d ? d.hasBias() : ((BaseOutputLayer) inner).hasBias();
                if (!bias) {
                    throw new BadInputException("layer " + i + " has no bias; DL4J's importer cannot read a Dense"
                            + " layer without one back, so rnnlab does not export it");
                }
                type = "Dense";
                config.put("units", dense.getNOut());
                config.put("activation", activation(dense.getActivationFn(), i));
                config.put("use_bias", true);
                initialisers(config, false);
                weights.put("kernel:0", network.getParam(prefix + "W"));
                weights.put("bias:0", network.getParam(prefix + "b").reshape(-1));
            } else {
                throw new BadInputException("layer " + i + " is " + layer.getClass().getSimpleName() + "; rnnlab exports"
                        + " SimpleRnn, LSTM, Gru (each also under LastTimeStep), DenseLayer, OutputLayer and RnnOutputLayer");
            }
            boolean perStep = inner instanceof RnnOutputLayer; // FastRnnOutputLayer too
            String baseName = perStep ? "time_distributed" : keras(type);
            int number = seen.merge(baseName, 1, Integer::sum) - 1;
            String name = baseName + (number == 0 ? "" : "_" + number);
            ObjectNode keras = Json.MAPPER.createObjectNode();
            if (perStep) { // Dense at every step: TimeDistributed(Dense), whose weights are named by the wrapper
                ObjectNode wrapped = Json.MAPPER.createObjectNode();
                wrapped.put("class_name", "Dense");
                config.put("name", "dense" + (number == 0 ? "" : "_" + number));
                common(config);
                wrapped.set("config", config);
                ObjectNode wrapper = Json.MAPPER.createObjectNode();
                wrapper.put("name", name);
                common(wrapper);
                wrapper.set("layer", wrapped);
                keras.put("class_name", "TimeDistributed");
                keras.set("config", wrapper);
                if (i == 0) {
                    inputShape(wrapper, steps, network.layerInputSize(0), true);
                }
            } else {
                config.put("name", name);
                common(config);
                keras.put("class_name", type);
                keras.set("config", config);
                if (i == 0) {
                    inputShape(config, steps, network.layerInputSize(0), !type.equals("Dense"));
                }
            }
            for (Map.Entry<String, INDArray> weight : weights.entrySet()) {
                weight.setValue(weight.getValue().castTo(DataType.FLOAT).dup('c'));
            }
            layers.add(new Exported(keras, name, weights));
        }
        return layers;
    }

    private static String keras(String type) {
        return switch (type) {
            case "SimpleRNN" -> "simple_rnn";
            case "LSTM" -> "lstm";
            case "GRU" -> "gru";
            default -> "dense";
        };
    }

    private static void common(ObjectNode config) {
        config.put("trainable", true);
        config.put("dtype", "float32");
    }

    /** The settings tf.keras writes for every recurrent layer, at the values rnnlab's layers compute. */
    private static void recurrentSettings(ObjectNode config, boolean returnSequences) {
        config.put("return_sequences", returnSequences);
        config.put("return_state", false);
        config.put("go_backwards", false);
        config.put("stateful", false);
        config.put("unroll", false);
        config.put("time_major", false);
        config.put("use_bias", true);
        config.put("dropout", 0.0);
        config.put("recurrent_dropout", 0.0);
    }

    /**
     * The initialisers, regularisers and constraints tf.keras writes into every layer's config
     * (DL4J's importer requires them): Keras's defaults, which only matter for training from scratch.
     */
    private static void initialisers(ObjectNode config, boolean recurrent) {
        initialiser(config, "kernel_initializer", "GlorotUniform");
        if (recurrent) {
            initialiser(config, "recurrent_initializer", "Orthogonal").with("config").put("gain", 1.0);
        }
        initialiser(config, "bias_initializer", "Zeros").with("config").remove("seed");
        for (String name : recurrent ? new String[] {"kernel", "recurrent", "bias"} : new String[] {"kernel", "bias"}) {
            config.putNull(name + "_regularizer");
            config.putNull(name + "_constraint");
        }
        config.putNull("activity_regularizer");
    }

    private static ObjectNode initialiser(ObjectNode config, String name, String className) {
        ObjectNode initialiser = config.putObject(name);
        initialiser.put("class_name", className);
        ObjectNode inner = initialiser.putObject("config");
        inner.putNull("seed");
        inner.put("dtype", "float32");
        return initialiser;
    }

    private static void inputShape(ObjectNode config, OptionalInt steps, long features, boolean sequence) {
        ArrayNode shape = config.putArray("batch_input_shape");
        shape.addNull();
        if (sequence) {
            if (steps.isPresent()) {
                shape.add(steps.getAsInt());
            } else {
                shape.addNull();
            }
        }
        shape.add(features);
    }

    /** Keras's name of a DL4J activation. */
    private static String activation(IActivation activation, int layer) {
        if (activation instanceof ActivationTanH) {
            return "tanh";
        }
        if (activation instanceof ActivationSigmoid) {
            return "sigmoid";
        }
        if (activation instanceof ActivationHardSigmoid) {
            return "hard_sigmoid";
        }
        if (activation instanceof ActivationIdentity) {
            return "linear";
        }
        if (activation instanceof ActivationSoftmax) {
            return "softmax";
        }
        if (activation instanceof ActivationReLU relu && relu.getMax() == null
                && (relu.getThreshold() == null || relu.getThreshold() == 0)
                && (relu.getNegativeSlope() == null || relu.getNegativeSlope() == 0)) {
            return "relu";
        }
        throw new BadInputException("layer " + layer + " has the activation " + activation + ", which rnnlab does not"
                + " export (tanh, sigmoid, hard sigmoid, identity, softmax, ReLU)");
    }

    /** A scalar variable-length UTF-8 string attribute, as h5py writes a str. */
    private static void writeText(Group group, String name, String value) {
        StrType type = new StrType(PredType.C_S1(), H5T_VARIABLE);
        type.setCset(H5T_CSET_UTF8);
        Attribute attribute = group.createAttribute(name, type, new DataSpace(H5S_SCALAR));
        attribute.write(type, value);
        attribute.close();
    }

    /** A 1-d array of fixed-length, null-padded strings, as h5py writes a list of bytes (layer_names, weight_names). */
    private static void writeTexts(Group group, String name, List<String> values) {
        int length = 1;
        for (String value : values) {
            length = Math.max(length, value.getBytes(StandardCharsets.UTF_8).length);
        }
        StrType type = new StrType(PredType.C_S1(), length);
        type.setStrpad(H5T_STR_NULLPAD);
        Attribute attribute = group.createAttribute(name, type, new DataSpace(1, new long[] {values.size()}));
        byte[] bytes = new byte[Math.max(1, length * values.size())];
        for (int i = 0; i < values.size(); i++) {
            byte[] value = values.get(i).getBytes(StandardCharsets.UTF_8);
            System.arraycopy(value, 0, bytes, i * length, value.length);
        }
        attribute.write(type, new BytePointer(bytes));
        attribute.close();
    }

    /** A float32 dataset of the array's shape, in c order. */
    private static void writeArray(Group group, String name, INDArray array) {
        long[] shape = array.shape();
        DataSet set = group.createDataSet(name, PredType.IEEE_F32LE(), new DataSpace(shape.length, shape));
        set.write(new FloatPointer(array.data().asFloat()), PredType.NATIVE_FLOAT());
        set.close();
    }
}

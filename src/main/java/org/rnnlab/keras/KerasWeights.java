package org.rnnlab.keras;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.EmbeddingLayer;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
import org.deeplearning4j.nn.conf.layers.wrapper.BaseWrapperLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.modelimport.keras.Hdf5Archive;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.rnnlab.BadInputException;
import org.rnnlab.layers.Gru;

/**
 * A Keras model's weights by their Keras roles, as {@link org.rnnlab.reference.KerasReference} keys
 * them ({@code lstm_1/kernel}, {@code bidirectional_1/forward/recurrent_kernel}, ...), as [rows][columns]
 * matrices ({@code embedding_1/embeddings} too): read straight from a Keras HDF5 file, or taken from an imported DL4J network (its
 * parameters, or its gradients, which have the same names and shapes) and laid out as Keras lays them.
 */
public final class KerasWeights {
    /** Keras's LSTM block k (i, f, c, o) is DL4J's block KERAS_TO_DL4J_LSTM[k] (g, f, o, i). */
    private static final int[] KERAS_TO_DL4J_LSTM = {3, 1, 0, 2};

    private KerasWeights() {
    }

    /** Every dataset under the file's model_weights/, keyed by layer, half (inside Bidirectional) and role. */
    public static Map<String, double[][]> read(Path file) {
        Map<String, double[][]> weights = new LinkedHashMap<>();
        Hdf5Files.silence();
        try (Hdf5Archive archive = Hdf5Files.open(file)) {
            read(archive, new ArrayList<>(List.of("model_weights")), weights);
        } catch (Exception e) {
            throw new BadInputException(file + ": cannot read its weights: " + Hdf5Files.reason(e), e);
        }
        return weights;
    }

    /** model_weights/lstm_1/lstm_1/kernel:0 becomes lstm_1/kernel; .../forward_lstm_1/bias:0 lstm_1/forward/bias. */
    private static void read(Hdf5Archive archive, List<String> groups, Map<String, double[][]> weights) throws Exception {
        String[] path = groups.toArray(String[]::new);
        for (String set : archive.getDataSets(path)) {
            INDArray values = archive.readDataSet(set, path).castTo(DataType.DOUBLE);
            String half = groups.stream().anyMatch(g -> g.startsWith("forward")) ? "forward/"
                    : groups.stream().anyMatch(g -> g.startsWith("backward")) ? "backward/" : "";
            String role = set.endsWith(":0") ? set.substring(0, set.length() - 2) : set;
            weights.put(groups.get(1) + "/" + half + role, values.reshape(-1, values.size(-1)).toDoubleMatrix());
        }
        for (String group : archive.getGroups(path)) {
            groups.add(group);
            read(archive, groups, weights);
            groups.remove(groups.size() - 1);
        }
    }

    /**
     * The network's arrays {@code byKey} (its {@code paramTable()} or a gradient's
     * {@code gradientForVariable()}, keyed "0_W" in a MultiLayerNetwork and "lstm_1_W" in a
     * ComputationGraph) in Keras's layout: LSTM blocks re-ordered, a GRU's two biases as the two rows
     * of Keras's bias.
     */
    public static Map<String, double[][]> of(Model network, Map<String, INDArray> byKey) {
        Map<String, double[][]> weights = new LinkedHashMap<>();
        org.deeplearning4j.nn.api.Layer[] layers = network instanceof MultiLayerNetwork multi ? multi.getLayers()
                : ((ComputationGraph) network).getLayers();
        for (int i = 0; i < layers.length; i++) {
            Layer conf = layers[i].conf().getLayer();
            String prefix = (network instanceof MultiLayerNetwork ? String.valueOf(i) : conf.getLayerName()) + "_";
            String name = conf.getLayerName();
            if (conf instanceof BaseWrapperLayer wrapper) {
                conf = wrapper.getUnderlying();
            }
            if (conf instanceof Bidirectional bidirectional) {
                add(weights, name + "/forward/", bidirectional.getFwd(), prefix + "f", byKey);
                add(weights, name + "/backward/", bidirectional.getBwd(), prefix + "b", byKey);
            } else if (layers[i].numParams() > 0) {
                add(weights, name + "/", conf, prefix, byKey);
            }
        }
        return weights;
    }

    private static void add(Map<String, double[][]> weights, String key, Layer conf, String prefix,
            Map<String, INDArray> byKey) {
        if (conf instanceof BaseWrapperLayer wrapper) {
            conf = wrapper.getUnderlying();
        }
        boolean lstm = conf instanceof LSTM;
        if (conf instanceof SimpleRnn || lstm || conf instanceof Gru) {
            weights.put(key + "kernel", matrix(byKey.get(prefix + "W"), lstm));
            weights.put(key + "recurrent_kernel", matrix(byKey.get(prefix + "RW"), lstm));
            double[][] bias = matrix(byKey.get(prefix + "b"), lstm);
            INDArray recurrentBias = byKey.get(prefix + "RB");
            weights.put(key + "bias", recurrentBias == null ? bias
                    : new double[][] {bias[0], matrix(recurrentBias, false)[0]});
        } else if (conf instanceof EmbeddingSequenceLayer || conf instanceof EmbeddingLayer) {
            weights.put(key + "embeddings", matrix(byKey.get(prefix + "W"), false));
        } else if (conf instanceof DenseLayer || conf instanceof BaseOutputLayer) {
            weights.put(key + "kernel", matrix(byKey.get(prefix + "W"), false));
            weights.put(key + "bias", matrix(byKey.get(prefix + "b"), false));
        } else {
            throw new BadInputException("the layer " + conf.getLayerName() + " (" + conf.getClass().getSimpleName()
                    + ") has weights rnnlab does not lay out as Keras's");
        }
    }

    /** [rows, columns] (a vector as one row), LSTM column blocks from DL4J's g, f, o, i to Keras's i, f, c, o. */
    private static double[][] matrix(INDArray array, boolean lstmBlocks) {
        INDArray rows = array.castTo(DataType.DOUBLE).reshape(-1, array.size(-1));
        return (lstmBlocks ? kerasLstmBlocks(rows) : rows).toDoubleMatrix();
    }

    /** [rows, 4u] in DL4J's LSTM blocks g, f, o, i as Keras's i, f, c, o (the export and the check both use it). */
    static INDArray kerasLstmBlocks(INDArray dl4j) {
        long units = dl4j.size(1) / 4;
        INDArray keras = dl4j.dup('c');
        for (int k = 0; k < 4; k++) {
            int from = KERAS_TO_DL4J_LSTM[k];
            keras.get(NDArrayIndex.all(), NDArrayIndex.interval(k * units, (k + 1) * units))
                    .assign(dl4j.get(NDArrayIndex.all(), NDArrayIndex.interval(from * units, (from + 1) * units)));
        }
        return keras;
    }
}

package org.rnnlab.keras;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BaseRecurrentLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional;
import org.deeplearning4j.nn.conf.layers.wrapper.BaseWrapperLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.modelimport.keras.KerasLayer;
import org.deeplearning4j.nn.modelimport.keras.KerasModel;
import org.deeplearning4j.nn.modelimport.keras.KerasSequentialModel;
import org.deeplearning4j.nn.modelimport.keras.utils.KerasModelBuilder;
import org.deeplearning4j.nn.modelimport.keras.utils.KerasModelUtils;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.nn.modelimport.keras.Hdf5Archive;
import org.rnnlab.BadInputException;
import org.rnnlab.data.Json;
import org.rnnlab.layers.Nd4jThreads;

/**
 * A checked {@link KerasFile} imported with DL4J's importer: a Sequential model as a
 * MultiLayerNetwork, any other as a ComputationGraph, with the file's weights. Keras's GRU layers
 * become rnnlab's {@code Gru} through {@link KerasGru}, registered with the importer once, when this
 * class is first used.
 *
 * <p>The importer's own {@code importKeras...AndWeights} first initialises every weight as the Keras
 * config says and then overwrites them with the file's. Keras's recurrent layers default to an
 * orthogonal initializer, which ND4J 1.0.0-M2.1 draws through an op that had not finished a 50 x 50
 * matrix after 10 minutes here (docs/keras.md, "One thing done differently"); so the
 * configuration's initialisers are set to zeros before the network is created, and the file's
 * weights copied in as the importer does.
 */
public final class KerasImport {
    static {
        // DL4J 1.0.0-M2.1's importer has no GRU; it builds one for any layer class registered as custom
        KerasLayer.registerCustomLayer("GRU", KerasGru.class);
        // nor a GRU inside Bidirectional, whose class name a custom layer cannot take: see modelJson
        KerasLayer.registerCustomLayer(KerasBidirectionalGru.CLASS_NAME, KerasBidirectionalGru.class);
    }

    private KerasImport() {
    }

    /** The network of {@code keras} ({@link KerasSettings#check} first). */
    public static Model network(KerasFile keras) {
        Nd4jThreads.configure();
        KerasSettings.check(keras);
        Hdf5Files.silence();
        try (KerasModelBuilder builder = builder(keras)) {
            if (keras.sequential()) {
                KerasSequentialModel model = builder.buildSequential();
                MultiLayerConfiguration configuration = model.getMultiLayerConfiguration();
                for (NeuralNetConfiguration layer : configuration.getConfs()) {
                    zeroInitialisers(layer.getLayer());
                }
                MultiLayerNetwork network = new MultiLayerNetwork(configuration);
                network.init();
                return KerasModelUtils.copyWeightsToModel(network, model.getLayers());
            }
            KerasModel model = builder.buildModel();
            ComputationGraphConfiguration configuration = model.getComputationGraphConfiguration();
            for (GraphVertex vertex : configuration.getVertices().values()) {
                if (vertex instanceof LayerVertex layer) {
                    zeroInitialisers(layer.getLayerConf().getLayer());
                }
            }
            ComputationGraph graph = new ComputationGraph(configuration);
            graph.init();
            return KerasModelUtils.copyWeightsToModel(graph, model.getLayers());
        } catch (BadInputException e) {
            throw e;
        } catch (Exception e) {
            throw new BadInputException(keras.file() + ": DL4J's Keras importer refused it: " + Hdf5Files.reason(e), e);
        }
    }

    /** The importer's builder for one file, or for a JSON config and its weights (with or without model_weights/). */
    private static KerasModelBuilder builder(KerasFile keras) throws Exception {
        KerasModelBuilder builder = new KerasModel().modelBuilder().enforceTrainingConfig(false);
        if (!keras.twoFiles() && !hasBidirectionalGru(keras.modelConfig())) {
            return builder.modelHdf5Filename(keras.file().toString());
        }
        builder.modelJson(Json.MAPPER.writeValueAsString(modelJson(keras)));
        boolean wholeModel;
        try (Hdf5Archive archive = Hdf5Files.open(keras.weights())) {
            wholeModel = archive.getGroups().contains("model_weights");
        }
        return wholeModel ? builder.weightsHdf5Filename(keras.weights().toString())
                : builder.weightsHdf5FilenameNoRoot(keras.weights().toString());
    }

    /**
     * The config handed to the importer as JSON: with keras_version and backend at its top (without
     * them DL4J's importer takes the model for Keras 1), and each Bidirectional over a GRU renamed
     * {@value KerasBidirectionalGru#CLASS_NAME}, the custom layer that builds it.
     */
    private static ObjectNode modelJson(KerasFile keras) {
        ObjectNode json = keras.modelConfig().deepCopy();
        if (!json.has("keras_version") && !keras.kerasVersion().equals("unknown")) {
            json.put("keras_version", keras.kerasVersion());
        }
        if (!json.has("backend") && !keras.backend().equals("unknown")) {
            json.put("backend", keras.backend());
        }
        for (JsonNode layer : KerasSettings.layers(json)) {
            if (isBidirectionalGru(layer)) {
                ((ObjectNode) layer).put("class_name", KerasBidirectionalGru.CLASS_NAME);
            }
        }
        return json;
    }

    private static boolean hasBidirectionalGru(JsonNode modelConfig) {
        return KerasSettings.layers(modelConfig).stream().anyMatch(KerasImport::isBidirectionalGru);
    }

    private static boolean isBidirectionalGru(JsonNode layer) {
        return layer.path("class_name").asText().equals("Bidirectional")
                && layer.path("config").path("layer").path("class_name").asText().equals("GRU");
    }

    /** Zero weight initialisers on a layer and every layer it wraps: the file's weights replace them. */
    static void zeroInitialisers(Layer layer) {
        if (layer instanceof BaseLayer base) {
            base.setWeightInitFn(WeightInit.ZERO.getWeightInitFunction());
            if (layer instanceof BaseRecurrentLayer recurrent) {
                recurrent.setWeightInitFnRecurrent(WeightInit.ZERO.getWeightInitFunction());
            }
        } else if (layer instanceof Bidirectional bidirectional) {
            zeroInitialisers(bidirectional.getFwd());
            zeroInitialisers(bidirectional.getBwd());
        } else if (layer instanceof BaseWrapperLayer wrapper) { // LastTimeStep, TimeDistributed, MaskZeroLayer
            zeroInitialisers(wrapper.getUnderlying());
        } else if (layer instanceof FrozenLayer frozen) {
            zeroInitialisers(frozen.getLayer());
        }
    }
}

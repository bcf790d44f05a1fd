package org.rnnlab.keras;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.conf.layers.RnnLossLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional;
import org.deeplearning4j.nn.conf.layers.wrapper.BaseWrapperLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.deeplearning4j.nn.transferlearning.TransferLearning;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.rnnlab.BadInputException;
import org.rnnlab.reference.FiniteDifferences;
import org.rnnlab.reference.GradientCheck;
import org.rnnlab.reference.GradientCheck.Report;
import org.rnnlab.reference.GradientCheck.Row;
import org.rnnlab.reference.KerasReference;

/**
 * {@code gradcheck --model FILE} for an imported Keras model: the {@link KerasReference}, built from
 * the model's Keras config and holding the file's own weights, against the imported DL4J network in
 * double precision, on random inputs and targets, scored by mean squared error (Keras models carry no
 * loss DL4J imports, so the check adds DL4J's MSE loss layer after the model's output). Three
 * comparisons, as for every task: reference against DL4J (outputs, score, every gradient element);
 * reference against finite differences of its own score; DL4J's GradientCheckUtil.
 */
public final class KerasGradientCheck {
    /** Steps of the random sequences where the model's input shape leaves them open (None). */
    public static final int DEFAULT_STEPS = 5;
    private static final String LOSS = "rnnlab_mse";

    private KerasGradientCheck() {
    }

    /**
     * Checks {@code model}; {@code fileWeights}, where not null, are the weights read straight from
     * the Keras file (so the import's weight mapping is under check too), else the network's own.
     */
    public static Report run(String name, ImportedModel model, Map<String, double[][]> fileWeights, int minibatch,
            Random random) {
        JsonNode shape = KerasSettings.batchInputShape(model.modelConfig());
        int features = shape != null && shape.size() == 3 && !shape.get(2).isNull() ? shape.get(2).asInt()
                : (int) model.network().paramTable().values().iterator().next().size(0);
        // [None, steps, features], or [None, steps] before an Embedding
        int steps = shape != null && shape.size() >= 2 && !shape.get(1).isNull() ? shape.get(1).asInt() : DEFAULT_STEPS;
        KerasReference reference = new KerasReference(features, reference(model.modelConfig()));
        Map<String, double[][]> weights = fileWeights != null ? fileWeights
                : KerasWeights.of(model.network(), model.network().paramTable());
        for (String key : reference.weights().keySet()) {
            double[][] matrix = weights.get(key);
            if (matrix == null) {
                throw new BadInputException("the model has no weight " + key + " (it has " + weights.keySet() + ")");
            }
            reference.weight(key, matrix);
        }

        DataType previous = Nd4j.dataType();
        DataType previousFloat = Nd4j.defaultFloatingPointType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        try {
            return compare(name, reference, model, minibatch, steps, features, random);
        } finally {
            Nd4j.setDefaultDataTypes(previous, previousFloat);
        }
    }

    private static Report compare(String name, KerasReference reference, ImportedModel model, int minibatch,
            int steps, int features, Random random) {
        // A first Embedding takes one integer index a step, [batch, steps] in Keras's layout.
        KerasReference.Embedding embedding = reference.layers().get(0) instanceof KerasReference.Embedding e ? e : null;
        double[][][] x = embedding == null ? uniform(random, minibatch, steps, features)
                : indices(random, minibatch, steps, embedding.inputDim());
        INDArray input = embedding == null ? Nd4j.createFromArray(x)
                : Nd4j.createFromArray(x).reshape(minibatch, steps);
        double[][][] mine = reference.predict(x);
        boolean sequences = KerasConfigSummary.outputRank(model.modelConfig()) == 3;
        double[][][] targets = uniform(random, mine.length, mine[0].length, mine[0][0].length);

        Model inDouble = inDouble(model.network());
        INDArray raw = KerasLayout.predict(inDouble, input);
        // The importer turns a per-step Dense at the end into rows [batch x steps, units]; the loss then goes on rows.
        boolean dl4jSequences = raw.rank() == 3;
        INDArray theirs = model.asKerasOutput(input, raw);
        Model checked = withLoss(inNcw(inDouble), dl4jSequences);
        INDArray ncwInput = input.rank() == 3 ? input.permute(0, 2, 1).dup('c') : input;
        // Sequences are labelled [batch, units, steps]; the importer's per-step Dense gives rows [batch x steps,
        // units] in 'f' order (row b + B t holds example b's step t), labelled alike.
        INDArray labels = dl4jSequences ? Nd4j.createFromArray(targets).permute(0, 2, 1).dup('c')
                : sequences ? Nd4j.createFromArray(targets).dup('f').reshape('f', (long) minibatch * steps,
                        targets[0][0].length) : Nd4j.createFromArray(targets).reshape(minibatch, targets[0][0].length);
        // DL4J divides the loss by its minibatch, the rows of the labels: examples, or examples x steps.
        int divisor = (int) labels.size(0);
        KerasReference.Result result = reference.forwardBackward(x, targets, divisor);
        List<Row> rows = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        rows.add(Row.of("reference vs DL4J", "output", maxError(mine, theirs), GradientCheck.OUTPUT_TOLERANCE));
        boolean backpropagated = dl4jRows(result, checked, ncwInput, labels, rows, notes);
        Map<String, double[]> numeric = FiniteDifferences.gradient(reference.weights(),
                reference.scoreOnPiecesOf(x, targets, divisor), GradientCheck.SAMPLED_ELEMENTS);
        for (Map.Entry<String, double[]> gradient : result.gradients().entrySet()) {
            rows.add(Row.of("reference vs finite diff.", gradient.getKey(), GradientCheck.maxError(gradient.getValue(),
                    numeric.get(gradient.getKey()), GradientCheck.FINITE_DIFFERENCE_FLOOR),
                    GradientCheck.FINITE_DIFFERENCE_TOLERANCE));
        }
        rows.add(new Row("DL4J GradientCheckUtil", "all", Double.NaN, GradientCheck.DL4J_MAX_RELATIVE_ERROR,
                backpropagated && dl4jGradientCheck(checked, ncwInput, labels)));
        return new Report(name, rows, notes);
    }

    /**
     * The score row and one gradient row per weight, reference against DL4J; or, where DL4J cannot
     * back-propagate through the network (Bidirectional over layers that return their last step:
     * its BidirectionalLayer takes its epsilon for a sequence, docs/keras.md), one failed row and a
     * note saying why. Returns whether DL4J back-propagated.
     */
    private static boolean dl4jRows(KerasReference.Result result, Model checked, INDArray input, INDArray labels,
            List<Row> rows, List<String> notes) {
        Dl4jScore dl4j;
        try {
            dl4j = Dl4jScore.of(checked, input, labels);
        } catch (BackpropFailure failure) {
            RuntimeException e = failure.getCause();
            notes.add("DL4J could not back-propagate through the network, so it cannot be trained in DL4J: "
                    + e.getMessage() + where(e));
            rows.add(new Row("reference vs DL4J", "gradients", Double.NaN, GradientCheck.GRADIENT_TOLERANCE, false));
            return false;
        }
        rows.add(Row.of("reference vs DL4J", "score", GradientCheck.relativeError(result.score(), dl4j.score(),
                GradientCheck.DL4J_FLOOR), GradientCheck.OUTPUT_TOLERANCE));
        for (Map.Entry<String, double[]> gradient : result.gradients().entrySet()) {
            double[][] other = dl4j.gradients().get(gradient.getKey());
            double error = other == null ? Double.POSITIVE_INFINITY
                    : GradientCheck.maxError(gradient.getValue(), flat(other), GradientCheck.DL4J_FLOOR);
            rows.add(Row.of("reference vs DL4J", gradient.getKey(), error, GradientCheck.GRADIENT_TOLERANCE));
        }
        return true;
    }

    /** DL4J's computeGradientAndScore failed; the cause is its exception. */
    private static final class BackpropFailure extends Exception {
        BackpropFailure(RuntimeException cause) {
            super(cause);
        }

        @Override
        public synchronized RuntimeException getCause() {
            return (RuntimeException) super.getCause();
        }
    }

    /** DL4J's score and its gradient of that score (its raw gradients divided by its minibatch), in Keras's layout. */
    private record Dl4jScore(double score, Map<String, double[][]> gradients) {
        static Dl4jScore of(Model network, INDArray input, INDArray labels) throws BackpropFailure {
            try {
                if (network instanceof MultiLayerNetwork multi) {
                    multi.setInput(input);
                    multi.setLabels(labels);
                    multi.computeGradientAndScore();
                } else {
                    ComputationGraph graph = (ComputationGraph) network;
                    graph.setInputs(input);
                    graph.setLabels(labels);
                    graph.computeGradientAndScore();
                }
            } catch (RuntimeException e) {
                throw new BackpropFailure(e);
            }
            Map<String, INDArray> raw = new java.util.LinkedHashMap<>();
            network.gradient().gradientForVariable().forEach((key, g) -> raw.put(key, g.div(labels.size(0))));
            return new Dl4jScore(network.score(), KerasWeights.of(network, raw));
        }
    }

    private static boolean dl4jGradientCheck(Model network, INDArray input, INDArray labels) {
        if (network instanceof MultiLayerNetwork multi) {
            return GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig().net(multi).input(input)
                    .labels(labels).epsilon(GradientCheck.DL4J_EPSILON).maxRelError(GradientCheck.DL4J_MAX_RELATIVE_ERROR)
                    .minAbsoluteError(GradientCheck.DL4J_MIN_ABSOLUTE_ERROR).subset(true)
                    .maxPerParam(GradientCheck.SAMPLED_ELEMENTS).print(GradientCheckUtil.PrintMode.FAILURES_ONLY)
                    .exitOnFirstError(false));
        }
        return GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net((ComputationGraph) network)
                .inputs(new INDArray[] {input}).labels(new INDArray[] {labels}).epsilon(GradientCheck.DL4J_EPSILON)
                .maxRelError(GradientCheck.DL4J_MAX_RELATIVE_ERROR).minAbsoluteError(GradientCheck.DL4J_MIN_ABSOLUTE_ERROR)
                .subset(true).maxPerParam(GradientCheck.SAMPLED_ELEMENTS).print(GradientCheckUtil.PrintMode.FAILURES_ONLY)
                .exitOnFirstError(false));
    }

    /** Uniform in [-1, 1]. */
    static double[][][] uniform(Random random, int n, int steps, int width) {
        double[][][] values = new double[n][steps][width];
        for (double[][] example : values) {
            for (double[] step : example) {
                for (int k = 0; k < width; k++) {
                    step[k] = 2 * random.nextDouble() - 1;
                }
            }
        }
        return values;
    }

    /** " (in Class.method)" for the DL4J layer code an exception came from, or "". */
    private static String where(Throwable e) {
        for (StackTraceElement frame : e.getStackTrace()) {
            if (frame.getClassName().startsWith("org.deeplearning4j.nn.layers")) {
                String type = frame.getClassName().substring(frame.getClassName().lastIndexOf('.') + 1);
                return " (in " + type + "." + frame.getMethodName() + ")";
            }
        }
        return "";
    }

    /** Random integers in [0, n), one a step. */
    private static double[][][] indices(Random random, int examples, int steps, int n) {
        double[][][] values = new double[examples][steps][1];
        for (double[][] example : values) {
            for (double[] step : example) {
                step[0] = random.nextInt(n);
            }
        }
        return values;
    }

    /** The largest relative error between the reference's outputs and DL4J's, both in Keras's layout. */
    private static double maxError(double[][][] mine, INDArray theirs) {
        double[] other = theirs.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        double[] flatMine = new double[other.length];
        int i = 0;
        for (double[][] example : mine) {
            for (double[] step : example) {
                for (double v : step) {
                    if (i < flatMine.length) {
                        flatMine[i] = v;
                    }
                    i++;
                }
            }
        }
        return i != other.length ? Double.POSITIVE_INFINITY
                : GradientCheck.maxError(flatMine, other, GradientCheck.DL4J_FLOOR);
    }

    private static double[] flat(double[][] matrix) {
        return java.util.Arrays.stream(matrix).flatMapToDouble(java.util.Arrays::stream).toArray();
    }

    // ------------------------------------------------------------ the reference from the Keras config

    /** The reference's layers for a model_config: a chain of the layers {@link KerasReference} models. */
    static List<KerasReference.Layer> reference(JsonNode modelConfig) {
        List<KerasReference.Layer> layers = new ArrayList<>();
        String previous = null;
        for (JsonNode layer : KerasSettings.layers(modelConfig)) {
            String type = layer.path("class_name").asText();
            JsonNode config = layer.path("config");
            String name = config.path("name").asText(layer.path("name").asText());
            JsonNode inbound = layer.path("inbound_nodes");
            if (previous != null && inbound.isArray() && !inbound.isEmpty()
                    && !(inbound.size() == 1 && inbound.get(0).size() == 1
                            && inbound.get(0).get(0).get(0).asText().equals(previous))) {
                throw new BadInputException("gradcheck: layer " + name + " does not simply follow " + previous
                        + "; the reference models a chain of layers");
            }
            previous = name;
            switch (type) {
                case "InputLayer", "Dropout" -> { } // Dropout: the check runs the deterministic network, as predict does
                case "SimpleRNN", "LSTM", "GRU" -> layers.add(recurrent(name, type, config, false));
                case "Bidirectional" -> {
                    JsonNode inner = config.path("layer");
                    String innerType = inner.path("class_name").asText();
                    layers.add(new KerasReference.Bidirectional(name,
                            recurrent(name, innerType, inner.path("config"), false),
                            recurrent(name, innerType, inner.path("config"), true), config.path("merge_mode").asText()));
                }
                case "Dense" -> layers.add(dense(name, config));
                case "TimeDistributed" -> {
                    JsonNode inner = config.path("layer");
                    if (!inner.path("class_name").asText().equals("Dense")) {
                        throw unmodelled(name, "TimeDistributed(" + inner.path("class_name").asText() + ")");
                    }
                    layers.add(dense(name, inner.path("config")));
                }
                case "Activation" -> layers.add(new KerasReference.ActivationLayer(name, activation(name, config,
                        "activation")));
                case "RepeatVector" -> layers.add(new KerasReference.RepeatVector(name, config.path("n").asInt()));
                case "Embedding" -> {
                    if (config.path("mask_zero").asBoolean(false)) {
                        throw unmodelled(name, "Embedding with mask_zero=True");
                    }
                    layers.add(new KerasReference.Embedding(name, config.path("input_dim").asInt(),
                            config.path("output_dim").asInt()));
                }
                default -> throw unmodelled(name, type);
            }
        }
        return layers;
    }

    private static KerasReference.Recurrent recurrent(String name, String type, JsonNode config, boolean backwards) {
        KerasReference.Cell cell = switch (type) {
            case "SimpleRNN" -> KerasReference.Cell.SIMPLE_RNN;
            case "LSTM" -> KerasReference.Cell.LSTM;
            case "GRU" -> config.path("reset_after").asBoolean(false) ? KerasReference.Cell.GRU_RESET_AFTER
                    : KerasReference.Cell.GRU;
            default -> throw unmodelled(name, "Bidirectional(" + type + ")");
        };
        KerasReference.Activation gate = cell == KerasReference.Cell.SIMPLE_RNN ? KerasReference.Activation.SIGMOID
                : activation(name, config, "recurrent_activation");
        return new KerasReference.Recurrent(name, cell, config.path("units").asInt(), activation(name, config, "activation"),
                gate, config.path("return_sequences").asBoolean(false), backwards);
    }

    private static KerasReference.Dense dense(String name, JsonNode config) {
        return new KerasReference.Dense(name, config.path("units").asInt(), activation(name, config, "activation"));
    }

    private static KerasReference.Activation activation(String layer, JsonNode config, String field) {
        String activation = config.path(field).asText("linear");
        try {
            return KerasReference.Activation.of(activation);
        } catch (IllegalArgumentException e) {
            throw new BadInputException("gradcheck: layer " + layer + " has " + field + "=" + activation
                    + ", which the reference does not model (linear, tanh, relu, sigmoid, hard_sigmoid, softmax)");
        }
    }

    private static BadInputException unmodelled(String name, String type) {
        return new BadInputException("gradcheck: layer " + name + " is " + type + "; the reference models InputLayer,"
                + " Embedding, SimpleRNN, LSTM, GRU, Bidirectional of those, Dense, TimeDistributed(Dense), Activation,"
                + " RepeatVector and Dropout");
    }

    // ------------------------------------------------------------ the DL4J side

    /**
     * The network as gradient checks need it: in DOUBLE, with a NoOp updater (GradientCheckUtil
     * insists), no dropout, and DL4J's MSE loss after its output: RnnLossLayer on [batch, steps,
     * units], LossLayer on rows.
     */
    static Model inDouble(Model network) {
        Model copy = network instanceof MultiLayerNetwork multi ? multi.convertDataType(DataType.DOUBLE)
                : ((ComputationGraph) network).convertDataType(DataType.DOUBLE);
        org.deeplearning4j.nn.api.Layer[] layers = copy instanceof MultiLayerNetwork multi ? multi.getLayers()
                : ((ComputationGraph) copy).getLayers();
        for (org.deeplearning4j.nn.api.Layer layer : layers) {
            forChecking(layer.conf().getLayer());
        }
        return copy;
    }

    /**
     * The same network with every layer and preprocessor taking DL4J's [batch, units, steps] (NCW)
     * where the importer set Keras's [batch, steps, units] (NWC): the parameters do not depend on it,
     * and DL4J 1.0.0-M2.1's loss layers mishandle NWC sequences (RnnLossLayer's score compares the
     * input with itself, labels := input.permute; RnnToFeedForwardPreProcessor's backprop returns a
     * wrong shape in a graph; docs/keras.md).
     */
    static Model inNcw(Model network) {
        if (network instanceof MultiLayerNetwork multi) {
            MultiLayerNetwork copy = new MultiLayerNetwork(MultiLayerConfiguration.fromJson(
                    ncw(multi.getLayerWiseConfigurations().toJson())));
            copy.init(multi.params().dup(), false);
            return copy;
        }
        ComputationGraph graph = (ComputationGraph) network;
        ComputationGraph copy = new ComputationGraph(ComputationGraphConfiguration.fromJson(
                ncw(graph.getConfiguration().toJson())));
        copy.init(graph.params().dup(), false);
        return copy;
    }

    private static String ncw(String json) {
        // every RNN format field: rnnDataFormat, dataFormat, outputFormat (Embedding), timeDistributedFormat (Dense)
        return json.replaceAll("(\"\\w+\"\\s*:\\s*)\"NWC\"", "$1\"NCW\"");
    }

    /** {@code network} followed by DL4J's MSE loss: RnnLossLayer on NCW sequences, LossLayer on rows. */
    static Model withLoss(Model network, boolean sequences) {
        Layer loss = sequences ? new RnnLossLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY)
                .build() : new LossLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY).build();
        if (network instanceof MultiLayerNetwork multi) {
            return new TransferLearning.Builder(multi).fineTuneConfiguration(noOp()).addLayer(loss).build()
                    .convertDataType(DataType.DOUBLE);
        }
        ComputationGraph graph = (ComputationGraph) network;
        String output = graph.getConfiguration().getNetworkOutputs().get(0);
        return new TransferLearning.GraphBuilder(graph).fineTuneConfiguration(noOp()).addLayer(LOSS, loss, output)
                .setOutputs(LOSS).build().convertDataType(DataType.DOUBLE);
    }

    private static FineTuneConfiguration noOp() {
        return new FineTuneConfiguration.Builder().updater(new NoOp()).build();
    }

    private static void forChecking(Layer layer) {
        layer.setIDropout(null);
        if (layer instanceof BaseLayer base) {
            base.setIUpdater(new NoOp());
            base.setBiasUpdater(null);
        } else if (layer instanceof Bidirectional bidirectional) {
            forChecking(bidirectional.getFwd());
            forChecking(bidirectional.getBwd());
        } else if (layer instanceof BaseWrapperLayer wrapper) {
            forChecking(wrapper.getUnderlying());
        }
    }
}

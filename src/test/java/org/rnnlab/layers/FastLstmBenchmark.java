package org.rnnlab.layers;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

/**
 * fit() per chunk of FastLstm against DL4J's LSTM and of FastGru against rnnlab's op-by-op Gru
 * (each cell as {@link Cell#layer} builds it for either implementation), FLOAT, Adam: char-rnn's sizes (96 streams, 25
 * steps, 80 one-hot inputs, 100 units, softmax over 80, truncated BPTT of 25) and the adding
 * problem's (50 sequences, 100 steps, 2 inputs, 32 units, one output at the last step). Not a test:
 * run by hand, {@code java -cp target/test-classes:target/classes:<dependencies>
 * org.rnnlab.layers.FastLstmBenchmark [repeats [char-rnn|adding [LSTM|GRU]]]}; prints the median and
 * quartiles in ms.
 */
public final class FastLstmBenchmark {
    private FastLstmBenchmark() {
    }

    public static void main(String[] args) {
        int repeats = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        Nd4jThreads.configure(); // the same one thread per op for both, as every rnnlab entry point sets
        Random random = new Random(1);
        DataSet chars = charChunk(random, 96, 80, 25);
        DataSet adding = addingBatch(random, 50, 100);
        String only = args.length > 1 ? args[1] : "";
        for (String name : new String[] {"char-rnn", "adding"}) {
            if (!only.isEmpty() && !name.equals(only)) {
                continue;
            }
            for (Cell cell : new Cell[] {Cell.LSTM, Cell.GRU}) {
                for (LayerImplementation recurrent : LayerImplementation.values()) {
                    for (LayerImplementation output : LayerImplementation.values()) {
                        // the adding problem's output is a dense layer; char-rnn's fast output only beside the fast cell
                        if (output == LayerImplementation.FAST && (name.equals("adding") || recurrent
                                == LayerImplementation.DL4J) || args.length > 2 && !cell.name().equals(args[2])) {
                            continue;
                        }
                        MultiLayerNetwork network = name.equals("char-rnn") ? charNetwork(cell, recurrent, output)
                                : addingNetwork(cell, recurrent);
                        double[] ms = time(network, name.equals("char-rnn") ? chars : adding, repeats);
                        org.deeplearning4j.nn.api.Layer first = network.getLayer(0)
                                instanceof org.deeplearning4j.nn.layers.recurrent.LastTimeStepLayer last
                                ? last.getUnderlying() : network.getLayer(0);
                        String layers = first.getClass().getSimpleName() + " + "
                                + network.getLayer(1).getClass().getSimpleName();
                        System.out.printf("%-9s %-44s median %7.2f ms  (quartiles %.2f, %.2f)%n", name, layers, ms[1],
                                ms[0], ms[2]);
                    }
                }
            }
        }
    }

    private static double[] time(MultiLayerNetwork network, DataSet data, int repeats) {
        for (int i = 0; i < Math.max(5, repeats / 3); i++) {
            network.fit(data);
        }
        List<Double> times = new ArrayList<>();
        for (int i = 0; i < repeats; i++) {
            long start = System.nanoTime();
            network.fit(data);
            times.add((System.nanoTime() - start) / 1e6);
        }
        double[] sorted = times.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return new double[] {sorted[sorted.length / 4], sorted[sorted.length / 2], sorted[3 * sorted.length / 4]};
    }

    private static MultiLayerNetwork build(int nIn, BackpropType backprop, int tbptt, Layer... layers) {
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder().seed(3).updater(new Adam(1e-3))
                .dataType(DataType.FLOAT).list();
        Arrays.stream(layers).forEach(list::layer);
        list.setInputType(InputType.recurrent(nIn)).backpropType(backprop);
        if (tbptt > 0) {
            list.tBPTTForwardLength(tbptt).tBPTTBackwardLength(tbptt);
        }
        MultiLayerNetwork network = new MultiLayerNetwork(list.build());
        network.init();
        return network;
    }

    private static MultiLayerNetwork charNetwork(Cell cell, LayerImplementation recurrent, LayerImplementation output) {
        return build(80, BackpropType.TruncatedBPTT, 25, cell.layer(recurrent, Activation.TANH).nOut(100).build(),
                output.rnnOutput(LossFunction.MCXENT).nOut(80).activation(Activation.SOFTMAX).build());
    }

    private static MultiLayerNetwork addingNetwork(Cell cell, LayerImplementation recurrent) {
        return build(2, BackpropType.Standard, 0, new LastTimeStep(cell.layer(recurrent, Activation.TANH).nOut(32).build()),
                new OutputLayer.Builder(LossFunction.MSE).nOut(1).activation(Activation.IDENTITY).build());
    }

    private static DataSet charChunk(Random random, int streams, int symbols, int steps) {
        INDArray x = Nd4j.zeros(DataType.FLOAT, streams, symbols, steps);
        INDArray y = Nd4j.zeros(DataType.FLOAT, streams, symbols, steps);
        for (int s = 0; s < streams; s++) {
            for (int t = 0; t < steps; t++) {
                x.putScalar(s, random.nextInt(symbols), t, 1);
                y.putScalar(s, random.nextInt(symbols), t, 1);
            }
        }
        return new DataSet(x, y);
    }

    /** Random values and two marked positions per sequence; the label is the sum of the marked values. */
    private static DataSet addingBatch(Random random, int sequences, int steps) {
        INDArray x = Nd4j.zeros(DataType.FLOAT, sequences, 2, steps);
        INDArray y = Nd4j.zeros(DataType.FLOAT, sequences, 1);
        for (int s = 0; s < sequences; s++) {
            int a = random.nextInt(steps / 2);
            int b = steps / 2 + random.nextInt(steps / 2);
            double sum = 0;
            for (int t = 0; t < steps; t++) {
                double v = random.nextDouble();
                x.putScalar(s, 0, t, v);
                if (t == a || t == b) {
                    x.putScalar(s, 1, t, 1);
                    sum += v;
                }
            }
            y.putScalar(s, 0, sum);
        }
        return new DataSet(x, y);
    }
}

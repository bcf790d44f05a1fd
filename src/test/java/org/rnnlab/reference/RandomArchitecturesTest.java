package org.rnnlab.reference;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.rnnlab.layers.LayerImplementation;

/**
 * 200 random networks (1 to 3 SimpleRnn layers of 1 to 8 units, every activation, with and without
 * hidden biases, per-step or
 * last-step outputs, every loss, lengths 1 to 6, minibatches 1 to 4, with and without masks): on
 * each, the reference RNN, DL4J and finite differences agree.
 */
class RandomArchitecturesTest {
    private static final Activation[] HIDDEN = {Activation.SIGMOID, Activation.TANH, Activation.IDENTITY};

    /** One random architecture and its data layout. */
    record Case(String name, MultiLayerConfiguration configuration, boolean hiddenBias, GradientCheck.Labels labels,
            int minibatch, int steps) {
    }

    static Case randomCase(int index, Random random) {
        return randomCase(index, random, LayerImplementation.DL4J);
    }

    static Case randomCase(int index, Random random, LayerImplementation implementation) {
        return randomCase(index, random, implementation, false);
    }

    /**
     * The same, and with {@code lstm} each recurrent layer is DL4J's LSTM (of 1 to 4 units) or a
     * SimpleRnn, a coin toss after its units and activation are drawn (so without it the draws are
     * those of old).
     */
    static Case randomCase(int index, Random random, LayerImplementation implementation, boolean lstm) {
        int nIn = 1 + random.nextInt(8);
        int depth = 1 + random.nextInt(3);
        boolean lastStep = random.nextBoolean();
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder().seed(index).list();
        StringBuilder name = new StringBuilder(implementation + " #" + index + " in" + nIn);
        for (int l = 0; l < depth; l++) {
            int units = 1 + random.nextInt(8);
            Activation activation = HIDDEN[random.nextInt(HIDDEN.length)];
            boolean isLstm = lstm && random.nextBoolean();
            // An LSTM has four times a SimpleRnn's weights: half the units keep its checks as quick.
            Layer rnn = isLstm ? new LSTM.Builder().nOut((units + 1) / 2).activation(activation).build()
                    : implementation.simpleRnn().nOut(units).activation(activation).build();
            list.layer(lastStep && l == depth - 1 ? new LastTimeStep(rnn) : rnn);
            name.append(isLstm ? " lstm-" : " ").append(activation.name().toLowerCase())
                    .append(isLstm ? (units + 1) / 2 : units);
        }
        int loss = random.nextInt(3);
        // Softmax over one output is always 1 (DL4J rejects it), so softmax layers get 2 to 4 outputs.
        int nOut = loss == 2 ? 2 + random.nextInt(3) : 1 + random.nextInt(4);
        LossFunction lossFunction = loss == 0 ? LossFunction.MSE : loss == 1 ? LossFunction.XENT : LossFunction.MCXENT;
        Activation outActivation = loss == 0 ? HIDDEN[random.nextInt(HIDDEN.length)]
                : loss == 1 ? Activation.SIGMOID : Activation.SOFTMAX;
        list.layer(lastStep
                ? new OutputLayer.Builder(lossFunction).nOut(nOut).activation(outActivation).build()
                : implementation.rnnOutput(lossFunction).nOut(nOut).activation(outActivation).build());
        name.append(lastStep ? " last-step " : " per-step ").append(lossFunction).append(nOut);
        GradientCheck.Labels labels = GradientCheck.Labels.values()[random.nextInt(3)];
        if (lastStep && labels == GradientCheck.Labels.LAST_STEP_MASK) {
            labels = GradientCheck.Labels.EVERY_STEP;
        }
        boolean hiddenBias = random.nextBoolean();
        name.append(hiddenBias ? " bias" : " no-bias");
        int minibatch = 1 + random.nextInt(4);
        int steps = 1 + random.nextInt(6);
        name.append(' ').append(labels).append(" mb").append(minibatch).append(" T").append(steps);
        return new Case(name.toString(), list.setInputType(InputType.recurrent(nIn)).build(), hiddenBias, labels,
                minibatch, steps);
    }

    @Test
    void referenceDl4jAndFiniteDifferencesAgreeOn200RandomNetworks() {
        checkRandomNetworks(200, LayerImplementation.DL4J, new Random(2024));
    }

    /** The same for rnnlab's fast layers, wrapped in LastTimeStep or not, with and without masks. */
    @Test
    void referenceFastLayersAndFiniteDifferencesAgreeOn100RandomNetworks() {
        checkRandomNetworks(100, LayerImplementation.FAST, new Random(7));
    }

    private static void checkRandomNetworks(int count, LayerImplementation implementation, Random random) {
        checkRandomNetworks(count, implementation, random, false);
    }

    /** {@code count} random cases through GradientCheck; with {@code lstm}, stacks of SimpleRnn and LSTM layers. */
    static void checkRandomNetworks(int count, LayerImplementation implementation, Random random, boolean lstm) {
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Case c = randomCase(i, random, implementation, lstm);
            GradientCheck.Report report;
            try {
                report = GradientCheck.run(c.name(), c.configuration(), c.hiddenBias(), c.labels(), c.minibatch(),
                        c.steps(), random);
            } catch (RuntimeException e) {
                failures.add(c.name() + ": " + e);
                continue;
            }
            if (!report.passed()) {
                report.rows().stream().filter(r -> !r.passed())
                        .forEach(r -> failures.add(c.name() + ": " + r.comparison() + " " + r.parameter() + " "
                                + r.maxError()));
            }
        }
        assertTrue(failures.isEmpty(), () -> failures.size() + " failures:\n" + String.join("\n", failures));
    }
}

package org.rnnlab.nets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

class EpochTrainerTest {

    /** Six sequences of lengths 1..6 padded to 6, with feature masks and a label at each one's last step. */
    private static DataSet masked() {
        Nd4j.getRandom().setSeed(3);
        INDArray features = Nd4j.rand(DataType.FLOAT, 6, 2, 6);
        INDArray labels = Nd4j.zeros(DataType.FLOAT, 6, 1, 6);
        INDArray featureMask = Nd4j.zeros(DataType.FLOAT, 6, 6);
        INDArray labelMask = Nd4j.zeros(DataType.FLOAT, 6, 6);
        for (int i = 0; i < 6; i++) {
            for (int t = 0; t <= i; t++) {
                featureMask.putScalar(i, t, 1);
            }
            labelMask.putScalar(i, i, 1);
            labels.putScalar(new long[] {i, 0, i}, i % 2);
        }
        return new DataSet(features, labels, featureMask, labelMask);
    }

    @Test
    void minibatchesHoldTheExamplesInTheGivenOrderAsDataSetMergeDoes() {
        DataSet data = masked();
        List<DataSet> examples = data.asList();
        int[] order = {4, 0, 5, 2, 1, 3};
        List<DataSet> batches = EpochTrainer.minibatches(data, order, 4);
        assertEquals(2, batches.size());
        for (int b = 0; b < 2; b++) {
            List<DataSet> part = new ArrayList<>();
            for (int i = 4 * b; i < Math.min(order.length, 4 * b + 4); i++) {
                part.add(examples.get(order[i]));
            }
            DataSet merged = DataSet.merge(part);
            DataSet batch = batches.get(b);
            assertEquals(part.size(), batch.numExamples());
            assertEquals(merged.getFeatures(), batch.getFeatures());
            assertEquals(merged.getLabels(), batch.getLabels());
            assertEquals(merged.getFeaturesMaskArray(), batch.getFeaturesMaskArray());
            assertEquals(merged.getLabelsMaskArray(), batch.getLabelsMaskArray());
        }
        assertEquals(data.getFeatures().slice(3), batches.get(1).getFeatures().slice(1));

        DataSet plain = new DataSet(Nd4j.rand(DataType.FLOAT, 4, 1, 3), Nd4j.rand(DataType.FLOAT, 4, 1, 3));
        DataSet whole = EpochTrainer.minibatches(plain, new int[] {3, 2, 1, 0}, 10).get(0);
        assertEquals(plain.getLabels().slice(0), whole.getLabels().slice(3));
        assertNull(whole.getFeaturesMaskArray());
        assertNull(whole.getLabelsMaskArray());
    }

    @Test
    void lossAndAccuracyNameTheirCurvesAfterTheHeldOutSplit() {
        MultiLayerNetwork network = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(1).list()
                .layer(new SimpleRnn.Builder().nOut(3).activation(Activation.TANH).build())
                .layer(new RnnOutputLayer.Builder(LossFunction.XENT).nOut(1).activation(Activation.SIGMOID).build())
                .setInputType(InputType.recurrent(2)).build());
        network.init();
        TrainedNetwork model = TrainedNetwork.withoutNormalizer(network);
        Map<String, Double> values = EpochTrainer.lossAndAccuracy(masked(), masked(), "test").measure(model);
        assertEquals(List.of("train_loss", "test_loss", "train_accuracy", "test_accuracy"), List.copyOf(values.keySet()));
        assertEquals(values.get("train_loss"), values.get("test_loss"));
        assertEquals(network.score(masked()), values.get("train_loss"), 1e-6);
        // One label per sequence: six labelled steps, so accuracy is a multiple of 1/6.
        double correct = values.get("train_accuracy") * 6;
        assertEquals(Math.rint(correct), correct, 1e-9);
        assertEquals(6, EpochTrainer.binary(model, masked()).totalCount(0));
        assertTrue(values.get("train_accuracy") >= 0 && values.get("train_accuracy") <= 1);
    }

    @Test
    void aNonFiniteMeasureStopsTrainingNamingTheEpoch() {
        MultiLayerNetwork network = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(1).list()
                .layer(new SimpleRnn.Builder().nOut(3).activation(Activation.TANH).build())
                .layer(new RnnOutputLayer.Builder(LossFunction.XENT).nOut(1).activation(Activation.SIGMOID).build())
                .setInputType(InputType.recurrent(2)).build());
        network.init();
        int[] epoch = {0};
        EpochTrainer.EpochMeasure divergesAtThree = model -> Map.of("train_loss", ++epoch[0] < 3 ? 0.5 : Double.NaN);
        org.rnnlab.BadInputException e = org.junit.jupiter.api.Assertions.assertThrows(org.rnnlab.BadInputException.class,
                () -> EpochTrainer.train("demo", TrainedNetwork.withoutNormalizer(network), masked(), 4, 1, 10,
                        divergesAtThree, false));
        assertTrue(e.getMessage().contains("diverged at epoch 3") && e.getMessage().contains("train_loss"), e.getMessage());
    }
}

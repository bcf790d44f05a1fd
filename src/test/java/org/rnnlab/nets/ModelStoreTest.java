package org.rnnlab.nets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.preprocessor.NormalizerStandardize;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.rnnlab.BadInputException;

class ModelStoreTest {
    @TempDir
    Path dir;

    record Options(int hidden, long seed) {
    }

    private static MultiLayerConfiguration configuration() {
        return new NeuralNetConfiguration.Builder().seed(3).list()
                .layer(new SimpleRnn.Builder().nOut(5).activation(Activation.TANH).build())
                .layer(new RnnOutputLayer.Builder(LossFunction.MSE).nOut(1).activation(Activation.IDENTITY).build())
                .setInputType(InputType.recurrent(2)).build();
    }

    static TrainedNetwork model() {
        MultiLayerNetwork network = new MultiLayerNetwork(configuration());
        network.init();
        Nd4j.getRandom().setSeed(11);
        DataSet data = new DataSet(Nd4j.rand(DataType.FLOAT, 20, 2, 4), Nd4j.rand(DataType.FLOAT, 20, 1, 4));
        NormalizerStandardize normalizer = new NormalizerStandardize();
        normalizer.fitLabel(true);
        normalizer.fit(data);
        network.fit(data); // so that the updater has state to save
        return new TrainedNetwork(network, normalizer);
    }

    @Test
    void saveThenLoadGivesTheSameOutputsMetadataAndNormalizer() throws IOException {
        TrainedNetwork model = model();
        Path file = dir.resolve("model.zip");
        ModelStore.save(file, model, ModelInfo.of("demo-task", new Options(5, 9)));

        ModelStore.StoredModel loaded = ModelStore.load(file);
        INDArray input = Nd4j.rand(DataType.FLOAT, 3, 2, 4);
        assertEquals(model.output(input), loaded.model().output(input));
        assertEquals(model.network().params(), loaded.model().network().params());
        assertEquals(model.network().getUpdater().getStateViewArray(),
                loaded.model().network().getUpdater().getStateViewArray(), "updater state kept for resuming");
        assertNotNull(loaded.model().normalizer());
        assertEquals("demo-task", loaded.info().task());
        assertEquals(new Options(5, 9), loaded.info().options(Options.class));
        assertEquals(ModelStore.FORMAT_VERSION, loaded.info().formatVersion());
    }

    @Test
    void aFailedSaveLeavesTheExistingModelUntouched() throws IOException {
        Path file = dir.resolve("model.zip");
        ModelStore.save(file, model(), ModelInfo.of("demo-task", new Options(5, 9)));
        byte[] before = Files.readAllBytes(file);

        // A network that was never initialised has no parameters: ModelSerializer fails halfway
        // through the zip, after rnnlab.json has already been written to the temporary file.
        MultiLayerNetwork broken = new MultiLayerNetwork(configuration());
        assertThrows(Exception.class, () -> ModelStore.save(file, TrainedNetwork.withoutNormalizer(broken),
                ModelInfo.of("demo-task", new Options(5, 9))));

        assertArrayEquals(before, Files.readAllBytes(file));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList(), "no temporary file left behind");
        }
    }

    @Test
    void loadRejectsFilesThatAreNotRnnlabModelsWithOneClearMessage() throws IOException {
        Path text = Files.writeString(dir.resolve("notes.zip"), "not a zip at all");
        assertTrue(assertThrows(BadInputException.class, () -> ModelStore.load(text)).getMessage()
                .contains("not a model zip"));

        Path emptyZip = dir.resolve("empty.zip");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(emptyZip))) {
            zip.putNextEntry(new ZipEntry("readme.txt"));
            zip.write(1);
        }
        assertTrue(assertThrows(BadInputException.class, () -> ModelStore.load(emptyZip)).getMessage()
                .contains("not a DL4J model"));

        assertTrue(assertThrows(BadInputException.class, () -> ModelStore.load(dir.resolve("missing.zip")))
                .getMessage().contains("no model at"));
        assertTrue(assertThrows(BadInputException.class, () -> ModelStore.load(dir)).getMessage()
                .contains("not a file"));
    }

    @Test
    void aModelFromAFutureVersionIsRefused() throws IOException {
        Path file = dir.resolve("model.zip");
        ModelInfo future = new ModelInfo("demo-task", ModelStore.FORMAT_VERSION + 1,
                org.rnnlab.data.Json.MAPPER.valueToTree(new Options(5, 9)),
                org.rnnlab.data.Json.MAPPER.createObjectNode());
        ModelStore.save(file, model(), future);
        assertTrue(assertThrows(BadInputException.class, () -> ModelStore.load(file)).getMessage()
                .contains("format version"));
    }
}

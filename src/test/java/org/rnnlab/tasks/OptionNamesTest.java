package org.rnnlab.tasks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.reflect.RecordComponent;
import org.junit.jupiter.api.Test;
import org.rnnlab.BadInputException;
import org.rnnlab.data.Json;
import org.rnnlab.nets.ModelInfo;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/** One vocabulary of option names; the old names still work on the command line and in saved zips. */
class OptionNamesTest {

    private static <O extends Record> O parse(Task<O, ?> task, String... args) {
        CommandSpec spec = CommandSpec.create().name(task.name());
        RecordOptions.addTo(spec, task.defaultOptions());
        new CommandLine(spec).setCaseInsensitiveEnumValuesAllowed(true).parseArgs(args);
        return RecordOptions.read(spec, task.optionsType());
    }

    @Test
    void everyComponentOfEveryTaskIsDescribed() {
        for (Task<?, ?> task : TaskRegistry.all()) {
            for (RecordComponent component : task.optionsType().getRecordComponents()) {
                if (component.getType() == EpochTraining.class) {
                    continue; // described component by component in EpochTraining
                }
                assertTrue(!RecordOptions.description(component).isBlank(), task.name() + " " + component.getName());
            }
        }
        for (RecordComponent component : EpochTraining.class.getRecordComponents()) {
            assertTrue(!RecordOptions.description(component).isBlank(), component.getName());
        }
    }

    @Test
    void theEpochTrainedTasksShareOneRecordOfOptions() {
        for (Task<?, ?> task : TaskRegistry.all()) {
            boolean epochs = java.util.Arrays.stream(task.optionsType().getRecordComponents())
                    .anyMatch(c -> c.getName().equals("epochs"));
            assertTrue(!epochs, task.name() + " declares epochs itself instead of EpochTraining");
        }
        CountUpTask.Options parsed = parse(new CountUpTask(), "--epochs", "7", "--batch-size", "4", "--seed", "3");
        assertEquals(new EpochTraining(7, 3, 0.03, 4, null), parsed.training());
    }

    @Test
    void theSharedNamesMeanTheSameEverywhere() {
        for (Task<?, ?> task : TaskRegistry.all()) {
            for (RecordComponent component : task.optionsType().getRecordComponents()) {
                String name = component.getName();
                assertTrue(!name.equals("batch") && !name.equals("units") && !name.contains("Features"),
                        task.name() + " still names an option " + name);
            }
        }
    }

    @Test
    void oldNamesAreHiddenAliases() {
        assertEquals(12, parse(new CharRnnTask(), "--batch", "12").batchSize());
        assertEquals(12, parse(new CharRnnTask(), "--batch-size", "12").batchSize());
        assertEquals(7, parse(new KerasSummaryTask(), "--units", "7").hidden());
        ForwardPassTask.Options forward = parse(new ForwardPassTask(), "--input-features", "5", "--output-features", "6");
        assertEquals(5, forward.features());
        assertEquals(6, forward.hidden());
        assertEquals(3, parse(new KerasSummaryTask(), "--units", "7", "--hidden", "3").hidden(), "the new name wins");
    }

    @Test
    void charRnnStacksByAListAndStillTakesLayers() {
        assertArrayEquals(new int[] {100, 50}, parse(new CharRnnTask(), "--hidden", "100,50").hidden());
        assertArrayEquals(new int[] {64, 64, 64}, parse(new CharRnnTask(), "--layers", "3", "--hidden", "64").hidden());
        assertArrayEquals(new int[] {100, 100}, parse(new CharRnnTask(), "--layers", "2").hidden());
        assertThrows(BadInputException.class, () -> parse(new CharRnnTask(), "--layers", "3", "--hidden", "10,20"));
        assertEquals(2, parse(new CharRnnTask(), "--hidden", "100,50").depth());
    }

    @Test
    void optionsSavedUnderTheOldNamesStillLoad() {
        ObjectNode charRnn = (ObjectNode) Json.MAPPER.valueToTree(new CharRnnTask().defaultOptions());
        charRnn.remove("batchSize");
        charRnn.put("batch", 32).put("hidden", 40).put("layers", 2);
        CharRnnTask.Options loaded = new ModelInfo("char-rnn", 1, charRnn, Json.MAPPER.createObjectNode())
                .options(CharRnnTask.Options.class);
        assertEquals(32, loaded.batchSize());
        assertArrayEquals(new int[] {40, 40}, loaded.hidden());

        ObjectNode flat = Json.MAPPER.createObjectNode().put("epochs", 9).put("seed", 4).put("hidden", 6)
                .put("learningRate", 0.02).put("batchSize", 16).put("implementation", "DL4J");
        CountUpTask.Options countUp = new ModelInfo("count-up", 1, flat, flat).options(CountUpTask.Options.class);
        assertEquals(new CountUpTask.Options(new EpochTraining(9, 4, 0.02, 16,
                org.rnnlab.layers.LayerImplementation.DL4J), 6), countUp, "shared options saved flat, before EpochTraining");

        ObjectNode keras = Json.MAPPER.createObjectNode().put("seed", 1).put("units", 8).put("steps", 3)
                .put("features", 1).put("outputs", 1);
        assertEquals(8, new ModelInfo("keras-summary", 1, keras, keras).options(KerasSummaryTask.Options.class).hidden());

        ObjectNode forward = Json.MAPPER.createObjectNode().put("seed", 1).put("steps", 4).put("inputFeatures", 3)
                .put("outputFeatures", 5).put("weightScale", 0.05);
        ForwardPassTask.Options f = new ModelInfo("forward-pass", 1, forward, forward).options(ForwardPassTask.Options.class);
        assertEquals(3, f.features());
        assertEquals(5, f.hidden());
    }

    @Test
    void presetsAreTheDefaultsWithTheirChangesValidated() {
        assertEquals(5, new BinarySumTask().quickOptions().training().epochs());
        assertEquals(new BinarySumTask().defaultOptions().training().seed(),
                new BinarySumTask().quickOptions().training().seed());
        assertEquals(new ForwardPassTask().defaultOptions(), new ForwardPassTask().quickOptions(), "a check has no quick run");
        assertThrows(BadInputException.class, () -> RecordOptions.with(new CountUpTask().defaultOptions(), "epochs", 0));
    }
}

package org.rnnlab.tasks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.rnnlab.BadInputException;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/** A task's options record as command-line options, and back. */
class RecordOptionsTest {

    enum Cell { RNN, LSTM }

    /** An options record of every supported kind of component, validated like the tasks' records. */
    record Options(
            @Doc("passes over the data") int epochs,
            @Doc("learning rate") double learningRate,
            long seed,
            @Doc("layer sizes") int[] hidden,
            @Doc("train a bias") boolean hiddenBias,
            @Doc("cell type") Cell cell) {
        Options {
            if (epochs < 1) {
                throw new BadInputException("--epochs must be at least 1, got " + epochs);
            }
        }
    }

    private static final Options DEFAULTS = new Options(300, 0.01, 42, new int[] {6, 4}, true, Cell.RNN);

    private static CommandSpec spec() {
        CommandSpec spec = CommandSpec.create().name("t");
        RecordOptions.addTo(spec, DEFAULTS);
        return spec;
    }

    private static Options parse(String... args) {
        CommandSpec spec = spec();
        new CommandLine(spec).setCaseInsensitiveEnumValuesAllowed(true).parseArgs(args);
        return RecordOptions.read(spec, Options.class);
    }

    @Test
    void componentNamesBecomeKebabCaseOptions() {
        CommandSpec spec = spec();
        for (String name : new String[] {"--epochs", "--learning-rate", "--seed", "--hidden", "--hidden-bias", "--cell"}) {
            assertTrue(spec.findOption(name) != null, name);
        }
        assertEquals(6, spec.options().size());
    }

    @Test
    void noArgumentsGiveTheDefaults() {
        Options options = parse();
        assertEquals(300, options.epochs());
        assertEquals(0.01, options.learningRate());
        assertEquals(42, options.seed());
        assertArrayEquals(new int[] {6, 4}, options.hidden());
        assertEquals(true, options.hiddenBias());
        assertEquals(Cell.RNN, options.cell());
    }

    @Test
    void everyKindOfValueParses() {
        Options options = parse("--epochs", "5", "--learning-rate", "0.5", "--seed", "-1", "--hidden", "3,2,1",
                "--hidden-bias=false", "--cell", "lstm");
        assertEquals(5, options.epochs());
        assertEquals(0.5, options.learningRate());
        assertEquals(-1, options.seed());
        assertArrayEquals(new int[] {3, 2, 1}, options.hidden());
        assertEquals(false, options.hiddenBias());
        assertEquals(Cell.LSTM, options.cell());
    }

    @Test
    void theRecordConstructorValidates() {
        BadInputException e = assertThrows(BadInputException.class, () -> parse("--epochs", "0"));
        assertEquals("--epochs must be at least 1, got 0", e.getMessage());
    }

    @Test
    void helpShowsDocAndDefault() {
        String help = new CommandLine(spec()).getUsageMessage();
        assertTrue(help.contains("passes over the data (default: 300)"), help);
        assertTrue(help.contains("layer sizes (default: 6,4)"), help);
        assertTrue(help.contains("train a bias (default: true)"), help);
        assertTrue(help.contains("cell type (default: RNN)"), help);
        assertTrue(help.contains("(default: 42)"), "an undocumented component still shows its default:\n" + help);
        assertTrue(help.contains("--cell=RNN|LSTM"), help);
        assertTrue(help.contains("--learning-rate=X"), help);
        assertTrue(help.contains("--epochs=N"), help);
    }
}

package org.rnnlab.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The near-miss matching behind "did you mean" (the messages themselves: CommandLineTest). */
class ExitCodesTest {

    @Test
    void editDistanceCountsInsertionsDeletionsAndSubstitutions() {
        assertEquals(3, ExitCodes.editDistance("kitten", "sitting"));
        assertEquals(0, ExitCodes.editDistance("seed", "seed"));
        assertEquals(4, ExitCodes.editDistance("", "seed"));
    }

    @Test
    void theNearestIsCloseOrAPrefixOrNothing() {
        assertNull(ExitCodes.nearest("--xyz", List.of("--epochs", "--seed")));
        assertEquals("--epochs", ExitCodes.nearest("--epoch", List.of("--epochs", "--seed")));
        assertEquals("--batch-size", ExitCodes.nearest("--batch", List.of("--batch-size", "--seed")));
        assertNull(ExitCodes.nearest("--seed", List.of("--seed")), "an exact match is no near miss");
    }

    /** What an Error thrown by a command prints and returns. */
    private static String[] failWith(Throwable error) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream stream = new PrintStream(err, true, StandardCharsets.UTF_8);
        CommandLine commandLine = new CommandLine(CommandLine.Model.CommandSpec.wrapWithoutInspection(
                (Callable<Integer>) () -> {
                    if (error instanceof Exception e) {
                        throw e;
                    }
                    throw (Error) error;
                }));
        ExitCodes.install(commandLine, stream, false);
        int code = ExitCodes.execute(commandLine, new String[0], stream, false);
        return new String[] {Integer.toString(code), err.toString(StandardCharsets.UTF_8)};
    }

    @Test
    void errorsEndInOneLineToo() {
        String[] memory = failWith(new OutOfMemoryError("Java heap space"));
        assertEquals("2", memory[0], "too large for the heap: bad input");
        assertEquals(1, memory[1].lines().count(), memory[1]);
        assertTrue(memory[1].startsWith("rnnlab: out of memory:") && memory[1].contains("RNNLAB_JAVA_OPTS=-Xmx"),
                memory[1]);
        String[] other = failWith(new StackOverflowError());
        assertEquals("3", other[0]);
        assertEquals(1, other[1].lines().count(), other[1]);
        assertTrue(other[1].startsWith("rnnlab: internal error: java.lang.StackOverflowError"), other[1]);
    }

    @Test
    void multiLineMessagesFromDl4jAreFoldedIntoOne() {
        String dl4j = "Invalid input: expected input of size 80\n  Layer: SimpleRnn\n\nInput shape: [1, 81, 1]";
        String[] bad = failWith(new org.rnnlab.BadInputException(dl4j));
        assertEquals("2", bad[0]);
        assertEquals("rnnlab: Invalid input: expected input of size 80; Layer: SimpleRnn; Input shape: [1, 81, 1]",
                bad[1].strip());
        String[] internal = failWith(new IllegalStateException(dl4j));
        assertEquals("3", internal[0]);
        assertEquals(1, internal[1].lines().count(), internal[1]);
        assertTrue(internal[1].contains("size 80; Layer: SimpleRnn; Input shape"), internal[1]);
        assertEquals("", ExitCodes.oneLine(null));
    }
}

package org.rnnlab.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

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
}

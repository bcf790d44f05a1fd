package org.rnnlab.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The random batches GradientCheck draws have the mask layout each {@link GradientCheck.Labels} promises. */
class GradientCheckLabelsTest {

    @Test
    void lastOfVariableLengthLabelsEachSequenceAtItsOwnLastStep() {
        ReferenceRnn rnn = new ReferenceRnn(List.of(new ReferenceRnn.Recurrent(2, 5, ReferenceActivation.TANH, true)),
                new ReferenceRnn.Output(5, 1, ReferenceActivation.SIGMOID, ReferenceLoss.BINARY_CROSS_ENTROPY, false),
                Convention.DL4J);
        ReferenceRnn.Batch batch = GradientCheck.randomBatch(rnn, GradientCheck.Labels.LAST_OF_VARIABLE_LENGTH, 20, 8,
                new Random(4));
        assertNotNull(batch.featureMask());
        assertNotNull(batch.labelMask());
        boolean someShorter = false;
        for (int e = 0; e < 20; e++) {
            int length = 0;
            for (double present : batch.featureMask()[e]) {
                length += (int) present;
            }
            assertTrue(length >= 1, "example " + e);
            someShorter |= length < 8;
            for (int t = 0; t < 8; t++) {
                assertEquals(t < length ? 1.0 : 0.0, batch.featureMask()[e][t], "features mask, example " + e);
                assertEquals(t == length - 1 ? 1.0 : 0.0, batch.labelMask()[e][t], "label mask, example " + e);
            }
        }
        assertTrue(someShorter, "lengths vary");
    }
}

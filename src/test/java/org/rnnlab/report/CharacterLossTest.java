package org.rnnlab.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Nats, bits and perplexity of a loss per character. */
class CharacterLossTest {

    @Test
    void bitsAndPerplexityFollowFromNats() {
        CharacterLoss uniform80 = new CharacterLoss(Math.log(80));
        assertEquals(Math.log(80) / Math.log(2), uniform80.bits(), 1e-12);
        assertEquals(80, uniform80.perplexity(), 1e-9, "a uniform guess among 80 is as unsure as 80 choices");
        CharacterLoss goal = new CharacterLoss(1.68);
        assertEquals(2.4237, goal.bits(), 1e-4);
        assertEquals(5.366, goal.perplexity(), 1e-3);
        assertEquals(1.68, CharacterLoss.ofBits(goal.bits()).nats(), 1e-12);
        assertEquals("1.680 nats (2.424 bits, perplexity 5.37) per character", goal.toString());
    }

    @Test
    void theMetricsAndTheResultsTableCarryAllThreeUnits() {
        TaskMetrics metrics = new CharacterLoss(2.0).putInto(new TaskMetrics(), "held_out")
                .floor(QualityFloor.atMost("held_out_loss_per_char", 2.5));
        assertEquals(2.0, metrics.get("held_out_loss_per_char"));
        assertEquals(2.0 / Math.log(2), metrics.get("held_out_bits_per_char"), 1e-12);
        assertEquals(Math.exp(2.0), metrics.get("held_out_perplexity"), 1e-12);
        ResultsTable table = new ResultsTable();
        table.add("char-rnn", metrics, 1.0, true);
        assertTrue(table.format().contains("2 nats (2.885 bits, perplexity 7.39)"), table.format());
        assertEquals("0.5", ResultsTable.shown("accuracy", 0.5));
    }
}

package org.rnnlab.report;

/**
 * A language model's loss per character in the units its users read: nats (the natural-log
 * cross-entropy DL4J and the seed compute), bits (nats / ln 2, as char-rnn papers report) and
 * perplexity (e^nats: the number of equally likely characters the model is as unsure as).
 *
 * @param nats mean negative natural log-likelihood of each predicted character
 */
public record CharacterLoss(double nats) {
    private static final double LN_2 = Math.log(2);

    public double bits() {
        return nats / LN_2;
    }

    public double perplexity() {
        return Math.exp(nats);
    }

    /** Bits per character back to nats. */
    public static CharacterLoss ofBits(double bits) {
        return new CharacterLoss(bits * LN_2);
    }

    /** Puts {@code PREFIX_loss_per_char}, {@code PREFIX_bits_per_char} and {@code PREFIX_perplexity} into the metrics. */
    public TaskMetrics putInto(TaskMetrics metrics, String prefix) {
        return metrics.put(prefix + "_loss_per_char", nats).put(prefix + "_bits_per_char", bits())
                .put(prefix + "_perplexity", perplexity());
    }

    /** "1.650 nats (2.380 bits, perplexity 5.21) per character". */
    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "%.3f nats (%.3f bits, perplexity %.2f) per character", nats, bits(),
                perplexity());
    }
}

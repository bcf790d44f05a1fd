package org.rnnlab.nets;

/**
 * Watches the held-out loss scored now and then during training and says what to do after each
 * score: keep the model (a new best), lower the learning rate (no improvement for {@code plateau}
 * scores in a row, as PyTorch's {@code ReduceLROnPlateau} and its word-language-model example do),
 * or stop (no improvement for {@code patience} scores, as Keras's {@code EarlyStopping}).
 *
 * <p>A score improves on the best when it is lower by more than a relative {@value #THRESHOLD}
 * (PyTorch's default threshold), so that noise in the last digits neither resets the counts nor
 * replaces a kept model.
 */
public final class HeldOutWatch {
    static final double THRESHOLD = 1e-4;

    /** What one score calls for. */
    public record Decision(boolean improved, boolean lowerRate, boolean stop) {
    }

    private final int plateau;
    private final int patience;
    private double best = Double.POSITIVE_INFINITY;
    private int scores;
    private int bestScore = -1;
    private int sinceBest;
    private int sinceRateChange;

    /**
     * @param plateau  scores without improvement before the rate is lowered; 0: never
     * @param patience scores without improvement before training stops; 0: never
     */
    public HeldOutWatch(int plateau, int patience) {
        if (plateau < 0 || patience < 0) {
            throw new IllegalArgumentException("plateau and patience must be at least 0");
        }
        this.plateau = plateau;
        this.patience = patience;
    }

    /** Takes the next held-out score. */
    public Decision score(double loss) {
        scores++;
        boolean improved = loss < best * (1 - THRESHOLD);
        if (improved) {
            best = loss;
            bestScore = scores;
            sinceBest = 0;
            sinceRateChange = 0;
        } else {
            sinceBest++;
            sinceRateChange++;
        }
        boolean lower = plateau > 0 && sinceRateChange >= plateau;
        if (lower) {
            sinceRateChange = 0; // the lowered rate gets its own plateau before the next cut
        }
        return new Decision(improved, lower, patience > 0 && sinceBest >= patience);
    }

    /** The lowest score so far; infinity before the first. */
    public double best() {
        return best;
    }

    /** Which score (counting from 1) was the best; 0 before the first. */
    public int bestScore() {
        return Math.max(bestScore, 0);
    }
}

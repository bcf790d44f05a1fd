package org.rnnlab.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.rnnlab.nets.Training;
import org.rnnlab.plots.HeldOutCurve;

/**
 * How fast a char-rnn recipe gets good: the seconds of training after which its held-out loss,
 * scored every few seconds, first reached each of a few levels, and the best it reached.
 *
 * @param recipe    the recipe's name (char-rnn's defaults, or a preset)
 * @param seconds   training seconds
 * @param best      the lowest held-out loss scored, nats per character
 * @param bestAt    the training seconds of that score
 * @param reachedAt per level (nats per character, as text, "2.0"), the seconds of the first score at or
 *                  below it; absent when never reached
 */
public record HeldOutMilestones(String recipe, double seconds, double best, double bestAt, Map<String, Double> reachedAt) {
    /** The levels issue 15 asks about. */
    public static final List<Double> LEVELS = List.of(2.0, 1.9, 1.8, 1.7);

    public HeldOutMilestones {
        reachedAt = Map.copyOf(reachedAt);
    }

    /** From a run that scored its held-out text while training (char-rnn with --eval-every above 0). */
    public static HeldOutMilestones of(String recipe, Training training) {
        List<Double> losses = training.history().get(HeldOutCurve.HELD_OUT);
        List<Double> at = training.history().get(HeldOutCurve.SECONDS);
        if (losses == null || at == null || losses.isEmpty()) {
            throw new IllegalArgumentException(recipe + " scored no held-out text while training");
        }
        Map<String, Double> reached = new LinkedHashMap<>();
        int best = 0;
        for (int i = 0; i < losses.size(); i++) {
            best = losses.get(i) < losses.get(best) ? i : best;
            for (double level : LEVELS) {
                if (losses.get(i) <= level) {
                    reached.putIfAbsent(label(level), at.get(i));
                }
            }
        }
        return new HeldOutMilestones(recipe, training.seconds(), losses.get(best), at.get(best), reached);
    }

    static String label(double level) {
        return String.format(Locale.ROOT, "%.1f", level);
    }

    /** "held-out 2.0 at 10 s, 1.9 at 15 s, 1.8 never, ...; best 1.615 at 40 s of 165 s". */
    public String describe() {
        StringBuilder text = new StringBuilder("held-out ");
        for (double level : LEVELS) {
            Double s = reachedAt.get(label(level));
            text.append(label(level)).append(s == null ? " never" : String.format(Locale.ROOT, " at %.0f s", s))
                    .append(", ");
        }
        return text.append(String.format(Locale.ROOT, "best %.3f at %.0f s of %.0f s", best, bestAt, seconds)).toString();
    }
}

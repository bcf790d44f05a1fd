package org.rnnlab.data;

import java.util.ArrayList;
import java.util.List;

/**
 * Seed 004's one-to-many data: from an integer n, the integers that follow it. The seed pairs each
 * n in 0..99 with n+1..n+5 and trains by feeding its own predictions back; here each pair becomes a
 * teacher-forced sequence instead: inputs n, n+1, ..., n+4 and, at each step, the next integer as
 * the target (n+1, ..., n+5). Generation later starts from n alone and feeds predictions back.
 *
 * <p>Nothing here is random: the recipe alone fixes the bytes.
 */
public final class CountUpData {

    /**
     * Everything that determines the generated file.
     *
     * @param first the first starting integer (the seed's 0)
     * @param count how many starting integers (the seed's 100: n in 0..99)
     * @param steps integers that follow each start (the seed's 5)
     */
    public record Recipe(int first, int count, int steps) {
    }

    private CountUpData() {
    }

    public static SequenceSet generate(Recipe recipe) {
        List<double[]> inputs = new ArrayList<>();
        List<double[]> targets = new ArrayList<>();
        for (int n = recipe.first(); n < recipe.first() + recipe.count(); n++) {
            double[] input = new double[recipe.steps()];
            double[] target = new double[recipe.steps()];
            for (int t = 0; t < recipe.steps(); t++) {
                input[t] = n + t;
                target[t] = n + t + 1;
            }
            inputs.add(input);
            targets.add(target);
        }
        return new SequenceSet(inputs, targets);
    }
}

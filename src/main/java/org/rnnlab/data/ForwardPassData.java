package org.rnnlab.data;

import java.util.Random;

/**
 * Seed 003's random ingredients: an input sequence of {@code steps} x {@code inputFeatures} values
 * and the weights of one tanh recurrent layer, all drawn uniformly from [0, 1) as numpy's
 * {@code np.random.random} draws them (the weights scaled by {@code weightScale}).
 */
public final class ForwardPassData {

    /**
     * @param seed           seed of every draw
     * @param steps          time steps (the seed's 100)
     * @param inputFeatures  input features (32)
     * @param outputFeatures state size (64)
     * @param weightScale    weights are drawn from [0, weightScale); the seed's is 1
     */
    public record Recipe(long seed, int steps, int inputFeatures, int outputFeatures, double weightScale) {
    }

    /**
     * The seed's arrays in the seed's shapes: inputs [T][in], W [out][in], U [out][out], b [out].
     * Inputs are drawn first, so the input data depends on the seed and sizes only, not on the scale.
     */
    public record Draw(double[][] inputs, double[][] w, double[][] u, double[] b) {
    }

    private ForwardPassData() {
    }

    public static Draw generate(Recipe recipe) {
        Random random = new Random(recipe.seed());
        double[][] inputs = uniform(random, recipe.steps(), recipe.inputFeatures(), 1.0);
        double[][] w = uniform(random, recipe.outputFeatures(), recipe.inputFeatures(), recipe.weightScale());
        double[][] u = uniform(random, recipe.outputFeatures(), recipe.outputFeatures(), recipe.weightScale());
        double[] b = uniform(random, 1, recipe.outputFeatures(), recipe.weightScale())[0];
        return new Draw(inputs, w, u, b);
    }

    private static double[][] uniform(Random random, int rows, int columns, double scale) {
        double[][] values = new double[rows][columns];
        for (double[] row : values) {
            for (int j = 0; j < columns; j++) {
                row[j] = scale * random.nextDouble();
            }
        }
        return values;
    }

    /** [T][features] to the CSV block layout: one line per feature, [features][T]. */
    public static double[][] byFeature(double[][] inputs) {
        double[][] transposed = new double[inputs[0].length][inputs.length];
        for (int t = 0; t < inputs.length; t++) {
            for (int k = 0; k < inputs[0].length; k++) {
                transposed[k][t] = inputs[t][k];
            }
        }
        return transposed;
    }
}

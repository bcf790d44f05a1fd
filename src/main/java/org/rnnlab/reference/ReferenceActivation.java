package org.rnnlab.reference;

/**
 * The activations of the seeds, in double precision. Derivatives are written in terms of the
 * activation's output, as the seeds write them: seed 000 and 002's
 * {@code sigmoid_output_to_derivative(a) = a (1 - a)}, seed 001 and 002's {@code 1 - h^2} for tanh.
 */
public enum ReferenceActivation {
    SIGMOID,
    TANH,
    IDENTITY,
    /** Output layers only: applied to a whole vector, see {@link #softmax}. */
    SOFTMAX;

    /** a = f(z) for an element-wise activation. */
    public double apply(double z) {
        return switch (this) {
            case SIGMOID -> 1.0 / (1.0 + Math.exp(-z));
            case TANH -> Math.tanh(z);
            case IDENTITY -> z;
            case SOFTMAX -> throw new IllegalStateException("softmax acts on a vector; use softmax()");
        };
    }

    /** f'(z) written with a = f(z). */
    public double derivativeFromOutput(double a) {
        return switch (this) {
            case SIGMOID -> a * (1.0 - a);
            case TANH -> 1.0 - a * a;
            case IDENTITY -> 1.0;
            case SOFTMAX -> throw new IllegalStateException("softmax has a Jacobian, not a derivative");
        };
    }

    /** p_k = exp(z_k) / sum_j exp(z_j) (seed 002's {@code ps[t]}), shifted by max z for stability. */
    public static double[] softmax(double[] z) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z) {
            max = Math.max(max, v);
        }
        double[] p = new double[z.length];
        double sum = 0;
        for (int k = 0; k < z.length; k++) {
            p[k] = Math.exp(z[k] - max);
            sum += p[k];
        }
        for (int k = 0; k < z.length; k++) {
            p[k] /= sum;
        }
        return p;
    }
}

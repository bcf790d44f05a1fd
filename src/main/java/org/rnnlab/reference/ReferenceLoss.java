package org.rnnlab.reference;

/** The losses of the seeds for one output vector o against its label y. */
public enum ReferenceLoss {
    /** Squared error, sum_k (o_k - y_k)^2, scaled as the convention says (DL4J divides by nOut). */
    MSE,
    /** Binary cross-entropy, -sum_k [y_k ln o_k + (1 - y_k) ln(1 - o_k)], for sigmoid outputs. */
    BINARY_CROSS_ENTROPY,
    /** Softmax cross-entropy, -sum_k y_k ln p_k (seed 002's {@code -np.log(ps[t][targets[t]])}). */
    SOFTMAX_CROSS_ENTROPY;

    public double value(double[] o, double[] y, Convention convention) {
        double loss = 0;
        for (int k = 0; k < o.length; k++) {
            loss += switch (this) {
                case MSE -> (o[k] - y[k]) * (o[k] - y[k]);
                case BINARY_CROSS_ENTROPY -> -(y[k] * Math.log(o[k]) + (1 - y[k]) * Math.log(1 - o[k]));
                case SOFTMAX_CROSS_ENTROPY -> -y[k] * Math.log(o[k]);
            };
        }
        return this == MSE ? loss * convention.mseScale(o.length) : loss;
    }

    /** dLoss/do_k, the derivative with respect to the output (after the activation). */
    public double[] derivative(double[] o, double[] y, Convention convention) {
        double[] d = new double[o.length];
        for (int k = 0; k < o.length; k++) {
            d[k] = switch (this) {
                case MSE -> 2 * (o[k] - y[k]) * convention.mseScale(o.length);
                case BINARY_CROSS_ENTROPY -> -(y[k] / o[k]) + (1 - y[k]) / (1 - o[k]);
                case SOFTMAX_CROSS_ENTROPY -> -y[k] / o[k];
            };
        }
        return d;
    }
}

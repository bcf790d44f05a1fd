package org.rnnlab.reference;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.DoubleSupplier;

/**
 * The gradient of the reference network's score by central finite differences, improved by one
 * Richardson step: D(h) = (S(p + h) - S(p - h)) / 2h has error O(h^2); (4 D(h/2) - D(h)) / 3 cancels
 * it, leaving O(h^4). With h = 1e-3 in double precision that is ~1e-12 of truncation against
 * ~1e-13 of rounding for scores of order 1-10.
 */
public final class FiniteDifferences {
    public static final double STEP = 1e-3;

    private FiniteDifferences() {
    }

    public static Map<String, double[]> gradient(ReferenceRnn network, ReferenceRnn.Batch batch) {
        return gradient(network, batch, Integer.MAX_VALUE);
    }

    /**
     * Estimates at most {@code perParameter} evenly spaced elements of each parameter (the others
     * are NaN), for networks whose every element would take too long.
     */
    public static Map<String, double[]> gradient(ReferenceRnn network, ReferenceRnn.Batch batch, int perParameter) {
        return gradient(network.parameters(), () -> network.score(batch), perParameter);
    }

    /**
     * The same for any network whose live parameter arrays are {@code parameters} and whose score
     * {@code score} recomputes: each element is nudged in place and restored.
     */
    public static Map<String, double[]> gradient(Map<String, double[]> parameters, DoubleSupplier score,
            int perParameter) {
        Map<String, double[]> gradients = new LinkedHashMap<>();
        for (Map.Entry<String, double[]> parameter : parameters.entrySet()) {
            double[] values = parameter.getValue();
            double[] g = new double[values.length];
            java.util.Arrays.fill(g, Double.NaN);
            int stride = Math.max(1, (values.length + perParameter - 1) / perParameter);
            for (int i = 0; i < values.length; i += stride) {
                double d1 = central(score, values, i, STEP);
                double d2 = central(score, values, i, STEP / 2);
                g[i] = (4 * d2 - d1) / 3;
            }
            gradients.put(parameter.getKey(), g);
        }
        return gradients;
    }

    private static double central(DoubleSupplier score, double[] values, int i, double h) {
        double original = values[i];
        values[i] = original + h;
        double plus = score.getAsDouble();
        values[i] = original - h;
        double minus = score.getAsDouble();
        values[i] = original;
        return (plus - minus) / (2 * h);
    }
}

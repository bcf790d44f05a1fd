package org.rnnlab.report;

/**
 * The least a trained task must reach on one metric ("trained means" in DESIGN.md).
 *
 * @param metric the metric's snake_case name in metrics.json
 * @param bound  whether the metric must stay at or below the limit (errors) or reach it (accuracies)
 * @param limit  the floor itself
 */
public record QualityFloor(String metric, Bound bound, double limit) {

    public enum Bound {
        AT_MOST("<="),
        AT_LEAST(">=");

        private final String symbol;

        Bound(String symbol) {
            this.symbol = symbol;
        }

        public String symbol() {
            return symbol;
        }
    }

    public static QualityFloor atMost(String metric, double limit) {
        return new QualityFloor(metric, Bound.AT_MOST, limit);
    }

    public static QualityFloor atLeast(String metric, double limit) {
        return new QualityFloor(metric, Bound.AT_LEAST, limit);
    }

    /** A yes/no check ({@link TaskMetrics#check}) that must say yes. */
    public static QualityFloor yes(String metric) {
        return atLeast(metric, 1);
    }

    public boolean isMetBy(double value) {
        return bound == Bound.AT_MOST ? value <= limit : value >= limit;
    }

    /**
     * How far inside the floor a value lies, as a ratio where 1 is exactly at the floor and larger is
     * better: limit / value for errors, value / limit for accuracies.
     */
    public double margin(double value) {
        return bound == Bound.AT_MOST ? limit / value : value / limit;
    }
}

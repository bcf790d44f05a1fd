package org.rnnlab.tasks;

import org.rnnlab.BadInputException;

/**
 * Range checks for the compact constructors of task option records. Each failure names the
 * option as the user types it and the range that would be accepted.
 */
public final class OptionCheck {
    private OptionCheck() {
    }

    public static void inRange(String option, long value, long min, long max) {
        if (value < min || value > max) {
            throw new BadInputException(option + " must be in " + min + ".." + max + ", got " + value);
        }
    }

    public static void inRange(String option, double value, double minExclusive, double max) {
        // Written so that NaN fails too: every comparison with NaN is false.
        if (!(value > minExclusive && value <= max)) {
            throw new BadInputException(option + " must be greater than " + minExclusive
                    + " and at most " + max + ", got " + value);
        }
    }

    /** 0 (which options use for "never" or "off") up to {@code max}; NaN fails. */
    public static void zeroOrUpTo(String option, double value, double max) {
        if (!(value >= 0 && value <= max)) {
            throw new BadInputException(option + " must be 0 or more and at most " + max + ", got " + value);
        }
    }

    public static void sizes(String option, int[] sizes, int maxLayers, int maxSize) {
        if (sizes == null || sizes.length < 1 || sizes.length > maxLayers) {
            throw new BadInputException(option + " takes 1 to " + maxLayers + " comma-separated layer sizes");
        }
        for (int size : sizes) {
            inRange(option, size, 1, maxSize);
        }
    }
}

package org.rnnlab.data;

import org.rnnlab.BadInputException;

/** Comma-separated numbers typed by a user, e.g. {@code --input 1,0,1,1}. */
public final class NumberList {
    /**
     * The largest magnitude accepted: the networks compute in 32-bit floats, which end at 3.4e38,
     * and a weighted sum of a few values near that limit overflows to infinity and then NaN.
     */
    public static final double MAX_MAGNITUDE = 1e30;

    private NumberList() {
    }

    /**
     * @param what how the message names the input, e.g. "--input"
     * @throws BadInputException for an empty list, a cell that is not a finite number (or beyond
     *     {@link #MAX_MAGNITUDE}), or too many values
     */
    public static double[] parse(String text, String what, int maxValues) {
        if (text == null || text.isBlank()) {
            throw new BadInputException(what + " is empty; give comma-separated numbers such as 1,0,1");
        }
        String[] cells = text.split(",", -1);
        if (cells.length > maxValues) {
            throw new BadInputException(what + " has " + cells.length + " values; at most " + maxValues + " are allowed");
        }
        double[] values = new double[cells.length];
        for (int i = 0; i < cells.length; i++) {
            String cell = cells[i].strip();
            try {
                values[i] = Double.parseDouble(cell);
            } catch (NumberFormatException e) {
                throw new BadInputException(what + ": '" + cell + "' (value " + (i + 1) + ") is not a number");
            }
            if (!Double.isFinite(values[i])) {
                throw new BadInputException(what + ": value " + (i + 1) + " is " + cell + "; only finite numbers are allowed");
            }
            if (Math.abs(values[i]) > MAX_MAGNITUDE) {
                throw new BadInputException(what + ": value " + (i + 1) + ", " + cell + ", is beyond +-1e30, more than"
                        + " the network's 32-bit floats can carry through a layer");
            }
        }
        return values;
    }
}

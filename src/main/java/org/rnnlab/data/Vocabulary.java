package org.rnnlab.data;

import java.util.Arrays;
import java.util.stream.Collectors;
import org.rnnlab.BadInputException;

/**
 * The characters of a text (Unicode code points), sorted so that the same text always gives the
 * same indices; the seed's {@code list(set(data))} order changes from run to run. Saved in the
 * model zip, so that a model never needs its corpus again.
 */
public record Vocabulary(int[] symbols) {

    public Vocabulary {
        symbols = symbols.clone();
        for (int i = 1; i < symbols.length; i++) {
            if (symbols[i] <= symbols[i - 1]) {
                throw new IllegalArgumentException("symbols must be sorted and distinct");
            }
        }
    }

    public static Vocabulary of(String text) {
        return new Vocabulary(text.codePoints().distinct().sorted().toArray());
    }

    /** The vocabulary as one string, its characters in index order: how rnnlab.json stores it. */
    public String asString() {
        return new String(symbols, 0, symbols.length);
    }

    public static Vocabulary fromString(String characters) {
        return new Vocabulary(characters.codePoints().toArray());
    }

    public int size() {
        return symbols.length;
    }

    /** The index of a character, or -1. */
    public int indexOf(int codePoint) {
        int index = Arrays.binarySearch(symbols, codePoint);
        return index >= 0 ? index : -1;
    }

    public int symbol(int index) {
        return symbols[index];
    }

    /** Indices of every character of {@code text}; characters outside the vocabulary are named in the error. */
    public int[] encode(String text, String what) {
        int[] codePoints = text.codePoints().toArray();
        int[] indices = new int[codePoints.length];
        StringBuilder unknown = new StringBuilder();
        for (int i = 0; i < codePoints.length; i++) {
            indices[i] = indexOf(codePoints[i]);
            if (indices[i] < 0 && unknown.indexOf(describe(codePoints[i])) < 0) {
                unknown.append(unknown.length() > 0 ? ", " : "").append(describe(codePoints[i]));
            }
        }
        if (unknown.length() > 0) {
            throw new BadInputException(what + " has characters the model never saw: " + unknown);
        }
        return indices;
    }

    public String decode(int[] indices) {
        return Arrays.stream(indices).map(i -> symbols[i])
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
    }

    private static String describe(int codePoint) {
        return Character.isISOControl(codePoint) || Character.isWhitespace(codePoint)
                ? String.format("U+%04X", codePoint) : "'" + new String(Character.toChars(codePoint)) + "'";
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Vocabulary v && Arrays.equals(symbols, v.symbols);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(symbols);
    }

    @Override
    public String toString() {
        return Arrays.stream(symbols).mapToObj(Vocabulary::describe).collect(Collectors.joining(" "));
    }
}

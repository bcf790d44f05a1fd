package org.rnnlab.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.rnnlab.BadInputException;

class NumberListTest {

    @Test
    void parsesBits() {
        assertArrayEquals(new double[] {1, 0, 1}, NumberList.parse("1,0,1", "--input", 10));
    }

    @Test
    void parsesDecimalsNegativesAndSpaces() {
        assertArrayEquals(new double[] {0.31, -0.5, 2e-3}, NumberList.parse(" 0.31, -0.5 ,2e-3 ", "--input", 10));
    }

    @Test
    void acceptsExactlyTheMaximum() {
        assertArrayEquals(new double[] {1, 2, 3}, NumberList.parse("1,2,3", "--input", 3));
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", "   "})
    void rejectsEmpty(String text) {
        assertRejected(text, 10, "empty");
    }

    @ParameterizedTest
    @ValueSource(strings = {"1,x", "1,,0", "1,0,", "one", "1;0"})
    void rejectsCellsThatAreNotNumbers(String text) {
        assertRejected(text, 10, "not a number");
    }

    @ParameterizedTest
    @ValueSource(strings = {"NaN", "Infinity", "-Infinity", "1,NaN"})
    void rejectsNonFiniteNumbers(String text) {
        // Double.parseDouble accepts these; a network input must not.
        assertRejected(text, 10, "finite");
    }

    @Test
    void rejectsTooManyValues() {
        BadInputException e = assertRejected("1,0,1,1", 3, "at most 3");
        assertTrue(e.getMessage().contains("4 values"), e.getMessage());
    }

    private static BadInputException assertRejected(String text, int max, String reason) {
        BadInputException e = assertThrows(BadInputException.class, () -> NumberList.parse(text, "--input", max));
        // The message names the option the user typed, and why it was refused.
        assertTrue(e.getMessage().startsWith("--input"), e.getMessage());
        assertTrue(e.getMessage().contains(reason), e.getMessage());
        return e;
    }
}

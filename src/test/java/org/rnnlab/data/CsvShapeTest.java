package org.rnnlab.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnnlab.BadInputException;

/** Every line that breaks a file's shape is refused naming the file, the line and what was expected (issue 18, items 1 and 6). */
class CsvShapeTest {
    private static final CsvShape SEVEN_BITS = CsvShape.rows(7, "one per bit");
    private static final CsvShape POINTS = CsvShape.blocks(2, 2, 8, "one per point");

    @TempDir
    Path dir;

    private String refusal(CsvShape shape, String text) throws IOException {
        Path file = Files.writeString(dir.resolve("data.csv"), text);
        BadInputException e = assertThrows(BadInputException.class, () -> shape.check(file), text);
        assertTrue(e.getMessage().startsWith(file + ", line "), e.getMessage());
        return e.getMessage();
    }

    @Test
    void wellFormedFilesAreCountedInEitherLayout() throws IOException {
        Path rows = Files.writeString(dir.resolve("rows.csv"), "bit1,...\n1,0,1,1,0,0,1\n0,0,0,0,0,0,0\n");
        assertEquals(2, SEVEN_BITS.check(rows));
        // CRLF line ends, no newline after the last line, spaces around values, exponents
        Path windows = Files.writeString(dir.resolve("crlf.csv"), "h\r\n1, 0,1,1,0,0,1\r\n1e0,0,0,0,0,0,-0.0");
        assertEquals(2, SEVEN_BITS.check(windows));
        Path blocks = Files.writeString(dir.resolve("blocks.csv"), "# x1 then x2\n1,2,3\n4,5,6\n\n7,8\n9,10\n");
        assertEquals(2, POINTS.check(blocks));
        Path headerOnly = Files.writeString(dir.resolve("header.csv"), "bit1,bit2\n");
        assertEquals(0, SEVEN_BITS.check(headerOnly));
    }

    @Test
    void rowsWithMoreOrFewerValuesThanTheRecipeAreRefused() throws IOException {
        refusesEach(SEVEN_BITS, new String[][] {
            {"h\n1,0,1,1,0,0,1,1\n", "line 2: more than 7 values; expected 7 (one per bit)"},
            {"h\n1,0,1,1,0,0,1\n1,0,1,1,0,0\n", "line 3: 6 values; expected 7"},
            {"h\n1\n", "line 2: 1 value; expected 7"},
            {"h\n1,0,1,1,0,0,1\n\n", "line 3: the line is empty"},
            {"h\n1,0,1,,0,0,1\n", "value 4 is empty"}});
    }

    /** Each text, as the whole file, is refused with a message holding its expected words. */
    private void refusesEach(CsvShape shape, String[][] textsAndMessages) throws IOException {
        for (String[] example : textsAndMessages) {
            String message = refusal(shape, example[0]);
            assertTrue(message.contains(example[1]), example[0] + " -> " + message);
        }
    }

    @Test
    void aRowOfAMillionValuesIsRefusedAtItsEighthValueWithoutReadingItIn() throws IOException {
        Path file = dir.resolve("wide.csv");
        try (var out = Files.newBufferedWriter(file)) {
            out.write("h\n");
            for (int i = 0; i < 1_000_000; i++) {
                out.write(i == 0 ? "1" : ",1");
            }
            out.write("\n");
        }
        BadInputException e = assertThrows(BadInputException.class, () -> SEVEN_BITS.check(file));
        assertTrue(e.getMessage().contains("line 2: more than 7 values"), e.getMessage());
    }

    @Test
    void cellsThatAreNotFiniteNumbersAreRefused() throws IOException {
        for (String cell : new String[] {"NaN", "Infinity", "-Infinity", "1e400", "one", "0x", "2.3.4"}) {
            String message = refusal(SEVEN_BITS, "h\n1,0,1," + cell + ",0,0,1\n");
            assertTrue(message.contains("line 2: value 4, '" + cell + "', is not a"), cell + ": " + message);
        }
        assertTrue(refusal(SEVEN_BITS, "h\n" + "1".repeat(100) + ",0,0,0,0,0,0\n")
                .contains("longer than " + CsvShape.MAX_CELL_CHARS + " characters"));
    }

    @Test
    void blocksOfTheWrongSizeOrRaggedLinesAreRefused() throws IOException {
        refusesEach(POINTS, new String[][] {
            {"# c\n1,2\n3,4\n5,6\n", "line 4: sequence 1 has more than 2 lines"},
            {"# c\n1,2\n3,4\n\n5,6\n", "sequence 2 ends after 1 of its 2 lines"},
            {"# c\n1,2,3\n3,4\n", "line 3: 2 values after a line of 3"},
            {"# c\n1\n3\n", "line 2: 1 value; expected 2 to 8 (one per point)"},
            {"# c\n1,2,3,4,5,6,7,8,9\n", "more than 8 values"}});
    }

    @Test
    void aFileThatIsNotUtf8OrNotThereIsRefused() throws IOException {
        Path latin1 = Files.write(dir.resolve("latin1.csv"), new byte[] {'h', '\n', (byte) 0xe9, ',', '1', '\n'});
        BadInputException e = assertThrows(BadInputException.class, () -> SEVEN_BITS.check(latin1));
        assertTrue(e.getMessage().contains("is not UTF-8"), e.getMessage());
        e = assertThrows(BadInputException.class, () -> SEVEN_BITS.check(dir.resolve("missing.csv")));
        assertTrue(e.getMessage().contains("no data file"), e.getMessage());
    }
}

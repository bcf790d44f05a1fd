package org.rnnlab.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.rnnlab.BadInputException;

/**
 * What every data line of one of rnnlab's CSV files must hold, checked in one streaming pass before
 * DataVec reads the file: the number of values on each line, how many lines form a block, and that
 * every value is a finite number. A file that breaks it is refused naming the file, the line and
 * what was expected, before any training; DataVec itself would pad short rows, train on NaN, or
 * build one huge sequence out of a row of a million values (docs/robustness.md, "Degenerate data").
 *
 * <p>Two layouts: {@linkplain #rows rows}, one sequence or label per line (DataVec's
 * {@code CSVLineSequenceRecordReader}), and {@linkplain #blocks blocks}, lines grouped into
 * sequences by blank lines (its {@code CSVMultiSequenceRecordReader}). Both skip one header line.
 *
 * @param linesPerBlock lines in each block; 0 for the row layout
 * @param minValues     the fewest values a line may hold
 * @param maxValues     the most values a line may hold
 * @param meaning       what the values of a line are, for messages ("one per bit")
 */
public record CsvShape(int linesPerBlock, int minValues, int maxValues, String meaning) {
    /** Longer than any number rnnlab writes or a person types; a longer cell is not a number. */
    static final int MAX_CELL_CHARS = 64;

    public CsvShape {
        if (linesPerBlock < 0 || minValues < 1 || maxValues < minValues) {
            throw new IllegalArgumentException("lines " + linesPerBlock + ", values " + minValues + ".." + maxValues);
        }
    }

    /** One row per line, each of exactly {@code values} values. */
    public static CsvShape rows(int values, String meaning) {
        return new CsvShape(0, values, values, meaning);
    }

    /** Blocks of {@code lines} lines separated by blank lines; the lines of a block hold as many values each, in the range given. */
    public static CsvShape blocks(int lines, int minValues, int maxValues, String meaning) {
        if (lines < 1) {
            throw new IllegalArgumentException("a block has at least one line, got " + lines);
        }
        return new CsvShape(lines, minValues, maxValues, meaning);
    }

    /**
     * Reads {@code file} through and refuses it at its first line that breaks this shape.
     *
     * @return the number of rows (row layout) or blocks (block layout) it holds
     * @throws BadInputException naming the file and the line
     */
    public int check(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new BadInputException("no data file " + file);
        }
        var decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try (BufferedReader in = new BufferedReader(new java.io.InputStreamReader(Files.newInputStream(file), decoder))) {
            return new Scan(file, in).run();
        } catch (CharacterCodingException e) {
            throw new BadInputException(file + " is not UTF-8 text", e);
        }
    }

    /** The expected count of values, for messages: "7" or "2 to 8". */
    private String expectedValues() {
        return (minValues == maxValues ? Integer.toString(minValues) : minValues + " to " + maxValues)
                + " (" + meaning + ")";
    }

    /** One pass over a file, a character at a time, so that a line of any length costs no memory. */
    private final class Scan {
        private final Path file;
        private final Reader in;
        private final StringBuilder cell = new StringBuilder();
        private int line = 1; // the header
        private int values;
        private int counted; // rows or blocks
        private int linesInBlock;
        private int blockValues; // values per line in the current block

        Scan(Path file, Reader in) {
            this.file = file;
            this.in = in;
        }

        int run() throws IOException {
            int c;
            while ((c = in.read()) >= 0 && c != '\n') {
                // the header line: skipped, whatever its length
            }
            if (c < 0) {
                return 0; // a header alone (or nothing): no data
            }
            line = 2;
            boolean lineHasText = false;
            while ((c = in.read()) >= 0) {
                if (c == '\n') {
                    endLine(lineHasText);
                    lineHasText = false;
                    line++;
                } else if (c == '\r') {
                    continue; // CRLF files read as LF ones
                } else if (c == ',') {
                    endCell();
                    lineHasText = true;
                } else {
                    if (cell.length() >= MAX_CELL_CHARS) {
                        throw refusal("a cell longer than " + MAX_CELL_CHARS + " characters is not a number");
                    }
                    cell.append((char) c);
                    lineHasText = true;
                }
            }
            if (lineHasText) {
                endLine(true); // a last line without its newline
            }
            if (linesPerBlock > 0 && linesInBlock > 0) {
                endBlock();
            }
            return counted;
        }

        private void endCell() {
            String text = cell.toString().strip();
            cell.setLength(0);
            values++;
            if (values > maxValues) {
                throw refusal("more than " + maxValues + " values; expected " + expectedValues());
            }
            if (text.isEmpty()) {
                throw refusal("value " + values + " is empty; expected a number");
            }
            double value;
            try {
                value = Double.parseDouble(text);
            } catch (NumberFormatException e) {
                throw refusal("value " + values + ", '" + text + "', is not a number");
            }
            if (!Double.isFinite(value)) {
                throw refusal("value " + values + ", '" + text + "', is not a finite number");
            }
        }

        private void endLine(boolean hasText) {
            if (!hasText) {
                if (linesPerBlock == 0) {
                    throw refusal("the line is empty; expected " + expectedValues());
                }
                if (linesInBlock > 0) {
                    endBlock();
                }
                return;
            }
            endCell();
            if (values < minValues) {
                throw refusal(values + (values == 1 ? " value" : " values") + "; expected " + expectedValues());
            }
            if (linesPerBlock == 0) {
                counted++;
            } else {
                if (linesInBlock > 0 && values != blockValues) {
                    throw refusal(values + " values after a line of " + blockValues + "; the lines of a sequence"
                            + " hold as many values each");
                }
                blockValues = values;
                linesInBlock++;
                if (linesInBlock > linesPerBlock) {
                    throw refusal("sequence " + (counted + 1) + " has more than " + linesPerBlock + " lines; expected "
                            + linesPerBlock + " lines, then a blank line");
                }
            }
            values = 0;
        }

        private void endBlock() {
            if (linesInBlock != linesPerBlock) {
                throw refusal("sequence " + (counted + 1) + " ends after " + linesInBlock + " of its " + linesPerBlock
                        + " lines");
            }
            counted++;
            linesInBlock = 0;
        }

        private BadInputException refusal(String what) {
            return new BadInputException(file + ", line " + line + ": " + what);
        }
    }
}

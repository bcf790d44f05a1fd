package org.rnnlab.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.datavec.api.records.reader.impl.FileRecordReader;
import org.datavec.api.split.FileSplit;
import org.rnnlab.BadInputException;

/**
 * A UTF-8 text for the character-level language model: its characters, its vocabulary, and a split
 * into training text and held-out blocks. Every tenth block of {@value #BLOCK} characters is held
 * out; a plain last-tenth split would, for kafka.txt, hold out ~19,000 characters of Project
 * Gutenberg licence rather than the story.
 *
 * @param name        how the corpus is named to the user (its file name)
 * @param text        the whole text
 * @param vocabulary  its sorted characters
 */
public record TextCorpus(String name, String text, Vocabulary vocabulary) {
    public static final int BLOCK = 2000;
    public static final int HELD_OUT_EVERY = 10;

    /**
     * Reads a corpus through DataVec's FileRecordReader (the whole file as one record), after a strict
     * UTF-8 check of its bytes: DataVec would replace bad bytes silently.
     *
     * @param minimumLength the fewest characters that make a corpus usable (one training sequence and its next character)
     */
    /**
     * Java heap a corpus needs per byte of its file, about: the bytes, the decoding check, the text,
     * DataVec's copy and the encoded characters (4 bytes each) are alive together while it is read.
     */
    static final int HEAP_PER_BYTE = 16;

    /** A corpus the heap cannot hold is refused before reading it, saying how large it is and how to raise the heap. */
    static void refuseIfTooLarge(Path file, long bytes, long heap) {
        long needed = bytes * HEAP_PER_BYTE;
        if (needed > heap) {
            throw new BadInputException(String.format(java.util.Locale.ROOT, "%s is %.1f MB of text; reading it"
                    + " needs about %d MB of Java heap and there are %d MB; give it more, e.g."
                    + " RNNLAB_JAVA_OPTS=-Xmx%dg ./rnnlab ...", file, bytes / 1e6, Math.round(needed / 1e6),
                    Math.round(heap / 1e6), Math.max(2, (long) Math.ceil(2.0 * needed / 1e9))));
        }
    }

    public static TextCorpus read(Path file, int minimumLength) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new BadInputException("no corpus at " + file);
        }
        refuseIfTooLarge(file, Files.size(file), Runtime.getRuntime().maxMemory());
        byte[] bytes = Files.readAllBytes(file);
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
        } catch (CharacterCodingException e) {
            throw new BadInputException(file + " is not UTF-8 text", e);
        }
        String text;
        FileRecordReader reader = new FileRecordReader();
        try {
            reader.initialize(new FileSplit(file.toFile()));
            text = reader.hasNext() ? reader.next().get(0).toString() : "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while reading " + file, e);
        }
        return of(file.getFileName().toString(), text, minimumLength);
    }

    /** A corpus from text in memory, checked as {@link #read} checks a file. */
    public static TextCorpus of(String name, String text, int minimumLength) {
        if (text.isEmpty()) {
            throw new BadInputException("corpus " + name + " is empty");
        }
        if (text.indexOf('\0') >= 0) {
            throw new BadInputException("corpus " + name + " holds NUL characters: it looks binary, not text");
        }
        int length = text.codePointCount(0, text.length());
        if (length < minimumLength) {
            throw new BadInputException("corpus " + name + " has " + length + " characters; at least "
                    + minimumLength + " are needed (one sequence and the character after it)");
        }
        return new TextCorpus(name, text, Vocabulary.of(text));
    }

    /**
     * The share of the words of {@code sample} that are words of this corpus: a plain measure of how
     * much of a generated text is spelt right. A word is a run of letters, compared without case.
     * NaN for a sample without words.
     */
    public double knownWordShare(String sample) {
        java.util.Set<String> known = new java.util.HashSet<>(words(text));
        List<String> drawn = words(sample);
        return drawn.isEmpty() ? Double.NaN : drawn.stream().filter(known::contains).count() / (double) drawn.size();
    }

    /** The runs of letters in a text, lower-cased. */
    static List<String> words(String text) {
        List<String> words = new ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\p{L}+").matcher(text);
        while (m.find()) {
            words.add(m.group().toLowerCase(java.util.Locale.ROOT));
        }
        return words;
    }

    /** The text as vocabulary indices. */
    public int[] indices() {
        return vocabulary.encode(text, "corpus " + name);
    }

    /** Whether block {@code b} (characters [2000 b, 2000 (b + 1))) is held out. */
    public static boolean heldOut(int block) {
        return block % HELD_OUT_EVERY == HELD_OUT_EVERY - 1;
    }

    /** The training characters: every block not held out, joined in order. */
    public int[] training() {
        int[] all = indices();
        int[] kept = new int[all.length];
        int n = 0;
        for (int i = 0; i < all.length; i++) {
            if (!heldOut(i / BLOCK)) {
                kept[n++] = all[i];
            }
        }
        return java.util.Arrays.copyOf(kept, n);
    }

    /** The held-out blocks, each on its own (a model starts each from a fresh state). */
    public List<int[]> heldOutBlocks() {
        int[] all = indices();
        List<int[]> blocks = new ArrayList<>();
        for (int start = 0; start < all.length; start += BLOCK) {
            if (heldOut(start / BLOCK) && Math.min(all.length, start + BLOCK) - start >= 2) {
                blocks.add(java.util.Arrays.copyOfRange(all, start, Math.min(all.length, start + BLOCK)));
            }
        }
        return blocks;
    }
}

package org.rnnlab.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.junit.jupiter.api.io.TempDir;
import org.rnnlab.BadInputException;

class TextCorpusTest {
    @TempDir
    Path dir;

    @Test
    void theVocabularyIsSortedAndEncodesAndDecodesEveryCharacter() {
        Vocabulary vocabulary = Vocabulary.of("Gregor ç\nsamsa");
        assertEquals("\n Gaegmorsç", vocabulary.asString());
        String text = "Gregor samsa\n";
        assertEquals(text, vocabulary.decode(vocabulary.encode(text, "text")));
        assertEquals(vocabulary, Vocabulary.fromString(vocabulary.asString()));
        BadInputException e = assertThrows(BadInputException.class, () -> vocabulary.encode("Grete!", "--prime"));
        assertTrue(e.getMessage().contains("'t'") && e.getMessage().contains("'!'"), e.getMessage());
    }

    @Test
    void aFileIsReadThroughDataVecExactly() throws IOException {
        String text = "One morning, Gregor Samsa woke — façade\n".repeat(10);
        Path file = Files.writeString(dir.resolve("small.txt"), text);
        TextCorpus corpus = TextCorpus.read(file, 26);
        assertEquals(text, corpus.text());
        assertEquals("small.txt", corpus.name());
    }

    @Test
    void everyTenthBlockOf2000CharactersIsHeldOut() {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 45_000; i++) {
            text.append((char) ('a' + (i / 2000) % 26)); // block b is made of one letter
        }
        TextCorpus corpus = TextCorpus.of("letters", text.toString(), 26);
        List<int[]> heldOut = corpus.heldOutBlocks();
        assertEquals(2, heldOut.size()); // blocks 9 and 19 of 0..22
        assertEquals(2000, heldOut.get(0).length);
        int j = corpus.vocabulary().indexOf('j'); // block 9
        int t = corpus.vocabulary().indexOf('t'); // block 19
        assertTrue(java.util.Arrays.stream(heldOut.get(0)).allMatch(i -> i == j));
        assertTrue(java.util.Arrays.stream(heldOut.get(1)).allMatch(i -> i == t));
        assertEquals(45_000 - 4000, corpus.training().length);
        assertTrue(java.util.Arrays.stream(corpus.training()).noneMatch(i -> i == j || i == t));
    }

    @Test
    void emptyShortBinaryAndNonUtf8CorporaAreRefusedWithOneClearReason() throws IOException {
        Path empty = Files.writeString(dir.resolve("empty.txt"), "");
        assertTrue(assertThrows(BadInputException.class, () -> TextCorpus.read(empty, 26)).getMessage().contains("empty"));
        Path shortOne = Files.writeString(dir.resolve("short.txt"), "too short");
        assertTrue(assertThrows(BadInputException.class, () -> TextCorpus.read(shortOne, 26)).getMessage()
                .contains("at least 26"));
        Path binary = Files.write(dir.resolve("binary.txt"), new byte[] {'a', 0, 'b', 0, 'c'});
        assertTrue(assertThrows(BadInputException.class, () -> TextCorpus.read(binary, 2)).getMessage()
                .contains("binary"));
        Path latin1 = Files.write(dir.resolve("latin1.txt"), "façade façade façade façade".getBytes(StandardCharsets.ISO_8859_1));
        assertTrue(assertThrows(BadInputException.class, () -> TextCorpus.read(latin1, 2)).getMessage()
                .contains("not UTF-8"));
        assertTrue(assertThrows(BadInputException.class, () -> TextCorpus.read(dir.resolve("none.txt"), 2))
                .getMessage().contains("no corpus"));
    }

    @Test
    void chunksReadParallelStreamsSoThatEachChunkContinuesTheLastOne() {
        int[] text = new int[103];
        for (int i = 0; i < text.length; i++) {
            text[i] = i % 7;
        }
        CharChunks chunks = new CharChunks(text, 7, 4, 5); // 4 streams of 25 characters
        assertEquals(4, chunks.chunksPerPass()); // (25 - 1) / 5
        var first = chunks.chunk(0);
        var second = chunks.chunk(1);
        assertArrayEquals(new long[] {4, 7, 5}, first.getFeatures().shape());
        for (int s = 0; s < 4; s++) {
            for (int t = 0; t < 5; t++) {
                // stream s starts at 25 s; chunk 1 starts where chunk 0 ended; labels are one step ahead
                assertEquals(1.0, first.getFeatures().getDouble(s, text[25 * s + t], t));
                assertEquals(1.0, second.getFeatures().getDouble(s, text[25 * s + 5 + t], t));
                assertEquals(1.0, first.getLabels().getDouble(s, text[25 * s + t + 1], t));
            }
        }
        assertEquals(4 * 5, first.getFeatures().sumNumber().intValue(), "one-hot");

        // The arrays are reused from the call after next: chunk 2 rewrites chunk 0's, cleanly.
        INDArray secondFeatures = second.getFeatures().dup();
        var third = chunks.chunk(2);
        assertEquals(secondFeatures, second.getFeatures(), "the previous chunk stays valid while the next is used");
        assertEquals(4 * 5, third.getFeatures().sumNumber().intValue(), "no 1s left from chunk 0");
        assertEquals(4 * 5, third.getLabels().sumNumber().intValue());
        for (int s = 0; s < 4; s++) {
            for (int t = 0; t < 5; t++) {
                assertEquals(1.0, third.getFeatures().getDouble(s, text[25 * s + 10 + t], t));
                assertEquals(1.0, third.getLabels().getDouble(s, text[25 * s + 10 + t + 1], t));
            }
        }
        assertThrows(BadInputException.class, () -> new CharChunks(text, 7, 40, 5));
    }

    @Test
    void theKnownWordShareCountsTheSamplesWordsFoundInTheCorpus() {
        TextCorpus corpus = TextCorpus.of("t.txt", "One morning, Gregor Samsa woke from troubled dreams.", 2);
        // words: "gregor", "woke", "samsa" known; "frum" and "dreamz" not; case and punctuation ignored
        assertEquals(3 / 5.0, corpus.knownWordShare("GREGOR woke, frum samsa... dreamz"), 1e-12);
        assertEquals(1.0, corpus.knownWordShare("one  MORNING"), 1e-12);
        assertTrue(Double.isNaN(corpus.knownWordShare(" 12, 34. ")), "no words: no share");
        assertEquals(List.of("über", "straße"), TextCorpus.words("Über 3 Straße!"));
    }

    @Test
    void aCorpusTheHeapCannotHoldIsRefusedSayingHowLargeAndHowToRaiseTheHeap() {
        Path file = Path.of("big.txt");
        org.rnnlab.BadInputException e = org.junit.jupiter.api.Assertions.assertThrows(
                org.rnnlab.BadInputException.class, () -> TextCorpus.refuseIfTooLarge(file, 55_000_000, 512_000_000));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("55.0 MB of text")
                && e.getMessage().contains("880 MB") && e.getMessage().contains("512 MB")
                && e.getMessage().contains("RNNLAB_JAVA_OPTS=-Xmx2g"), e.getMessage());
        TextCorpus.refuseIfTooLarge(file, 137_628, 512_000_000); // kafka.txt fits
    }
}

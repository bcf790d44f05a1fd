package org.rnnlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnnlab.plots.PngFiles;

/**
 * {@code rnnlab all --quick} ends with models/index.html: the results table and every picture,
 * by relative path, readable offline; and a real headless browser (Debian's chromium, which .ci/run
 * installs) loads every picture on it.
 */
class ReportPageTest {
    private static final Pattern SOURCES = Pattern.compile("(?:src|href)=\"([^\"]*)\"");
    private static final long BROWSER_SECONDS = 90;

    @TempDir
    static Path dir;
    static Path models;
    static CommandLineRun run;

    @BeforeAll
    static void runAllQuickly() {
        models = dir.resolve("models");
        run = CommandLineRun.run("--no-progress", "--data-dir", dir.resolve("data").toString(), "all", "--quick",
                "--out", models.toString());
    }

    private static String page() throws IOException {
        return Files.readString(models.resolve("index.html"));
    }

    private static List<String> references(String html) {
        List<String> found = new ArrayList<>();
        Matcher matcher = SOURCES.matcher(html);
        while (matcher.find()) {
            found.add(matcher.group(1));
        }
        return found;
    }

    @Test
    void aQuickRunSaysWhereItSavesAndNeverDefaultsToTheFullModels() {
        assertTrue(run.out().contains("Quick run: a few epochs per task, saved under " + models + "/"), run.out());
        assertEquals(java.nio.file.Path.of("models-quick"), AllCommand.defaultOutRoot(true));
        assertEquals(java.nio.file.Path.of("models"), AllCommand.defaultOutRoot(false));
    }

    @Test
    void thePageHasTheResultsTableAndEveryPictureAndNothingElse() throws IOException {
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().contains("Report with every picture: " + models.resolve("index.html")), run.out());
        String html = page();
        assertTrue(html.contains("<table>") && html.contains("<th>verdict</th>"), "the results table");
        List<String> references = references(html);
        List<String> pngs;
        try (Stream<Path> files = Files.walk(models)) {
            pngs = files.filter(p -> p.toString().endsWith(".png"))
                    .map(p -> models.relativize(p).toString().replace(File.separatorChar, '/')).sorted().toList();
        }
        assertEquals(pngs, references.stream().sorted().toList(), "every picture written, and only those");
        for (String reference : references) {
            assertFalse(reference.contains(":") || reference.startsWith("/") || reference.contains(".."),
                    "a relative path inside the folder, nothing fetched from elsewhere: " + reference);
            PngFiles.assertPicture(models.resolve(reference));
        }
        assertTrue(references.contains("binary-sum/weights-layer0-rw.png") && references.contains("char-rnn/loss.png")
                && references.contains("sine-wave/predictions-epoch-5.png"), references.toString());
        assertFalse(html.contains("<script") || html.contains("<link"), "no scripts or external style sheets");
    }

    @Test
    void noPageAndNoPicturesWithNoPlots() throws IOException {
        Path quiet = dir.resolve("quiet");
        CommandLineRun noPlots = CommandLineRun.run("--no-progress", "--data-dir", dir.resolve("data").toString(),
                "train", "count-up", "--epochs", "2", "--no-plots", "--out", quiet.toString());
        assertEquals(1, noPlots.code(), "2 epochs miss the floor: " + noPlots.err());
        try (Stream<Path> files = Files.list(quiet)) {
            assertEquals(List.of(".lock", "metrics.json", "model.zip"), // .lock: the folder's lock while saving
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    /** Debian's chromium where installed (.ci/run installs it); empty where none is. */
    static Optional<Path> chromium() {
        for (String folder : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            for (String name : List.of("chromium", "chromium-browser")) {
                Path candidate = Path.of(folder, name);
                if (Files.isExecutable(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }

    @Test
    void headlessChromiumLoadsEveryPicture() throws Exception {
        Optional<Path> chromium = chromium();
        assumeTrue(chromium.isPresent(), "no chromium on PATH: the browser check of index.html is skipped "
                + "(.ci/run installs Debian's chromium)");
        // The page as it is, with one script added at the end that writes, once everything has
        // loaded, how many pictures there are and which did not load into the page's DOM.
        String probe = "<script>window.addEventListener('load', function () {"
                + " var images = Array.prototype.slice.call(document.images);"
                + " var broken = images.filter(function (i) { return !(i.complete && i.naturalWidth > 0); });"
                + " document.body.setAttribute('data-images', images.length);"
                + " document.body.setAttribute('data-broken', broken.map(function (i) { return i.getAttribute('src'); }).join(' '));"
                + " });</script>";
        Path checked = models.resolve("index-browser-check.html");
        Files.writeString(checked, page().replace("</body>", probe + "</body>"));
        Path profile = Files.createDirectories(dir.resolve("chromium-profile"));
        Process browser = new ProcessBuilder(chromium.get().toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--virtual-time-budget=10000", "--dump-dom", checked.toUri().toString())
                .redirectError(dir.resolve("chromium.err").toFile()).start();
        byte[] dom = browser.getInputStream().readAllBytes();
        assertTrue(browser.waitFor(BROWSER_SECONDS, TimeUnit.SECONDS), "chromium finished");
        String html = new String(dom, StandardCharsets.UTF_8);
        Matcher images = Pattern.compile("data-images=\"(\\d+)\"").matcher(html);
        assertTrue(images.find(), "the page loaded and the check ran; chromium said:\n"
                + Files.readString(dir.resolve("chromium.err")) + "\n" + html);
        assertEquals(references(page()).size(), Integer.parseInt(images.group(1)), "every picture is on the page");
        Matcher broken = Pattern.compile("data-broken=\"([^\"]*)\"").matcher(html);
        assertTrue(broken.find(), html);
        assertEquals("", broken.group(1), "pictures that did not load");
    }
}

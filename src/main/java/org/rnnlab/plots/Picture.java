package org.rnnlab.plots;

import java.io.IOException;
import java.nio.file.Path;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BitmapEncoder.BitmapFormat;
import org.knowm.xchart.internal.chartpart.Chart;
import org.rnnlab.data.AtomicFile;

/**
 * One chart of a task's results, ready to be written as a PNG file beside its model.
 *
 * @param fileName the PNG's name inside the model folder, e.g. {@code loss.png}
 * @param caption  one sentence saying what it shows, for the HTML report
 * @param chart    the XChart chart, drawn off-screen (no display needed)
 */
public record Picture(String fileName, String caption, Chart<?, ?> chart) {

    public Picture {
        if (!fileName.matches("[a-z0-9][a-z0-9._-]*\\.png")) {
            throw new IllegalArgumentException("not a plain lower-case PNG file name: " + fileName);
        }
    }

    public int width() {
        return chart.getWidth();
    }

    public int height() {
        return chart.getHeight();
    }

    /** Writes DIR/fileName (atomically, like the model) and returns its path. */
    public Path writeTo(Path dir) throws IOException {
        Path file = dir.resolve(fileName);
        byte[] png = BitmapEncoder.getBitmapBytes(chart, BitmapFormat.PNG);
        AtomicFile.write(file, out -> out.write(png));
        return file;
    }
}

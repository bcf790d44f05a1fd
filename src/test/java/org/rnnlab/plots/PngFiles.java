package org.rnnlab.plots;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import javax.imageio.ImageIO;

/** Checks of the PNG files rnnlab writes: real PNGs, of the size their kind is drawn at, with something drawn on them. */
public final class PngFiles {
    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    private PngFiles() {
    }

    /** The size rnnlab draws a picture of this name at: heat maps 600 x 500, curves 800 x 500. */
    public static int[] expectedSize(String fileName) {
        return fileName.startsWith("weights-") ? new int[] {WeightHeatMap.WIDTH, WeightHeatMap.HEIGHT}
                : new int[] {TrainingCharts.WIDTH, TrainingCharts.HEIGHT};
    }

    /** Asserts FILE is a readable PNG of its expected size that is not blank; returns the image. */
    public static BufferedImage assertPicture(Path file) throws IOException {
        assertTrue(Files.isRegularFile(file), file + " exists");
        byte[] bytes = Files.readAllBytes(file);
        assertArrayEquals(SIGNATURE, Arrays.copyOf(bytes, SIGNATURE.length), file + " starts as a PNG");
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(bytes));
        assertNotNull(image, file + " decodes");
        int[] size = expectedSize(file.getFileName().toString());
        assertEquals(size[0], image.getWidth(), file + " width");
        assertEquals(size[1], image.getHeight(), file + " height");
        assertTrue(colours(image) >= 8, file + " has a chart drawn on it, not one flat colour ("
                + colours(image) + " colours)");
        return image;
    }

    static int colours(BufferedImage image) {
        Set<Integer> seen = new HashSet<>();
        for (int y = 0; y < image.getHeight(); y += 2) {
            for (int x = 0; x < image.getWidth(); x += 2) {
                seen.add(image.getRGB(x, y));
            }
        }
        return seen.size();
    }
}

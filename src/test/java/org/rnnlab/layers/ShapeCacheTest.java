package org.rnnlab.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ShapeCacheTest {

    @Test
    void keepsTheFourShapesUsedLastAndAllocatesOthersAgain() {
        ShapeCache<String> cache = new ShapeCache<>();
        AtomicInteger allocations = new AtomicInteger();
        String batch = cache.get(32, 7, () -> "32x7 #" + allocations.incrementAndGet());
        for (int epoch = 0; epoch < 5; epoch++) { // minibatch, short last minibatch, validation set
            assertSame(batch, cache.get(32, 7, () -> "new #" + allocations.incrementAndGet()));
            cache.get(18, 7, () -> "18x7 #" + allocations.incrementAndGet());
            cache.get(198, 7, () -> "198x7 #" + allocations.incrementAndGet());
        }
        assertEquals(3, allocations.get(), "three shapes, each allocated once");

        cache.get(1, 1, () -> "1x1");
        cache.get(2, 2, () -> "2x2"); // a fifth shape: 32x7, the least recently used, goes
        cache.get(32, 7, () -> "32x7 again #" + allocations.incrementAndGet()); // and makes 18x7 go
        assertEquals(4, allocations.get());
        assertEquals("198x7 #3", cache.get(198, 7, () -> "not this"), "198x7 was used after 18x7 and stays");
        assertEquals("18x7 again", cache.get(18, 7, () -> "18x7 again"));
    }
}

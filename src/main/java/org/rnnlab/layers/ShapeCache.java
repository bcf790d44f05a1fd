package org.rnnlab.layers;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A layer's working arrays for the last few shapes it met, most recently used kept. Training by
 * epochs meets three shapes over and over (the minibatch, the last, shorter minibatch of an epoch,
 * and the validation set), and allocating native arrays afresh at every change cost a good part of
 * the training time (measurements: docs/fast-layers.md, "Measured costs behind the layers").
 */
final class ShapeCache<V> {
    private static final int SHAPES = 4;

    private final Map<Long, V> entries = new LinkedHashMap<>(8, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, V> eldest) {
            return size() > SHAPES;
        }
    };

    /** The arrays for shape (first, second), made by {@code allocate} if they are not kept. */
    V get(long first, long second, Supplier<V> allocate) {
        long key = first << 32 | second;
        V value = entries.get(key);
        if (value == null) {
            value = allocate.get();
            entries.put(key, value);
        }
        return value;
    }
}

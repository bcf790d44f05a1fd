package org.rnnlab.layers;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A layer's working arrays for the last few shapes it met, most recently used kept. Training by
 * epochs meets three shapes over and over (the minibatch, the last, shorter minibatch of an epoch,
 * and the validation set), and allocating native arrays afresh at every change cost about a fifth
 * of binary-addition's training time.
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

package org.rnnlab.layers;

import java.util.SplittableRandom;

/**
 * Where the Java training step's dropout masks come from. DL4J's Dropout keeps each input value
 * with probability p and scales the kept ones by 1/p (inverted dropout), with a fresh mask every
 * step; {@link #bernoulli} draws such masks. Tests pass masks they can rebuild on DL4J's side.
 */
@FunctionalInterface
public interface DropoutMasks {
    /**
     * Fills one part's factors for one layer input: 0 or 1/retain per value, time-major rows
     * ({@code keep[(t * streams + b) * units + i]} for step t, the part's stream b, unit i).
     *
     * @param iteration   the network's iteration count at this step
     * @param input       which layer's input (from 1; the last is the output layer's)
     * @param firstStream the part's first stream in the minibatch
     */
    void fill(float[] keep, int iteration, int input, int firstStream, int streams, int steps, int units, float retain);

    /**
     * Independent Bernoulli(retain) draws from a generator seeded by the network's seed, the
     * iteration, the input and the part: the same masks every run for a given thread count,
     * whichever thread fills them.
     */
    static DropoutMasks bernoulli(long seed) {
        return (keep, iteration, input, firstStream, streams, steps, units, retain) -> {
            SplittableRandom random = new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * (iteration + 1))
                    ^ ((long) input << 48) ^ ((long) firstStream << 32));
            float kept = 1f / retain;
            for (int i = 0; i < keep.length; i++) {
                keep[i] = random.nextFloat() < retain ? kept : 0f;
            }
        };
    }
}

package org.rnnlab.data;

import java.util.List;

/**
 * Univariate sequences and their labels, one {@code double[]} per sequence: a feature value per
 * time step, and either a label per time step or a single label for the whole sequence.
 */
public record SequenceSet(List<double[]> features, List<double[]> labels) {
    public SequenceSet {
        if (features.size() != labels.size()) {
            throw new IllegalArgumentException(features.size() + " feature sequences but " + labels.size() + " labels");
        }
        features = List.copyOf(features);
        labels = List.copyOf(labels);
    }

    public int size() {
        return features.size();
    }
}

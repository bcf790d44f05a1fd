package org.rnnlab.nets;

import org.nd4j.linalg.learning.config.AdaGrad;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.RmsProp;

/** The gradient-descent rules a task's options can name, each as DL4J configures it. */
public enum Optimizer {
    /** Duchi et al. 2011: h += g^2; p -= lr g / (sqrt(h) + 1e-8). The seed's rule. */
    ADAGRAD,
    /** Kingma and Ba 2015, with DL4J's (and the paper's) defaults: beta1 0.9, beta2 0.999, epsilon 1e-8. */
    ADAM,
    /** Tieleman and Hinton 2012, with DL4J's defaults: decay 0.95, epsilon 1e-8. */
    RMSPROP;

    /** DL4J's configuration of this rule at {@code learningRate}. */
    public IUpdater updater(double learningRate) {
        return switch (this) {
            case ADAGRAD -> new AdaGrad(learningRate, 1e-8);
            case ADAM -> new Adam(learningRate);
            case RMSPROP -> new RmsProp(learningRate, RmsProp.DEFAULT_RMSPROP_RMSDECAY, RmsProp.DEFAULT_RMSPROP_EPSILON);
        };
    }
}

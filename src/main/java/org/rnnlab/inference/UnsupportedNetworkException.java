package org.rnnlab.inference;

/**
 * A network that {@link StepNetwork} cannot compute exactly (a layer, activation, preprocessor or
 * data type it does not know); the caller falls back to DL4J's {@code rnnTimeStep}.
 */
public class UnsupportedNetworkException extends RuntimeException {
    public UnsupportedNetworkException(String message) {
        super(message);
    }
}

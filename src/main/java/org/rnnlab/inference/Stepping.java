package org.rnnlab.inference;

/** Which code runs a network one time step at a time. */
public enum Stepping {
    /** {@link StepNetwork} where it computes the network, else DL4J's {@code rnnTimeStep}. */
    STEP_NETWORK,
    /** DL4J's own {@code rnnTimeStep}, for comparison. */
    DL4J
}

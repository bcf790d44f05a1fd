package org.rnnlab.reference;

import java.util.List;

/**
 * The recurrent cells the reference RNN computes. Every cell's weights sit in column blocks of one
 * input matrix {@code l_W} [nIn, blocks * u] and one recurrent matrix {@code l_RW} [u, blocks * u],
 * its biases in {@code l_b} [blocks * u] (and {@code l_RB}, the same size, for GRU_RESET_AFTER), so
 * that x_t W + h_{t-1} RW + b gives every block's pre-activation at once. Gates always use the
 * sigmoid; φ below is {@link ReferenceRnn.Recurrent#activation()}, the cell's other activation (tanh by
 * both libraries' defaults).
 */
public enum ReferenceCell {
    /** DL4J's SimpleRnn: h_t = φ(x_t W + h_{t-1} RW + b), one block. */
    SIMPLE(1),

    /**
     * DL4J 1.0.0-M2.1's {@code org.deeplearning4j.nn.conf.layers.LSTM} (no peepholes; GravesLSTM has
     * them): Hochreiter and Schmidhuber 1997 with the forget gate of Gers, Schmidhuber and Cummins 2000,
     * as written in DL4J's LSTMHelpers.activateHelper. Column blocks of W, RW and b, in DL4J's order:
     * <ul>
     *   <li>[0, u): the cell input g = φ(x W_g + h RW_g + b_g), with the layer's activation (DL4J calls
     *       it the "input activations");</li>
     *   <li>[u, 2u): the forget gate f = sigmoid(...), whose bias DL4J initialises to
     *       forgetGateBiasInit, 1.0 unless set (AbstractLSTM.Builder; LSTMParamInitializer fills
     *       b[u, 2u) with it, the other biases with 0);</li>
     *   <li>[2u, 3u): the output gate o = sigmoid(...);</li>
     *   <li>[3u, 4u): the input gate i = sigmoid(...) (DL4J's "input modulation gate").</li>
     * </ul>
     * c_t = f ⊙ c_{t-1} + i ⊙ g and h_t = o ⊙ φ(c_t), φ the layer's activation again. Where the
     * layer applies the feature mask (only under LastTimeStep, see
     * {@link ReferenceRnn#appliesFeatureMask(int)}), a masked step's h and c are multiplied by it, as
     * LSTMHelpers.activateHelper does.
     */
    LSTM(4),

    /**
     * Keras's GRU with {@code reset_after=False} (the default of Keras 2 before tf.keras 2), the reset
     * applied before the recurrent product as in Cho et al. 2014. Column blocks in Keras's order: [0, u)
     * the update gate z, [u, 2u) the reset gate r, [2u, 3u) the candidate h~:
     * z = sigmoid(x W_z + h_{t-1} RW_z + b_z), r = sigmoid(x W_r + h_{t-1} RW_r + b_r),
     * h~ = φ(x W_h + (r ⊙ h_{t-1}) RW_h + b_h), h_t = z ⊙ h_{t-1} + (1 - z) ⊙ h~.
     * DL4J has no GRU to take a mask rule from. rnnlab's computes a masked step as DL4J's LSTM does
     * when it is given the mask (LSTMHelpers): it outputs 0, and 0 is the state the next step starts
     * from; and it always keeps the mask, as SimpleRnn does
     * ({@link ReferenceRnn#appliesFeatureMask(int)}).
     */
    GRU(3),

    /**
     * Keras's GRU with {@code reset_after=True} (tf.keras 2's default, and cuDNN's GRU): the reset
     * gate scales the recurrent product, which has its own bias RB. Blocks as {@link #GRU}:
     * z = sigmoid(x W_z + b_z + h_{t-1} RW_z + RB_z), r = sigmoid(x W_r + b_r + h_{t-1} RW_r + RB_r),
     * h~ = φ(x W_h + b_h + r ⊙ (h_{t-1} RW_h + RB_h)), h_t = z ⊙ h_{t-1} + (1 - z) ⊙ h~.
     * Masks as {@link #GRU}.
     */
    GRU_RESET_AFTER(3);

    private final int blocks;

    ReferenceCell(int blocks) {
        this.blocks = blocks;
    }

    /** How many column blocks of u columns W, RW and the biases have. */
    public int blocks() {
        return blocks;
    }

    /** LSTM carries a cell state c beside h; the others carry h alone. */
    public boolean hasCellState() {
        return this == LSTM;
    }

    /** The bias parameters' keys (after the layer number and '_'): "b", and "RB" for a second, recurrent bias. */
    public List<String> biasKeys() {
        return this == GRU_RESET_AFTER ? List.of("b", "RB") : List.of("b");
    }

    /**
     * Parameters of a layer of u = {@code units} units over n = {@code inputs} inputs: blocks
     * (u (u + n) + u) with one bias, blocks (u (u + n) + 2u) with two (Keras's GRU counts:
     * 3 (u (u + n) + u) and 3 (u (u + n) + 2u)).
     */
    public int numParams(int inputs, int units, boolean bias) {
        return blocks * (units * (units + inputs) + (bias ? biasKeys().size() * units : 0));
    }
}

package org.rnnlab.layers;

import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.weights.IWeightInit;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The parameters of a {@link Gru} layer with u units and f inputs, as views into the layer's part of
 * the network's flattened parameter vector, in this order:
 * <ul>
 * <li>{@value #INPUT_WEIGHT_KEY}: input weights [f, 3u];</li>
 * <li>{@value #RECURRENT_WEIGHT_KEY}: recurrent weights [u, 3u];</li>
 * <li>{@value #BIAS_KEY}: input bias [1, 3u];</li>
 * <li>{@value #RECURRENT_BIAS_KEY}: recurrent bias [1, 3u], only when the layer is {@code resetAfter}.</li>
 * </ul>
 * Each matrix is stored column-major ('f'), as DL4J's own recurrent initializers store theirs, and
 * its columns are three blocks in Keras's gate order: [0, u) the update gate z, [u, 2u) the reset
 * gate r, [2u, 3u) the candidate state h~. So numParams = 3 (u (u + f) + u) without the recurrent
 * bias and 3 (u (u + f) + 2u) with it.
 *
 * <p>New weights come from the layer's weight initialisation, the recurrent ones from
 * {@code weightInitRecurrent} where it is set, with the fans Keras's initialisers use for the same
 * matrices: fan-in the rows and fan-out the columns of the whole matrix (f and 3u, u and 3u). Both
 * biases start at the layer's {@code biasInit}.
 */
public final class GruParamInitializer implements ParamInitializer {
    public static final String INPUT_WEIGHT_KEY = "W";
    public static final String RECURRENT_WEIGHT_KEY = "RW";
    public static final String BIAS_KEY = "b";
    public static final String RECURRENT_BIAS_KEY = "RB";

    private static final GruParamInitializer INSTANCE = new GruParamInitializer();
    private static final List<String> WEIGHT_KEYS = List.of(INPUT_WEIGHT_KEY, RECURRENT_WEIGHT_KEY);

    private GruParamInitializer() {
    }

    public static GruParamInitializer getInstance() {
        return INSTANCE;
    }

    private static Gru gru(Layer layer) {
        if (!(layer instanceof Gru gru)) {
            throw new IllegalArgumentException("GruParamInitializer initialises Gru layers, not "
                    + (layer == null ? "null" : layer.getClass().getSimpleName()));
        }
        return gru;
    }

    /** 3 (u (u + f) + u), plus 3u for the recurrent bias when {@code resetAfter}. */
    public static long numParams(long nIn, long units, boolean resetAfter) {
        return 3 * (units * (units + nIn) + (resetAfter ? 2 : 1) * units);
    }

    @Override
    public long numParams(NeuralNetConfiguration conf) {
        return numParams(conf.getLayer());
    }

    @Override
    public long numParams(Layer layer) {
        Gru gru = gru(layer);
        return numParams(gru.getNIn(), gru.getNOut(), gru.isResetAfter());
    }

    @Override
    public List<String> paramKeys(Layer layer) {
        List<String> keys = new ArrayList<>(WEIGHT_KEYS);
        keys.addAll(biasKeys(layer));
        return Collections.unmodifiableList(keys);
    }

    @Override
    public List<String> weightKeys(Layer layer) {
        return WEIGHT_KEYS;
    }

    @Override
    public List<String> biasKeys(Layer layer) {
        return gru(layer).isResetAfter() ? List.of(BIAS_KEY, RECURRENT_BIAS_KEY) : List.of(BIAS_KEY);
    }

    @Override
    public boolean isWeightParam(Layer layer, String key) {
        return WEIGHT_KEYS.contains(key);
    }

    @Override
    public boolean isBiasParam(Layer layer, String key) {
        return biasKeys(layer).contains(key);
    }

    @Override
    public Map<String, INDArray> init(NeuralNetConfiguration conf, INDArray paramsView, boolean initializeParams) {
        Gru gru = gru(conf.getLayer());
        Map<String, INDArray> params = views(gru, paramsView);
        if (initializeParams) {
            long nIn = gru.getNIn();
            long units = gru.getNOut();
            IWeightInit input = gru.getWeightInitFn();
            IWeightInit recurrent = gru.getWeightInitFnRecurrent() != null ? gru.getWeightInitFnRecurrent() : input;
            input.init(nIn, 3 * units, new long[] {nIn, 3 * units}, 'f', params.get(INPUT_WEIGHT_KEY));
            recurrent.init(units, 3 * units, new long[] {units, 3 * units}, 'f', params.get(RECURRENT_WEIGHT_KEY));
            for (String bias : biasKeys(gru)) {
                params.get(bias).assign(gru.getBiasInit());
            }
        }
        for (String key : params.keySet()) {
            conf.addVariable(key);
        }
        return params;
    }

    @Override
    public Map<String, INDArray> getGradientsFromFlattened(NeuralNetConfiguration conf, INDArray gradientView) {
        return views(gru(conf.getLayer()), gradientView);
    }

    /** The named views, in parameter order, into one layer's part of a flattened vector. */
    private static Map<String, INDArray> views(Gru gru, INDArray flattened) {
        long nIn = gru.getNIn();
        long units = gru.getNOut();
        long expected = numParams(nIn, units, gru.isResetAfter());
        if (flattened.length() != expected) {
            throw new IllegalStateException("a Gru of " + nIn + " inputs and " + units + " units has " + expected
                    + " parameters; the view given has " + flattened.length());
        }
        INDArray flat = flattened.reshape(flattened.length());
        Map<String, INDArray> views = new LinkedHashMap<>();
        long at = 0;
        views.put(INPUT_WEIGHT_KEY, flat.get(interval(at, at + nIn * 3 * units)).reshape('f', nIn, 3 * units));
        at += nIn * 3 * units;
        views.put(RECURRENT_WEIGHT_KEY, flat.get(interval(at, at + units * 3 * units)).reshape('f', units, 3 * units));
        at += units * 3 * units;
        for (String bias : INSTANCE.biasKeys(gru)) {
            views.put(bias, flat.get(interval(at, at + 3 * units)).reshape(1, 3 * units));
            at += 3 * units;
        }
        return views;
    }
}

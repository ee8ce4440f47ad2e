package ai.fastai4j.text.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.fastai4j.nn.Embedding;
import ai.fastai4j.nn.Module;
import ai.fastai4j.nn.Parameter;

/**
 * fastai's {@code LinearDecoder}: {@link RNNDropout} on the encoder's output, then a linear layer to the
 * vocabulary, its weight tied to the embedding matrix when an encoder is given (the same tensor: trained once,
 * listed once, under {@code 0.encoder.weight}). Weight uniform in +-0.1 when not tied, bias zero.
 */
public final class LinearDecoder extends Module {
    private final RNNDropout outputDp;
    private final Projection decoder;

    /**
     * @param tieTo the embedding whose weight the decoder shares, or null for a weight of its own
     */
    public LinearDecoder(NDManager m, int nOut, int nHid, float outputP, Embedding tieTo, boolean bias) {
        this.decoder = register("decoder", new Projection(m, nOut, nHid, tieTo, bias));
        this.outputDp = register("output_dp", new RNNDropout(outputP));
    }

    /** The dropout on the decoder's input. */
    public RNNDropout outputDp() {
        return outputDp;
    }

    /** The decoder's weight: the embedding's when tied. */
    public Parameter weight() {
        return decoder.weight;
    }

    /** The decoder's bias, or null. */
    public Parameter bias() {
        return decoder.bias;
    }

    public boolean isTied() {
        return decoder.tied;
    }

    @Override
    public NDArray forward(NDArray x) {
        return decoder.forward(outputDp.forward(x));
    }

    /** The linear layer alone, for an input whose dropout was already applied. */
    public NDArray project(NDArray dropped) {
        return decoder.forward(dropped);
    }

    /** The linear layer; owns its weight only when not tied. */
    static final class Projection extends Module {
        final Parameter weight;
        final Parameter bias;
        final boolean tied;

        Projection(NDManager m, int nOut, int nHid, Embedding tieTo, boolean bias) {
            this.tied = tieTo != null;
            if (tied) {
                Shape s = tieTo.weight().data().getShape();
                if (s.get(0) != nOut || s.get(1) != nHid) {
                    throw new IllegalArgumentException("cannot tie a (" + nOut + ", " + nHid + ") decoder to an "
                            + s + " embedding");
                }
                this.weight = tieTo.weight();
            } else {
                this.weight = parameter("weight", Parameter.Kind.WEIGHT,
                        m.randomUniform(-AwdLstm.INIT_RANGE, AwdLstm.INIT_RANGE, new Shape(nOut, nHid)));
            }
            this.bias = bias ? parameter("bias", Parameter.Kind.BIAS, m.zeros(new Shape(nOut))) : null;
        }

        @Override
        public NDArray forward(NDArray x) {
            return ai.djl.nn.core.Linear.linear(x, weight.data(), bias == null ? null : bias.data())
                    .singletonOrThrow();
        }

        @Override
        public String typeName() {
            return tied ? "Linear(tied)" : "Linear";
        }
    }
}

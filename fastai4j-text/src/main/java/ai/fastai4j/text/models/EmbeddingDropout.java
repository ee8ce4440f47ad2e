package ai.fastai4j.text.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.fastai4j.nn.Embedding;
import ai.fastai4j.nn.Module;

/**
 * fastai's {@code EmbeddingDropout}: in training, whole rows of the embedding matrix (words) are dropped with
 * probability p and the others scaled by 1/(1-p), then the tokens are looked up in that matrix. The embedding
 * is referenced, not owned (it is the AWD-LSTM's {@code encoder}), so its weight is listed once. Rows of the
 * padding token receive no gradient from the lookup, as {@code padding_idx} does in torch.
 */
public final class EmbeddingDropout extends Module {
    private final Embedding emb;
    private final float p;
    private final int padIdx;

    public EmbeddingDropout(Embedding emb, float p, int padIdx) {
        if (p < 0 || p >= 1) {
            throw new IllegalArgumentException("embedding dropout must be in [0, 1), got " + p);
        }
        this.emb = emb;
        this.p = p;
        this.padIdx = padIdx;
    }

    public float p() {
        return p;
    }

    @Override
    public NDArray forward(NDArray tokens) {
        NDArray w = emb.weight().data();
        NDArray idx = tokens.getDataType() == DataType.INT64 ? tokens : tokens.toType(DataType.INT64, false);
        NDArray weights = w;
        if (isTraining() && p != 0f) {
            weights = w.mul(RNNDropout.dropoutMask(w, new Shape(w.getShape().get(0), 1), p));
        }
        NDArray out = Embedding.lookup(idx, weights);
        if (padIdx >= 0 && isTraining() && emb.weight().isTrainable()) {
            NDArray isPad = idx.eq(padIdx);
            if (isPad.any().getBoolean()) {
                // same values, no gradient through the padding positions
                NDArray pad = isPad.expandDims(-1).toType(out.getDataType(), false);
                out = out.mul(pad.neg().add(1f)).add(out.stopGradient().mul(pad));
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return "EmbeddingDropout(p=" + p + ")";
    }
}

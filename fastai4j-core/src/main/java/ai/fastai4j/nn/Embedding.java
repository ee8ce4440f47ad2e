package ai.fastai4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.fastai4j.engine.Kernels;

/** Lookup table of {@code n} vectors of size {@code dim}; fastai's init: truncated normal, std 0.01. */
public final class Embedding extends Module {
    private final Parameter weight;

    public Embedding(NDManager m, int n, int dim) {
        NDArray w = m.truncatedNormal(0f, 0.01f, new Shape(n, dim), DataType.FLOAT32);
        this.weight = parameter("weight", Parameter.Kind.WEIGHT, w);
    }

    public Parameter weight() {
        return weight;
    }

    /** Looks up integer indices of any shape; output has one more axis of size dim. */
    @Override
    public NDArray forward(NDArray indices) {
        return lookup(indices, weight.data());
    }

    /** Rows of {@code weight} (n, dim) at integer {@code indices} of any shape (F.embedding). */
    public static NDArray lookup(NDArray indices, NDArray weight) {
        NDArray idx = indices.getDataType() == DataType.INT64 ? indices : indices.toType(DataType.INT64, false);
        return Kernels.embedding(idx, weight);
    }
}

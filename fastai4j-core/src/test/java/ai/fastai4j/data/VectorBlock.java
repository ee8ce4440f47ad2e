package ai.fastai4j.data;

import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * Test-only input block for fixed-length float vectors: items are {@code float[]} of length {@code dim}; a batch
 * collates to an (N, dim) FLOAT32 tensor of kind {@link TensorKind#CONTINUOUS}.
 */
public final class VectorBlock implements TransformBlock {
    private final int dim;

    public VectorBlock(int dim) {
        this.dim = dim;
    }

    public static VectorBlock of(int dim) {
        return new VectorBlock(dim);
    }

    public int dim() {
        return dim;
    }

    @Override
    public List<Transform<?, ?>> typeTransforms() {
        return List.of();
    }

    @Override
    public TensorKind kind() {
        return TensorKind.CONTINUOUS;
    }

    @Override
    public HostTensor collate(List<Object> values) {
        float[] out = new float[values.size() * dim];
        for (int i = 0; i < values.size(); i++) {
            float[] v = (float[]) values.get(i);
            if (v.length != dim) {
                throw new DataException("vector of length " + v.length + ", expected " + dim);
            }
            System.arraycopy(v, 0, out, i * dim, dim);
        }
        return HostTensor.ofFloats(out, new Shape(values.size(), dim), TensorKind.CONTINUOUS);
    }

    @Override
    public String name() {
        return "VectorBlock";
    }
}

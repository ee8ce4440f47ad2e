package ai.fastai4j.data;

import ai.djl.ndarray.NDArray;
import ai.fastai4j.losses.LossFunction;
import ai.fastai4j.losses.Losses;
import java.util.List;
import java.util.Optional;

/** A single-label category target: labels become class indices; loss: flattened cross-entropy. */
public final class CategoryBlock implements TransformBlock {
    private final List<String> vocab;

    private CategoryBlock(List<String> vocab) {
        this.vocab = vocab;
    }

    /** Vocabulary learned from the training labels. */
    public static CategoryBlock create() {
        return new CategoryBlock(null);
    }

    /** A fixed vocabulary (labels outside it are errors). */
    public static CategoryBlock withVocab(List<String> vocab) {
        return new CategoryBlock(List.copyOf(vocab));
    }

    @Override
    public List<Transform<?, ?>> typeTransforms() {
        return List.of(vocab == null ? new Categorize() : new Categorize(vocab));
    }

    @Override
    public TensorKind kind() {
        return TensorKind.CATEGORY;
    }

    @Override
    public HostTensor collate(List<Object> values) {
        long[] out = new long[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ((Number) values.get(i)).longValue();
        }
        return HostTensor.ofLongs(out, TensorKind.CATEGORY);
    }

    @Override
    public Optional<LossFunction> defaultLoss() {
        return Optional.of(Losses.crossEntropy());
    }

    @Override
    public Object fromTensor(NDArray tensor, int i) {
        return (int) tensor.get(i).toType(ai.djl.ndarray.types.DataType.INT64, false).getLong();
    }
}

package ai.fastai4j.data;

import ai.djl.ndarray.NDArray;
import ai.fastai4j.losses.LossFunction;
import java.util.List;
import java.util.Optional;

/**
 * What one element of a sample is (an image, a category, a number), like fastai's {@code TransformBlock}: it
 * brings the transforms that build the element from a getter's raw value, how to collate it into a batch,
 * the batch transforms it needs and, for targets, the default loss.
 */
public interface TransformBlock {

    /**
     * Fresh transforms from the raw value to the item value (e.g. path to image, label to index); they are
     * set up on the training split. A new list of new instances on every call, so each dataset owns its state.
     */
    List<Transform<?, ?>> typeTransforms();

    /** What the collated tensor holds. */
    TensorKind kind();

    /** Collates item values (outputs of the type and item transforms) into one batch tensor. */
    HostTensor collate(List<Object> values);

    /** Batch transforms this block needs (e.g. uint8 images to float). */
    default List<BatchTransform> batchTransforms() {
        return List.of();
    }

    /** The loss to use when this block is the target. */
    default Optional<LossFunction> defaultLoss() {
        return Optional.empty();
    }

    /**
     * The item value held in row {@code i} of a decoded batch tensor (e.g. a class index), to be decoded by
     * the pipeline; for targets, {@code tensor} may be a prediction after the loss's decode.
     */
    default Object fromTensor(NDArray tensor, int i) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot read values back from a tensor");
    }

    /** A short human-readable form of a decoded value (used in titles and tables). */
    default String show(Object decoded) {
        return String.valueOf(decoded);
    }

    /**
     * The kind of loader this block's data needs when it is the first input (fastai's {@code dl_type}); empty
     * for the default, which draws the split's items in (shuffled) order.
     */
    default Optional<SampleSource.Factory> loaderType() {
        return Optional.empty();
    }

    /** A short name for summaries. */
    default String name() {
        return getClass().getSimpleName();
    }
}

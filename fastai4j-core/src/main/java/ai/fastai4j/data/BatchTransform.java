package ai.fastai4j.data;

import java.util.Map;

/**
 * A transform applied to a whole batch on the engine (type conversion, normalisation, GPU-style
 * augmentation). It looks at {@link TensorKind}s to decide which tensors to touch.
 */
public interface BatchTransform {

    /** Transforms the batch; random transforms act on {@link Split#TRAIN} only. */
    Batch encode(Batch batch, Split split);

    /** Reverses the transform where that makes sense (for showing batches); identity by default. */
    default Batch decode(Batch batch) {
        return batch;
    }

    default String name() {
        return getClass().getSimpleName();
    }

    /** Parameters that fully describe this transform (for export); empty if it has none. */
    default Map<String, Object> params() {
        return Map.of();
    }
}

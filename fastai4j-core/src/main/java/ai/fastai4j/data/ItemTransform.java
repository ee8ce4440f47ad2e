package ai.fastai4j.data;

import java.util.List;
import java.util.Random;

/**
 * A transform applied to a whole sample (inputs and targets together) on the loader threads, such as a
 * resize or a random crop. Random choices are drawn once per sample from {@code rng} so that an image and its
 * mask get the same crop. Elements of types it does not handle pass through unchanged.
 */
public interface ItemTransform {

    /** Transforms one sample; returns a new list (the input list must not be modified). */
    List<Object> apply(List<Object> sample, Split split, Random rng);

    /** A readable name for summaries and errors. */
    default String name() {
        return getClass().getSimpleName();
    }

    /** Parameters that fully describe this transform (for export); empty if it has none. */
    default java.util.Map<String, Object> params() {
        return java.util.Map.of();
    }
}

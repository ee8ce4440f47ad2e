package ai.fastai4j.data;

import ai.djl.ndarray.NDArray;
import java.awt.image.BufferedImage;

/** Implemented by blocks whose batch tensors can be drawn (images, masks), for {@code showBatch}. */
public interface ImageRenderer {
    /** Draws element {@code i} of a batch tensor after the batch transforms were decoded. */
    BufferedImage render(NDArray decodedBatchTensor, int i);
}

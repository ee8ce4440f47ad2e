package ai.fastai4j.vision;

import ai.fastai4j.data.DataLoaders;
import ai.fastai4j.data.ItemTransform;
import ai.fastai4j.data.Split;
import ai.fastai4j.vision.augment.RandomResizedCrop;
import java.util.List;
import java.util.Random;

/**
 * Makes a vision learner's input size part of its data pipeline, so that an exported model resizes what it is
 * given as in training. Data without a resize step trains on images that all have one size (a batch needs it); a
 * {@link Resize#squish squish} to that size is appended to the item transforms (nothing changes in training, where
 * every image already has that size), goes into the exported manifest, and at inference an image of another size
 * (an 8x8 icon for a 32x32 model, a 2000x2000 photo) is resized to it rather than run through the network at its
 * own size.
 */
final class TrainingSize {
    private TrainingSize() {}

    /** Appends a resize to the first training image's size unless the item transforms already fix the size. */
    static void fix(DataLoaders dls) {
        List<ItemTransform> tfms = dls.itemTransforms();
        if (tfms.stream().anyMatch(t -> t instanceof Resize || t instanceof RandomResizedCrop)) {
            return;
        }
        int[] train = dls.datasets().split().train();
        List<Object> sample = dls.datasets().sample(train[0]);
        Random rng = new Random(0);
        for (ItemTransform t : tfms) {
            sample = t.apply(sample, Split.VALID, rng);
        }
        if (sample.get(0) instanceof Image img) {
            dls.addItemTransform(Resize.of(img.height(), img.width(), Resize.Method.SQUISH));
        }
    }
}

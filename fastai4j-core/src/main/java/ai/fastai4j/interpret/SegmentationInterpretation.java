package ai.fastai4j.interpret;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.fastai4j.data.Batch;
import ai.fastai4j.data.DataLoader;
import ai.fastai4j.data.ImageRenderer;
import ai.fastai4j.data.TensorKind;
import ai.fastai4j.engine.NoGrad;
import ai.fastai4j.learner.Learner;
import ai.fastai4j.learner.Preds;
import ai.fastai4j.plot.Heatmaps;
import ai.fastai4j.plot.ImageGrid;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * fastai's {@code SegmentationInterpretation}: the validation images whose masks the model got most wrong (highest
 * per-image loss), with their pixel accuracy, and a picture of each with its target and predicted masks.
 */
public final class SegmentationInterpretation {
    /**
     * One image among the top losses.
     *
     * @param index its row in the predictions
     * @param loss its loss (the loss function's per-item value: mean over pixels for cross-entropy)
     * @param pixelAccuracy share of its pixels predicted right
     * @param item a readable name (its file)
     */
    public record TopLoss(int index, double loss, double pixelAccuracy, String item) {}

    private final Learner learn;
    private final DataLoader dl;
    private final float[] losses;
    private final float[] pixelAcc;
    private final int[] itemIndices;

    private SegmentationInterpretation(Learner learn, DataLoader dl, float[] losses, float[] pixelAcc,
            int[] itemIndices) {
        this.learn = learn;
        this.dl = dl;
        this.losses = losses;
        this.pixelAcc = pixelAcc;
        this.itemIndices = itemIndices;
    }

    /** Interprets {@code learn}'s predictions on its validation set. */
    public static SegmentationInterpretation fromLearner(Learner learn) {
        return fromLearner(learn, learn.dls().valid());
    }

    /**
     * Interprets {@code learn}'s predictions on {@code dl}, whose targets must be masks.
     *
     * @throws IllegalArgumentException when the target is not a mask or the loader has no targets
     */
    public static SegmentationInterpretation fromLearner(Learner learn, DataLoader dl) {
        var blocks = learn.dls().datasets().blocks();
        int nInputs = learn.dls().datasets().nInputs();
        if (blocks.size() != nInputs + 1 || blocks.get(nInputs).kind() != TensorKind.MASK) {
            throw new IllegalArgumentException("SegmentationInterpretation needs one mask target");
        }
        try (Preds p = learn.getPreds(dl)) {
            if (p.targets() == null) {
                throw new IllegalArgumentException("the loader has no targets to compare the predictions with");
            }
            long n = p.targets().getShape().get(0);
            NDArray right = p.decoded().toType(DataType.INT64, false).eq(p.targets().toType(DataType.INT64, false))
                    .toType(DataType.FLOAT32, false).reshape(n, -1).mean(new int[] {1});
            return new SegmentationInterpretation(learn, dl, p.losses().toType(DataType.FLOAT32, false).toFloatArray(),
                    right.toFloatArray(), p.itemIndices());
        }
    }

    public int size() {
        return losses.length;
    }

    /** Per image, its loss. */
    public float[] losses() {
        return losses.clone();
    }

    /** The {@code k} images with the highest losses, highest first (ties by index). */
    public List<TopLoss> topLosses(int k) {
        Integer[] order = new Integer[losses.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> {
            int c = Float.compare(losses[b], losses[a]);
            return c != 0 ? c : Integer.compare(a, b);
        });
        List<TopLoss> out = new ArrayList<>();
        for (int r = 0; r < Math.min(k, order.length); r++) {
            int i = order[r];
            out.add(new TopLoss(i, losses[i], pixelAcc[i], dl.describe(itemIndices[i])));
        }
        return out;
    }

    /**
     * fastai's {@code plot_top_losses}: for each of the {@code k} worst images, the picture with its target mask
     * and with the predicted mask, titled with the loss and pixel accuracy.
     */
    public Path plotTopLosses(int k, Path png) {
        List<TopLoss> top = topLosses(k);
        if (top.isEmpty()) {
            throw new IllegalArgumentException("no items to draw");
        }
        if (!(dl.blocks().get(0) instanceof ImageRenderer pictures)
                || !(dl.blocks().get(dl.nInputs()) instanceof ImageRenderer masks)) {
            throw new UnsupportedOperationException("plotTopLosses draws image inputs and mask targets");
        }
        List<BufferedImage> images = new ArrayList<>();
        List<String> titles = new ArrayList<>();
        int[] idx = top.stream().mapToInt(t -> itemIndices[t.index()]).toArray();
        boolean wasTraining = learn.model().isTraining();
        learn.model().eval();
        try (NoGrad ng = NoGrad.enter(); NDManager m = NDManager.newBaseManager(); NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            Batch b = dl.toBatch(dl.batchOf(idx), m);
            NDArray decoded = learn.lossFunction().decode(learn.lossFunction().activation(learn.model().call(b.xb())));
            Batch shown = dl.decodeBatch(b);
            for (int j = 0; j < top.size(); j++) {
                BufferedImage picture = pictures.render(shown.inputs().get(0), j);
                images.add(Heatmaps.overlayMask(picture, masks.render(b.targets().get(0), j)));
                titles.add(String.format(Locale.ROOT, "target\nloss %.3f", top.get(j).loss()));
                images.add(Heatmaps.overlayMask(picture, masks.render(decoded, j)));
                titles.add(String.format(Locale.ROOT, "prediction\n%.1f%% pixels right",
                        100 * top.get(j).pixelAccuracy()));
            }
        } finally {
            learn.model().train(wasTraining);
        }
        return ImageGrid.write(images, titles, 2, 128, Objects.requireNonNull(png, "png"));
    }
}

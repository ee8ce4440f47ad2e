package ai.fastai4j.learner;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.fastai4j.data.Batch;
import ai.fastai4j.data.DataLoader;
import ai.fastai4j.data.Datasets;
import ai.fastai4j.data.HostBatch;
import ai.fastai4j.data.ImageRenderer;
import ai.fastai4j.data.TransformBlock;
import ai.fastai4j.engine.NoGrad;
import ai.fastai4j.plot.ImageGrid;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** fastai's {@code show_results}: items of a loader with their target and the model's prediction. */
final class ResultsView {
    /** matplotlib's "green" and "red", the colours fastai gives right and wrong predictions. */
    static final Color RIGHT = new Color(0x008000);
    static final Color WRONG = new Color(0xff0000);

    private ResultsView() {}

    static Path write(Learner learn, DataLoader dl, int n, Path out) {
        if (n < 1) {
            throw new IllegalArgumentException("n must be at least 1, got " + n);
        }
        Datasets<?> ds = learn.dls().datasets();
        int nInputs = ds.nInputs();
        TransformBlock xBlock = ds.blocks().get(0);
        if (!(xBlock instanceof ImageRenderer renderer)) {
            throw new UnsupportedOperationException("showResults draws image inputs; " + xBlock.name() + " is not one");
        }
        if (ds.blocks().size() <= nInputs) {
            throw new IllegalArgumentException("showResults needs data with a target");
        }
        TransformBlock yBlock = ds.blocks().get(nInputs);
        List<BufferedImage> images = new ArrayList<>();
        List<String> titles = new ArrayList<>();
        List<Color> colors = new ArrayList<>();
        boolean wasTraining = learn.model().isTraining();
        NoGrad noGrad = NoGrad.enter();
        learn.model().eval();
        try (DataLoader.EpochIterator it = dl.epoch()) {
            while (it.hasNext() && images.size() < n) {
                HostBatch hb = it.next();
                try (NDManager m = NDManager.newBaseManager(); NDScope scope = new NDScope()) {
                    scope.suppressNotUsedWarning();
                    Batch b = dl.toBatch(hb, m);
                    if (b.targets().isEmpty()) {
                        throw new IllegalArgumentException("showResults needs a loader with targets");
                    }
                    NDArray decoded = learn.lossFunction().decode(learn.lossFunction().activation(
                            learn.model().call(b.xb())));
                    Batch shown = dl.decodeBatch(b);
                    if (yBlock instanceof ImageRenderer masks) { // segmentation: the masks over the picture
                        for (int i = 0; i < hb.size() && images.size() < 2 * n; i++) {
                            BufferedImage picture = renderer.render(shown.inputs().get(0), i);
                            images.add(overlay(picture, masks.render(b.targets().get(0), i)));
                            titles.add("target");
                            colors.add(Color.BLACK);
                            images.add(overlay(picture, masks.render(decoded, i)));
                            titles.add("prediction");
                            colors.add(Color.BLACK);
                        }
                        continue;
                    }
                    for (int i = 0; i < hb.size() && images.size() < n; i++) {
                        Object actual = ds.decode(nInputs, yBlock.fromTensor(b.targets().get(0), i));
                        Object predicted = ds.decode(nInputs, yBlock.fromTensor(decoded, i));
                        images.add(renderer.render(shown.inputs().get(0), i));
                        titles.add(yBlock.show(actual) + "\n" + yBlock.show(predicted));
                        colors.add(Objects.equals(actual, predicted) ? RIGHT : WRONG);
                    }
                }
            }
        } finally {
            learn.model().train(wasTraining);
            noGrad.close();
        }
        if (images.isEmpty()) {
            throw new IllegalArgumentException("the loader has no items to show");
        }
        int cols = yBlock instanceof ImageRenderer ? 2 : (int) Math.ceil(Math.sqrt(images.size()));
        return ImageGrid.write(images, titles, colors, cols, 128, out);
    }

    static BufferedImage overlay(BufferedImage picture, BufferedImage mask) {
        return ai.fastai4j.plot.Heatmaps.overlayMask(picture, mask);
    }
}

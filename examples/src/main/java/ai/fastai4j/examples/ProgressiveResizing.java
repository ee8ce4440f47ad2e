package ai.fastai4j.examples;

import ai.djl.engine.Engine;
import ai.fastai4j.data.DataLoaders;
import ai.fastai4j.data.external.ExternalData;
import ai.fastai4j.data.external.URLs;
import ai.fastai4j.learner.Learner;
import ai.fastai4j.metrics.Metrics;
import ai.fastai4j.vision.ImageDataLoaders;
import ai.fastai4j.vision.Resize;
import ai.fastai4j.vision.VisionLearners;
import ai.fastai4j.vision.models.Arch;
import java.nio.file.Path;

/**
 * Progressive resizing (fastai book, chapter 7): train the same learner first on small images, which is fast, then
 * swap in the full-size data and go on. Compared with the same number of epochs at full size only.
 *
 * <pre>
 * examples/run ProgressiveResizing [--small 14] [--large 28] [--small-epochs 3] [--large-epochs 2] [--lr 3e-3]
 *     [--large-lr LR (default: --lr)] [--baseline false]
 * </pre>
 *
 * Data: the Fashion-MNIST sample shipped with fastai4j (5,000 train, 1,000 valid).
 */
public final class ProgressiveResizing {
    private ProgressiveResizing() {}

    public static void main(String[] argv) throws Exception {
        int small = 14;
        int large = 28;
        int smallEpochs = 3;
        int largeEpochs = 2;
        double lr = 3e-3;
        double largeLr = Double.NaN;
        boolean baseline = true;
        for (int i = 0; i + 1 < argv.length; i += 2) {
            switch (argv[i]) {
                case "--small" -> small = Integer.parseInt(argv[i + 1]);
                case "--large" -> large = Integer.parseInt(argv[i + 1]);
                case "--small-epochs" -> smallEpochs = Integer.parseInt(argv[i + 1]);
                case "--large-epochs" -> largeEpochs = Integer.parseInt(argv[i + 1]);
                case "--lr" -> lr = Double.parseDouble(argv[i + 1]);
                case "--large-lr" -> largeLr = Double.parseDouble(argv[i + 1]);
                case "--baseline" -> baseline = Boolean.parseBoolean(argv[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + argv[i]);
            }
        }
        Path path = ExternalData.untarData(URLs.FASHION_MNIST_SAMPLE);

        Engine.getInstance().setRandomSeed(42);
        long t0 = System.nanoTime();
        double progressive;
        try (DataLoaders smallDls = data(path, small);
                DataLoaders largeDls = data(path, large);
                Learner learn = VisionLearners.builder(smallDls, Arch.SMALL_RESNET).pretrained(false)
                        .metrics(Metrics.accuracy()).build()) {
            System.out.printf("%d epochs at %dx%d:%n", smallEpochs, small, small);
            learn.fitOneCycle(smallEpochs, lr);
            learn.setDls(largeDls); // same model, now on full-size images
            System.out.printf("then %d epochs at %dx%d:%n", largeEpochs, large, large);
            learn.fitOneCycle(largeEpochs, Double.isNaN(largeLr) ? lr : largeLr);
            progressive = learn.recorder().values().get(largeEpochs - 1).get(2);
        }
        double progressiveSeconds = (System.nanoTime() - t0) / 1e9;

        if (!baseline) {
            System.out.printf("%nprogressive %d->%d: accuracy %.2f%% in %.0f s%n", small, large, 100 * progressive,
                    progressiveSeconds);
            return;
        }
        Engine.getInstance().setRandomSeed(42);
        t0 = System.nanoTime();
        double fullOnly;
        try (DataLoaders dls = data(path, large);
                Learner learn = VisionLearners.builder(dls, Arch.SMALL_RESNET).pretrained(false)
                        .metrics(Metrics.accuracy()).build()) {
            System.out.printf("baseline: %d epochs at %dx%d:%n", smallEpochs + largeEpochs, large, large);
            learn.fitOneCycle(smallEpochs + largeEpochs, lr);
            fullOnly = learn.recorder().values().get(smallEpochs + largeEpochs - 1).get(2);
        }
        double fullSeconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("%nprogressive %d->%d: accuracy %.2f%% in %.0f s; %dx%d only: %.2f%% in %.0f s%n", small,
                large, 100 * progressive, progressiveSeconds, large, large, 100 * fullOnly, fullSeconds);
    }

    private static DataLoaders data(Path path, int size) {
        return ImageDataLoaders.fromFolder(path).grey().batchSize(64).itemTfms(Resize.squish(size)).build();
    }
}

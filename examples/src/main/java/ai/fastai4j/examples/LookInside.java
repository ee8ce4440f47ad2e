package ai.fastai4j.examples;

import ai.djl.engine.Engine;
import ai.fastai4j.data.DataLoaders;
import ai.fastai4j.data.external.ExternalData;
import ai.fastai4j.data.external.URLs;
import ai.fastai4j.callback.ActivationStats;
import ai.fastai4j.interpret.Cam;
import ai.fastai4j.interpret.ClassificationInterpretation;
import ai.fastai4j.learner.Learner;
import ai.fastai4j.learner.Prediction;
import ai.fastai4j.metrics.Metrics;
import ai.fastai4j.vision.ImageDataLoaders;
import ai.fastai4j.vision.ImageFiles;
import ai.fastai4j.vision.VisionLearners;
import ai.fastai4j.vision.models.Arch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Looking inside a CNN (fastai's lessons on hooks and CAM), on the quickstart's data and model: the bundled
 * Fashion-MNIST sample, a small ResNet trained with {@code fit_one_cycle}, and
 * <ul>
 *   <li>{@code learn.summary()}: every layer, those inside the residual blocks included (forward hooks);
 *   <li>{@link ActivationStats}: mean, std and % near zero of each layer's activations over training, and the
 *       "colorful dimension" histogram plot;
 *   <li>Grad-CAM heat maps of 6 validation images (for their predicted class) and of the top losses.
 * </ul>
 *
 * <pre>examples/run LookInside [--epochs 2] [--lr 3e-3] [--seed 42] [--out look-inside]</pre>
 */
public final class LookInside {
    private LookInside() {}

    public static void main(String[] argv) throws Exception {
        int epochs = 2;
        double lr = 3e-3;
        long seed = 42;
        Path out = Path.of("look-inside");
        for (int i = 0; i + 1 < argv.length; i += 2) {
            switch (argv[i]) {
                case "--epochs" -> epochs = Integer.parseInt(argv[i + 1]);
                case "--lr" -> lr = Double.parseDouble(argv[i + 1]);
                case "--seed" -> seed = Long.parseLong(argv[i + 1]);
                case "--out" -> out = Path.of(argv[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + argv[i]);
            }
        }
        Files.createDirectories(out);
        Engine.getInstance().setRandomSeed((int) seed);
        Path data = ExternalData.untarData(URLs.FASHION_MNIST_SAMPLE);
        ActivationStats stats = ActivationStats.withHist();
        try (DataLoaders dls = ImageDataLoaders.fromFolder(data).grey().batchSize(64).seed(seed).build();
                Learner learn = VisionLearners.create(dls, Arch.SMALL_RESNET, b -> b.path(Path.of("."))
                        .callbacks(stats), Metrics.accuracy())) {
            System.out.println(learn.summary());
            long t0 = System.nanoTime();
            learn.fitOneCycle(epochs, lr);
            System.out.printf("fit_one_cycle(%d, %.0e) in %.0f s%n", epochs, lr, (System.nanoTime() - t0) / 1e9);

            List<String> layers = stats.layerNames();
            System.out.println("ActivationStats hooked " + layers.size() + " layers over " + stats.stats().size()
                    + " training batches");
            int[] shown = {0, layers.size() / 2, layers.size() - 2};
            for (int idx : shown) {
                double[][] s = stats.layerStats(idx);
                int last = s[0].length - 1;
                System.out.printf("  %-32s first batch mean %.3f std %.3f near-zero %.1f%%; last batch mean %.3f std"
                        + " %.3f near-zero %.1f%%%n", layers.get(idx), s[0][0], s[1][0], 100 * s[2][0], s[0][last],
                        s[1][last], 100 * s[2][last]);
                System.out.println("    " + stats.plotLayerStats(idx, out.resolve("layer_stats_" + idx + ".png")));
                System.out.println("    " + stats.colorDim(idx, out.resolve("color_dim_" + idx + ".png")));
            }

            List<Path> valid = ImageFiles.recursive(data.resolve("valid"));
            for (int k = 0; k < 6; k++) {
                Path img = valid.get(k * valid.size() / 6);
                Prediction p = learn.predict(img);
                int cls = dls.vocab().indexOf(String.valueOf(p.label()));
                Cam.Heatmap h = Cam.gradCam(learn, img, cls);
                Path png = h.writePng(out.resolve("gradcam_" + k + ".png"));
                System.out.printf("Grad-CAM %s: %s predicted %s (%.2f), peak at %s -> %s%n", img.getFileName(),
                        img.getParent().getFileName(), p.label(), p.maxProb(),
                        java.util.Arrays.toString(h.peak()), png);
            }
            ClassificationInterpretation interp = ClassificationInterpretation.fromLearner(learn);
            System.out.println("top losses with Grad-CAM: "
                    + interp.plotTopLossesCam(learn, 9, out.resolve("top_losses_gradcam.png")));
        }
    }
}

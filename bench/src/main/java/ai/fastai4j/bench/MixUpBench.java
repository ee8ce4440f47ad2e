package ai.fastai4j.bench;

import ai.fastai4j.Fastai4j;
import ai.fastai4j.callback.MixUp;
import ai.fastai4j.data.DataLoaderOptions;
import ai.fastai4j.data.DataLoaders;
import ai.fastai4j.learner.Callback;
import ai.fastai4j.learner.Learner;
import ai.fastai4j.metrics.Metrics;
import ai.fastai4j.optim.Slice;
import ai.fastai4j.vision.ImageDataLoaders;
import ai.fastai4j.vision.VisionLearners;
import ai.fastai4j.vision.models.Arch;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * MixUp on Fashion-MNIST: the small ResNet trained with one cycle for {@code --epochs} (20 by default) on the
 * training split, validated on the full test split, once without and once with {@link MixUp} (same seed, same
 * budget); prints each epoch and the best and final test accuracy of both (fastai's published ResNet-18 figure
 * on Fashion-MNIST is about 94.9%). MixUp needs longer schedules to pay off, as fastai's docs say.
 */
public final class MixUpBench {
    private MixUpBench() {}

    static final String USAGE = """
            MixUpBench: accuracy with and without MixUp on Fashion-MNIST
              --data DIR      folder with the four IDX .gz files (default: see FashionData)
              --epochs N      epochs of one cycle (default 20)
              --images N      training images (default 60000)
              --valid N       test images used for validation (default 10000)
              --bs N          batch size (default 256)
              --lr X          maximum learning rate (default 1e-2)
              --alpha X       MixUp's alpha (default 0.4)
              --workers N     loader threads (default 1)
              --seed N        seed (default 42)
            """;

    public static void main(String[] args) throws Exception {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("data", null);
        d.put("epochs", "20");
        d.put("images", "60000");
        d.put("valid", "10000");
        d.put("bs", "256");
        d.put("lr", "1e-2");
        d.put("alpha", "0.4");
        d.put("workers", "1");
        d.put("seed", "42");
        BenchArgs a = BenchArgs.parse(args, d, USAGE);
        FashionData data = FashionData.load(a.string("data"), a.integer("images"), a.integer("valid"));
        System.out.printf(Locale.ROOT, "fastai4j MixUpBench  %s%n", a);
        double[] plain = train(data, a, false);
        double[] mixed = train(data, a, true);
        System.out.printf(Locale.ROOT, "RESULT side=fastai4j epochs=%d plain_best=%.4f plain_final=%.4f"
                        + " mixup_best=%.4f mixup_final=%.4f%n", a.integer("epochs"), plain[0], plain[1], mixed[0],
                mixed[1]);
    }

    /** Best and final validation accuracy of one training. */
    static double[] train(FashionData data, BenchArgs a, boolean mixup) {
        Fastai4j.setSeed(a.integer("seed"));
        DataLoaderOptions opts = DataLoaderOptions.defaults(a.integer("bs")).withWorkers(a.integer("workers"))
                .withSeed(a.integer("seed"));
        try (DataLoaders dls = ImageDataLoaders.fromImages(data.trainImages, data.trainLabels, data.validImages,
                data.validLabels, opts, List.of(), List.of());
                Learner learn = VisionLearners.builder(dls, Arch.SMALL_RESNET).pretrained(false)
                        .learner(b -> b.progress(false)).metrics(Metrics.accuracy()).build()) {
            Callback[] cbs = mixup ? new Callback[] {new MixUp(a.real("alpha"))} : new Callback[0];
            learn.fitOneCycle(a.integer("epochs"), Slice.all(a.real("lr")), 25, 1e5, 0.25, cbs);
            List<List<Double>> values = learn.recorder().values();
            double best = 0;
            for (int e = 0; e < values.size(); e++) {
                List<Double> row = values.get(e);
                best = Math.max(best, row.get(2));
                System.out.printf(Locale.ROOT, "%s epoch %d: train_loss %.4f valid_loss %.4f accuracy %.4f%n",
                        mixup ? "mixup" : "plain", e, row.get(0), row.get(1), row.get(2));
            }
            return new double[] {best, values.get(values.size() - 1).get(2)};
        }
    }
}

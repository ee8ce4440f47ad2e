package ai.fastai4j.bench;

import ai.djl.engine.Engine;
import ai.fastai4j.data.DataLoaderOptions;
import ai.fastai4j.data.DataLoaders;
import ai.fastai4j.learner.Learner;
import ai.fastai4j.metrics.Metrics;
import ai.fastai4j.engine.NativeMemory;
import ai.fastai4j.vision.ImageDataLoaders;
import ai.fastai4j.vision.VisionLearners;
import ai.fastai4j.vision.models.Arch;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Soak run: one learner trains epoch after epoch (the small ResNet on Fashion-MNIST by default) for
 * {@code --minutes}, the process's resident memory is sampled every {@code --sample} seconds, and the least-squares
 * slope of RSS over time is reported (MiB per hour), over all samples and over the samples after the first
 * {@code --warmup} minutes. A flat native memory shows as a slope near zero. Every sample is printed as it is
 * taken ({@code SAMPLE minute=... rss_mb=...}), so a run cut short still tells its slope so far.
 */
public final class SoakBench {
    private SoakBench() {}

    static final String USAGE = """
            SoakBench: resident memory of a long training
              --data DIR      folder with the four IDX .gz files (default: see FashionData)
              --minutes N     how long to train (default 60)
              --sample S      seconds between RSS samples (default 60)
              --warmup N      minutes left out of the steady slope (default 5)
              --images N      training images (default 60000)
              --valid N       validation images (default 10000)
              --bs N          batch size (default 256)
              --lr X          learning rate of each epoch's one cycle (default 1e-2)
              --arch NAME     fastai4j Arch (default SMALL_RESNET)
              --workers N     loader threads (default 1)
              --seed N        seed (default 42)
            """;

    public static void main(String[] args) throws Exception {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("data", null);
        d.put("minutes", "60");
        d.put("sample", "60");
        d.put("warmup", "5");
        d.put("images", "60000");
        d.put("valid", "10000");
        d.put("bs", "256");
        d.put("lr", "1e-2");
        d.put("arch", "SMALL_RESNET");
        d.put("workers", "1");
        d.put("seed", "42");
        BenchArgs a = BenchArgs.parse(args, d, USAGE);
        FashionData data = FashionData.load(a.string("data"), a.integer("images"), a.integer("valid"));
        Engine.getInstance().setRandomSeed(a.integer("seed"));
        System.out.printf(Locale.ROOT, "fastai4j SoakBench  %s%n", a);
        long start = System.nanoTime();
        long end = start + (long) (a.real("minutes") * 60e9);
        List<double[]> samples = java.util.Collections.synchronizedList(new ArrayList<>());
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "rss-sampler");
            t.setDaemon(true);
            return t;
        });
        sampler.scheduleAtFixedRate(() -> {
            double minute = (System.nanoTime() - start) / 60e9;
            double mib = NativeMemory.residentBytes() / 1048576.0;
            samples.add(new double[] {minute, mib});
            System.out.printf(Locale.ROOT, "SAMPLE minute=%.2f rss_mb=%.1f%n", minute, mib);
        }, 0, a.integer("sample"), TimeUnit.SECONDS);
        Arch arch = Arch.valueOf(a.string("arch").toUpperCase(Locale.ROOT));
        DataLoaderOptions opts = DataLoaderOptions.defaults(a.integer("bs")).withWorkers(a.integer("workers"))
                .withSeed(a.integer("seed"));
        int epochs = 0;
        try (DataLoaders dls = ImageDataLoaders.fromImages(data.trainImages, data.trainLabels, data.validImages,
                data.validLabels, opts, List.of(), List.of());
                Learner learn = VisionLearners.builder(dls, arch).pretrained(false)
                        .learner(b -> b.progress(false)).metrics(Metrics.accuracy()).build()) {
            while (System.nanoTime() < end) {
                learn.fitOneCycle(1, a.real("lr"));
                List<Double> row = learn.recorder().values().get(0);
                epochs++;
                System.out.printf(Locale.ROOT, "epoch %d: train_loss %.4f valid_loss %.4f accuracy %.4f, RSS %d MiB%n",
                        epochs, row.get(0), row.get(1), row.get(2), NativeMemory.residentBytes() >> 20);
            }
        }
        sampler.shutdownNow();
        List<double[]> all = new ArrayList<>(samples);
        List<double[]> steady = all.stream().filter(s -> s[0] >= a.real("warmup")).toList();
        System.out.printf(Locale.ROOT, "RESULT side=fastai4j soak_minutes=%.1f epochs=%d samples=%d"
                        + " slope_all_mb_per_hour=%.2f slope_steady_mb_per_hour=%.2f rss_first_mb=%.0f rss_last_mb=%.0f"
                        + " rss_max_mb=%.0f%n", (System.nanoTime() - start) / 60e9, epochs, all.size(),
                slopePerHour(all), slopePerHour(steady), all.isEmpty() ? Double.NaN : all.get(0)[1],
                all.isEmpty() ? Double.NaN : all.get(all.size() - 1)[1],
                all.stream().mapToDouble(s -> s[1]).max().orElse(Double.NaN));
    }

    /** Least-squares slope of (minute, MiB) points, in MiB per hour; NaN for fewer than two points. */
    static double slopePerHour(List<double[]> pts) {
        int n = pts.size();
        if (n < 2) {
            return Double.NaN;
        }
        double mx = pts.stream().mapToDouble(p -> p[0]).average().orElseThrow();
        double my = pts.stream().mapToDouble(p -> p[1]).average().orElseThrow();
        double sxy = 0;
        double sxx = 0;
        for (double[] p : pts) {
            sxy += (p[0] - mx) * (p[1] - my);
            sxx += (p[0] - mx) * (p[0] - mx);
        }
        return sxx == 0 ? Double.NaN : sxy / sxx * 60;
    }
}

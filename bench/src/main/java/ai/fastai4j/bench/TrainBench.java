package ai.fastai4j.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.fastai4j.data.Batch;
import ai.fastai4j.data.DataLoader;
import ai.fastai4j.data.DataLoaderOptions;
import ai.fastai4j.data.DataLoaders;
import ai.fastai4j.data.HostBatch;
import ai.fastai4j.engine.NativeMemory;
import ai.fastai4j.engine.Torch;
import ai.fastai4j.learner.Learner;
import ai.fastai4j.metrics.Metrics;
import ai.fastai4j.vision.ImageDataLoaders;
import ai.fastai4j.vision.VisionLearners;
import ai.fastai4j.vision.models.Arch;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Trains a vision learner on Fashion-MNIST with {@code fitOneCycle} and reports training throughput (training
 * images per second of the training phase, validation timed apart), the step broken into phases (see
 * {@link PhaseTimer}), the data pipeline alone (loader threads + {@code toBatch}, no model), resident memory after
 * the first and the last epoch, and the final validation accuracy. Lines starting with {@code RESULT} are for
 * {@code bench/run-train-bench.sh}. Its PyTorch twin is {@code bench/python/train_twin.py}.
 *
 * <pre>
 * java -cp ... ai.fastai4j.bench.TrainBench --images 60000 --epochs 1 --bs 256 [--data DIR]
 * </pre>
 */
public final class TrainBench {
    private TrainBench() {}

    static final String USAGE = """
            TrainBench: fastai4j training throughput on Fashion-MNIST
              --data DIR      folder with the four IDX .gz files (default: ../shared/data/fashion-mnist, FASTAI4J_DATA,
                              or Debian's dataset-fashion-mnist)
              --images N      training images, the first N of the training file (default 60000)
              --valid N       validation images, the first N of the test file (default 10000)
              --epochs N      epochs of fitOneCycle (default 1)
              --bs N          batch size (default 256)
              --lr X          maximum learning rate of the cycle (default 1e-2)
              --arch NAME     fastai4j Arch (default SMALL_RESNET)
              --workers N     loader threads (default 1)
              --seed N        seed of the weights and of shuffling (default 42)
              --pipeline 0|1  also time the data pipeline alone after training (default 1)
            """;

    public static void main(String[] args) throws Exception {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("data", null);
        d.put("images", "60000");
        d.put("valid", "10000");
        d.put("epochs", "1");
        d.put("bs", "256");
        d.put("lr", "1e-2");
        d.put("arch", "SMALL_RESNET");
        d.put("workers", "1");
        d.put("seed", "42");
        d.put("pipeline", "1");
        BenchArgs a = BenchArgs.parse(args, d, USAGE);
        boolean tuned = NativeMemory.requested() && NativeMemory.tuneMalloc(); // -Dfastai4j.malloc.tune=true
        Arch arch = Arch.valueOf(a.string("arch").toUpperCase(Locale.ROOT));
        int bs = a.integer("bs");
        int epochs = a.integer("epochs");

        long t0 = System.nanoTime();
        FashionData data = FashionData.load(a.string("data"), a.integer("images"), a.integer("valid"));
        double loadSeconds = (System.nanoTime() - t0) / 1e9;
        Engine.getInstance().setRandomSeed(a.integer("seed"));
        System.out.printf(Locale.ROOT, "fastai4j TrainBench  %s%n", a);
        System.out.printf(Locale.ROOT, "data: %s (%d train, %d valid, read in %.1f s)%n", data.folder,
                data.trainImages.size(), data.validImages.size(), loadSeconds);
        System.out.printf(Locale.ROOT, "engine: %s %s, intra-op threads %d, inter-op %d; malloc tuned by mallopt: %s;"
                + " trim after each epoch: %s; MALLOC_MMAP_THRESHOLD_=%s MALLOC_TRIM_THRESHOLD_=%s"
                + " MALLOC_TOP_PAD_=%s%n", Engine.getInstance().getEngineName(), Engine.getInstance().getVersion(),
                Torch.intraOpThreads(), Torch.interOpThreads(), tuned, NativeMemory.requested(),
                System.getenv("MALLOC_MMAP_THRESHOLD_"), System.getenv("MALLOC_TRIM_THRESHOLD_"),
                System.getenv("MALLOC_TOP_PAD_"));
        long rssStart = NativeMemory.residentBytes();

        DataLoaderOptions opts = DataLoaderOptions.defaults(bs).withWorkers(a.integer("workers"))
                .withSeed(a.integer("seed"));
        PhaseTimer timer = new PhaseTimer();
        try (DataLoaders dls = ImageDataLoaders.fromImages(data.trainImages, data.trainLabels, data.validImages,
                data.validLabels, opts, List.of(), List.of());
                Learner learn = VisionLearners.builder(dls, arch).pretrained(false)
                        .learner(b -> b.progress(false).callbacks(timer)).metrics(Metrics.accuracy()).build()) {
            long fitStart = System.nanoTime();
            learn.fitOneCycle(epochs, a.real("lr"));
            double fitSeconds = (System.nanoTime() - fitStart) / 1e9;

            List<List<Double>> values = learn.recorder().values();
            for (int e = 0; e < values.size(); e++) {
                List<Double> row = values.get(e);
                System.out.printf(Locale.ROOT,
                        "epoch %d: train_loss %.4f valid_loss %.4f accuracy %.4f | train phase %.1f s = %.0f img/s,"
                                + " epoch %.1f s, RSS %d MiB (before the trim %d MiB)%n", e, row.get(0), row.get(1),
                        row.get(2), timer.trainSeconds.get(e), timer.trainImages.get(e) / timer.trainSeconds.get(e),
                        learn.recorder().epochSeconds().get(e), timer.rssAfterEpoch.get(e) >> 20,
                        timer.rssBeforeTrim.get(e) >> 20);
                System.out.println("  before the trim: " + timer.mallocAfterEpoch.get(e));
            }
            double trainSeconds = timer.trainSeconds.stream().mapToDouble(Double::doubleValue).sum();
            int trainImages = timer.trainImages.stream().mapToInt(Integer::intValue).sum();
            double trainIps = trainImages / trainSeconds;
            double median = timer.medianIterSeconds(5);
            System.out.printf(Locale.ROOT, "training: %d images in %.1f s of training phases = %.0f img/s;"
                    + " median step %.1f ms (= %.0f img/s steady); whole fit %.1f s%n", trainImages, trainSeconds,
                    trainIps, median * 1e3, bs / median, fitSeconds);
            System.out.print("step phases (mean over all training steps):\n" + timer.phaseTable());
            double faultsPerStep = (double) timer.trainFaults / Math.max(1, timer.steps);
            System.out.printf(Locale.ROOT, "minor page faults: %.0f per training step%n", faultsPerStep);

            double hostIps = Double.NaN;
            double pipeIps = Double.NaN;
            if (a.integer("pipeline") != 0) {
                hostIps = pipeline(dls.train(), false);
                pipeIps = pipeline(dls.train(), true);
                System.out.printf(Locale.ROOT, "data pipeline alone (no model): loader threads %.0f img/s,"
                        + " loader + toBatch %.0f img/s = %.1fx training%n", hostIps, pipeIps, pipeIps / trainIps);
            }
            long rss1 = timer.rssAfterEpoch.get(0);
            long rssLast = timer.rssAfterEpoch.get(timer.rssAfterEpoch.size() - 1);
            long rssPeak = timer.rssBeforeTrim.stream().mapToLong(Long::longValue).max().orElse(-1);
            System.out.printf(Locale.ROOT, "RSS: start %d MiB, after epoch 1 %d MiB, after last epoch %d MiB;"
                    + " largest after a validation, before the trim: %d MiB%n", rssStart >> 20, rss1 >> 20,
                    rssLast >> 20, rssPeak >> 20);
            System.out.println("  of which Java: " + javaMemory() + " (native = RSS minus these, roughly)");
            double acc = values.get(values.size() - 1).get(2);
            System.out.printf(Locale.ROOT, "RESULT side=fastai4j train_ips=%.1f epoch1_ips=%.1f step_ms=%.2f"
                            + " steady_ips=%.1f pipeline_ips=%.1f loader_ips=%.1f rss_start_mb=%d rss_epoch1_mb=%d"
                            + " rss_last_mb=%d rss_pretrim_max_mb=%d accuracy=%.4f images=%d epochs=%d bs=%d"
                            + " faults_per_step=%.0f%n", trainIps,
                    timer.trainImages.get(0) / timer.trainSeconds.get(0), median * 1e3, bs / median, pipeIps, hostIps,
                    rssStart >> 20, rss1 >> 20, rssLast >> 20, rssPeak >> 20, acc, data.trainImages.size(), epochs,
                    bs, faultsPerStep);
            StringBuilder phases = new StringBuilder("RESULT side=fastai4j phases");
            for (int i = 0; i < PhaseTimer.PHASES.length; i++) {
                phases.append(String.format(Locale.ROOT, " %s=%.2f", PhaseTimer.PHASES[i],
                        timer.phaseNanos[i] / 1e6 / Math.max(1, timer.steps)));
            }
            System.out.println(phases);
        }
    }

    /** Committed and used Java heap, and the direct (off-heap NIO) buffers still allocated. */
    static String javaMemory() {
        Runtime rt = Runtime.getRuntime();
        long direct = 0;
        for (java.lang.management.BufferPoolMXBean b
                : java.lang.management.ManagementFactory.getPlatformMXBeans(java.lang.management.BufferPoolMXBean.class)) {
            if (b.getName().equals("direct")) {
                direct = b.getMemoryUsed();
            }
        }
        return String.format(Locale.ROOT, "heap committed %d MiB (used %d MiB), direct buffers %d MiB",
                rt.totalMemory() >> 20, (rt.totalMemory() - rt.freeMemory()) >> 20, direct >> 20);
    }

    /**
     * One epoch of the training loader without a model: images per second of the loader threads alone, or with
     * every batch copied to the engine and transformed ({@code toBatch}) in a scope closed after the batch.
     */
    static double pipeline(DataLoader dl, boolean toEngine) {
        long images = 0;
        long start = System.nanoTime();
        try (NDManager base = NDManager.newBaseManager(); DataLoader.EpochIterator it = dl.epoch()) {
            while (it.hasNext()) {
                HostBatch hb = it.next();
                images += hb.size();
                if (toEngine) {
                    try (NDScope scope = new NDScope(); NDManager m = base.newSubManager()) {
                        scope.suppressNotUsedWarning();
                        Batch b = dl.toBatch(hb, m);
                        if (b.size() != hb.size()) {
                            throw new IllegalStateException("batch size mismatch");
                        }
                    }
                }
            }
        }
        return images / ((System.nanoTime() - start) / 1e9);
    }
}

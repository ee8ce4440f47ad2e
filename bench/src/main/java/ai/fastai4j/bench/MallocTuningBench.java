package ai.fastai4j.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.fastai4j.engine.NativeMemory;
import ai.fastai4j.engine.Torch;
import ai.fastai4j.losses.LossFunction;
import ai.fastai4j.losses.Losses;
import ai.fastai4j.nn.Module;
import ai.fastai4j.optim.Optimizer;
import ai.fastai4j.optim.Optimizers;
import ai.fastai4j.vision.models.Arch;
import ai.fastai4j.vision.models.VisionModels;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The training step alone, as fastai4j's Learner runs it, without the Learner: in an {@link NDScope} per step,
 * copy a uint8 batch to the engine and make it float / 255, forward and loss in a {@link GradientCollector},
 * backward, fastai's Adam step, zeroGrad. Prints ms per step (mean and median over {@code --steps} steps after
 * {@code --warmup}), the phases, minor page faults per step and resident memory.
 *
 * <p>Its purpose is the effect of glibc malloc tuning, which acts at process start: {@code run-train-bench.sh}
 * runs it once with {@code -Dfastai4j.malloc.tune=false} and no {@code MALLOC_*} variables (glibc's defaults), and
 * once tuned (the variables, and {@link NativeMemory#tuneMalloc()}'s {@code mallopt}), alternating, and prints the
 * ratio. {@code --label} names the run in the {@code RESULT} line.
 */
public final class MallocTuningBench {
    private MallocTuningBench() {}

    static final String USAGE = """
            MallocTuningBench: ms per training step (fastai4j's step without the Learner)
              --data DIR     folder with the Fashion-MNIST IDX .gz files (as TrainBench)
              --bs N         batch size (default 256)
              --steps N      timed steps (default 30)
              --warmup N     untimed steps first (default 5)
              --arch NAME    fastai4j Arch (default SMALL_RESNET)
              --lr X         learning rate (default 1e-3)
              --label TEXT   name of this run in the RESULT line (default: tuned or untuned)
            """;

    public static void main(String[] args) throws Exception {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("data", null);
        d.put("bs", "256");
        d.put("steps", "30");
        d.put("warmup", "5");
        d.put("arch", "SMALL_RESNET");
        d.put("lr", "1e-3");
        d.put("label", null);
        BenchArgs a = BenchArgs.parse(args, d, USAGE);
        boolean tuned = NativeMemory.requested() && NativeMemory.tuneMalloc(); // -Dfastai4j.malloc.tune=true
        String env = "MALLOC_MMAP_THRESHOLD_=" + System.getenv("MALLOC_MMAP_THRESHOLD_") + " MALLOC_TRIM_THRESHOLD_="
                + System.getenv("MALLOC_TRIM_THRESHOLD_");
        String label = a.string("label") != null ? a.string("label") : tuned ? "tuned" : "untuned";
        int bs = a.integer("bs");
        int steps = a.integer("steps");
        int warmup = a.integer("warmup");
        int nImages = Math.min(60000, bs * 20);
        FashionData data = FashionData.load(a.string("data"), nImages, 1);
        Engine.getInstance().setRandomSeed(42);
        System.out.printf(Locale.ROOT, "fastai4j MallocTuningBench [%s]  %s%n", label, a);
        System.out.printf(Locale.ROOT, "mallopt tuning in effect: %s; %s; intra-op threads %d%n", tuned, env,
                Torch.intraOpThreads());

        Arch arch = Arch.valueOf(a.string("arch").toUpperCase(Locale.ROOT));
        LossFunction lossFn = Losses.crossEntropy();
        int nb = nImages / bs;
        int plane = 28 * 28;
        String[] phases = {"toEngine", "forward+loss", "backward", "opt.step", "zeroGrad", "scope-close"};
        long[] nanos = new long[phases.length];
        double[] stepMs = new double[steps];
        long faults0 = 0;
        long rssAfterWarmup = 0;
        try (NDManager m = NDManager.newBaseManager()) {
            Module model = VisionModels.createVisionModel(m, arch, 1, 10);
            model.train(true);
            Optimizer opt = Optimizers.adam().create(VisionModels.paramGroups(model));
            opt.setHyper("lr", a.real("lr"));
            for (int s = 0; s < warmup + steps; s++) {
                if (s == warmup) {
                    faults0 = minorFaults();
                    rssAfterWarmup = NativeMemory.residentBytes();
                }
                int b = s % nb;
                ByteBuffer px = ByteBuffer.allocateDirect(bs * plane).order(ByteOrder.nativeOrder());
                px.put(data.trainPixels, b * bs * plane, bs * plane).rewind();
                long[] labels = new long[bs];
                for (int i = 0; i < bs; i++) {
                    labels[i] = data.trainLabelIds[b * bs + i];
                }
                long t0 = System.nanoTime();
                long t1;
                long t2;
                long t3;
                long t4;
                long t5;
                try (NDScope scope = new NDScope()) {
                    scope.suppressNotUsedWarning();
                    NDArray x = m.create(px, new Shape(bs, 1, 28, 28), DataType.UINT8).toType(DataType.FLOAT32, false)
                            .divi(255f);
                    NDArray y = m.create(labels);
                    t1 = System.nanoTime();
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray loss = lossFn.compute(model.forward(x), y);
                        loss.getFloat();
                        t2 = System.nanoTime();
                        gc.backward(loss);
                    }
                    t3 = System.nanoTime();
                    opt.step();
                    t4 = System.nanoTime();
                    opt.zeroGrad();
                    t5 = System.nanoTime();
                }
                long t6 = System.nanoTime();
                if (s >= warmup) {
                    long[] t = {t0, t1, t2, t3, t4, t5, t6};
                    for (int i = 0; i < phases.length; i++) {
                        nanos[i] += t[i + 1] - t[i];
                    }
                    stepMs[s - warmup] = (t6 - t0) / 1e6;
                }
            }
        }
        long faults = minorFaults() - faults0;
        long rss = NativeMemory.residentBytes();
        double mean = Arrays.stream(stepMs).average().orElse(Double.NaN);
        double[] sorted = stepMs.clone();
        Arrays.sort(sorted);
        double median = sorted[sorted.length / 2];
        System.out.printf(Locale.ROOT, "%d steps of batch %d: mean %.1f ms/step, median %.1f ms/step, min %.1f;"
                + " %.0f minor page faults/step; RSS after warm-up %d MiB, at end %d MiB%n", steps, bs, mean, median,
                sorted[0], (double) faults / steps, rssAfterWarmup >> 20, rss >> 20);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < phases.length; i++) {
            System.out.printf(Locale.ROOT, "  %-13s %8.2f ms/step%n", phases[i], nanos[i] / 1e6 / steps);
            sb.append(String.format(Locale.ROOT, " %s=%.2f", phases[i], nanos[i] / 1e6 / steps));
        }
        System.out.printf(Locale.ROOT, "RESULT bench=malloc label=%s tuned=%s mean_ms=%.2f median_ms=%.2f"
                + " faults_per_step=%.0f rss_mb=%d%s%n", label, tuned, mean, median, (double) faults / steps,
                rss >> 20, sb);
    }

    /** Minor page faults of this process so far (field 10 of /proc/self/stat), or 0 when unknown. */
    static long minorFaults() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[7]); // fields after the name start at field 3: minflt is field 10
        } catch (java.io.IOException | RuntimeException e) {
            return 0;
        }
    }
}

package ai.fastai4j.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.fastai4j.engine.NativeMemory;
import ai.fastai4j.engine.NoGrad;
import ai.fastai4j.engine.Torch;
import ai.fastai4j.export.InferenceModel;
import ai.fastai4j.io.Safetensors;
import ai.fastai4j.learner.Prediction;
import ai.fastai4j.vision.Image;
import ai.fastai4j.vision.models.Arch;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Inference speed of {@link InferenceModel} against plain PyTorch on the same weights and the same input: an
 * untrained vision model (ResNet-18 body and fastai's head at 224 px by default) is exported to {@code .fai};
 * its PyTorch twin ({@code bench/python/inference_twin.py}, Debian's python3-torch and torchvision) reads the
 * weights from that very file, checks it computes the same probabilities on the same images, and is timed the
 * same way. Both sides use {@code --threads} intra-op threads.
 *
 * <p><b>What is timed</b>, on both sides, from decoded 8-bit RGB images (height x width x 3, already at the
 * model's size, so no resize) to class probabilities in a plain host array:
 * <ul>
 *   <li>fastai4j: {@code InferenceModel.predict(Image)} / {@code predictBatch(List<Image>)}: item transforms
 *       (Resize, a no-op at this size), collation into a uint8 batch, to a native tensor, int-to-float /255,
 *       ImageNet normalisation, forward, softmax, copy to {@code float[]} per item, label decoding.</li>
 *   <li>PyTorch: {@code torch.stack} of the uint8 HWC tensors, permute to NCHW, float /255, normalisation,
 *       forward under {@code inference_mode}, softmax, {@code .numpy()}.</li>
 *   <li>"model only": the forward + softmax + copy alone, on a ready float NCHW batch (fastai4j: the loaded
 *       {@code Module} in an {@code NDScope} with gradients off), to separate the model from the pipeline.</li>
 * </ul>
 * Single-image latency is the median of {@code --single} calls; batch throughput the median of {@code --rounds}
 * calls per batch size. Ratios are PyTorch time / fastai4j time: above 1 means fastai4j is faster.
 *
 * <pre>
 * java -cp ... -Dai.djl.pytorch.num_threads=2 ai.fastai4j.bench.InferenceBench --batches 32,64 --single 50 --rounds 5
 * </pre>
 */
public final class InferenceBench {
    private InferenceBench() {}

    static final String USAGE = """
            InferenceBench: InferenceModel vs plain PyTorch, same weights, same images
              --arch NAME     fastai4j Arch of the untrained model (default RESNET18)
              --size N        input size in pixels (default 224)
              --classes N     classes (default 10)
              --batches LIST  batch sizes for throughput, at most 64 (default 32,64)
              --single N      single-image predictions timed (default 50)
              --rounds N      timed calls per batch size (default 5)
              --warmup N      untimed calls before each measurement (default 3)
              --threads N     intra-op threads on both sides (default 2)
              --seed N        seed of the weights and images (default 42)
              --out DIR       where the model and the shared inputs go (default bench/target/inference)
              --python PATH   Python with torch + torchvision for the twin, or "none" (default /usr/bin/python3)
              --twin FILE     the twin script (default bench/python/inference_twin.py)
            """;

    public static void main(String[] args) throws Exception {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("arch", "RESNET18");
        d.put("size", "224");
        d.put("classes", "10");
        d.put("batches", "32,64");
        d.put("single", "50");
        d.put("rounds", "5");
        d.put("warmup", "3");
        d.put("threads", "2");
        d.put("seed", "42");
        d.put("out", "bench/target/inference");
        d.put("python", "/usr/bin/python3");
        d.put("twin", "bench/python/inference_twin.py");
        BenchArgs a = BenchArgs.parse(args, d, USAGE);
        boolean tuned = NativeMemory.requested() && NativeMemory.tuneMalloc(); // -Dfastai4j.malloc.tune=true
        Engine.getInstance(); // loads libtorch
        int threads = a.integer("threads");
        Torch.setIntraOpThreads(threads);
        int size = a.integer("size");
        int[] batches = Arrays.stream(a.string("batches").split(",")).map(String::trim).mapToInt(Integer::parseInt)
                .toArray();
        int maxB = Arrays.stream(batches).max().orElse(1);
        if (maxB > InferenceModel.MAX_BATCH) {
            throw new IllegalArgumentException("batch sizes must be at most " + InferenceModel.MAX_BATCH);
        }
        Path out = Path.of(a.string("out"));
        Files.createDirectories(out);
        System.out.printf(Locale.ROOT, "fastai4j InferenceBench  %s%n", a);
        System.out.printf(Locale.ROOT, "engine: %s %s, intra-op threads %d, inter-op %d; malloc tuned: %s; load %s%n",
                Engine.getInstance().getEngineName(), Engine.getInstance().getVersion(), Torch.intraOpThreads(),
                Torch.interOpThreads(), tuned, BenchModels.load());

        Arch arch = Arch.valueOf(a.string("arch").toUpperCase(Locale.ROOT));
        Path modelFile = BenchModels.exportVision(out.resolve(arch.name().toLowerCase(Locale.ROOT) + "-" + size + ".fai"),
                arch, size, a.integer("classes"), a.integer("seed"));
        Random r = new Random(a.integer("seed"));
        List<Image> images = new ArrayList<>();
        for (int i = 0; i < maxB; i++) {
            images.add(Image.fromBufferedImage(BenchModels.photo(size, size, r), 3));
        }
        Map<String, Double> java = new LinkedHashMap<>();
        int warmup = a.integer("warmup");
        try (InferenceModel model = InferenceModel.load(modelFile)) {
            Path inputs = writeInputs(out.resolve("inputs.safetensors"), images, model);
            System.out.println("model " + modelFile + ", shared images and fastai4j's probabilities in " + inputs);

            double[] single = new double[a.integer("single")];
            for (int i = 0; i < warmup + single.length; i++) {
                long t0 = System.nanoTime();
                Prediction p = model.predict(images.get(i % images.size()));
                long t = System.nanoTime() - t0;
                if (i >= warmup) {
                    single[i - warmup] = t / 1e6;
                }
                if (p.probs().length == 0) {
                    throw new IllegalStateException("no output");
                }
            }
            Arrays.sort(single);
            java.put("single_ms_median", pct(single, 50));
            java.put("single_ms_p90", pct(single, 90));
            java.put("single_ms_min", single[0]);
            for (int b : batches) {
                List<Image> batch = images.subList(0, b);
                double[] ms = new double[a.integer("rounds")];
                for (int i = 0; i < warmup + ms.length; i++) {
                    long t0 = System.nanoTime();
                    model.predictBatch(batch);
                    long t = System.nanoTime() - t0;
                    if (i >= warmup) {
                        ms[i - warmup] = t / 1e6;
                    }
                }
                Arrays.sort(ms);
                java.put("batch" + b + "_ms", pct(ms, 50));
            }
            List<Integer> fwdSizes = new ArrayList<>(List.of(1));
            Arrays.stream(batches).forEach(fwdSizes::add);
            for (int b : fwdSizes) {
                java.put("fwd" + b + "_ms", modelOnly(model, images.subList(0, b), b == 1 ? single.length : a.integer("rounds"),
                        warmup));
            }
        }
        System.out.printf(Locale.ROOT, "fastai4j done; load %s%nRESULT java %s%n", BenchModels.load(), line(java));

        Map<String, Double> py = null;
        if (!a.string("python").equals("none")) {
            py = runTwin(a, modelFile, out.resolve("inputs.safetensors"));
        }
        report(java, py, batches);
    }

    /** The images (uint8, N x H x W x 3) and fastai4j's probabilities for them, for the twin to check against. */
    static Path writeInputs(Path file, List<Image> images, InferenceModel model) throws Exception {
        Image first = images.get(0);
        ByteBuffer px = ByteBuffer.allocateDirect(images.size() * first.pixels().length);
        images.forEach(i -> px.put(i.pixels()));
        px.flip();
        List<Prediction> preds = model.predictBatch(images);
        int c = preds.get(0).probs().length;
        float[] probs = new float[images.size() * c];
        for (int i = 0; i < preds.size(); i++) {
            System.arraycopy(preds.get(i).probs(), 0, probs, i * c, c);
        }
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> t = new LinkedHashMap<>();
            t.put("images", m.create(px, new Shape(images.size(), first.height(), first.width(), 3), DataType.UINT8));
            t.put("probs", m.create(probs, new Shape(images.size(), c)));
            Safetensors.write(t, file);
        }
        return file;
    }

    /** Median ms of forward + softmax + copy to the host on a ready float NCHW batch (the model alone). */
    @SuppressWarnings("try")
    static double modelOnly(InferenceModel model, List<Image> images, int calls, int warmup) {
        Image first = images.get(0);
        int h = first.height();
        int w = first.width();
        float[] mean = {0.485f, 0.456f, 0.406f};
        float[] std = {0.229f, 0.224f, 0.225f};
        float[] x = new float[images.size() * 3 * h * w];
        for (int n = 0; n < images.size(); n++) {
            byte[] p = images.get(n).pixels();
            for (int c = 0; c < 3; c++) {
                for (int i = 0; i < h * w; i++) {
                    x[((n * 3 + c) * h * w) + i] = ((p[3 * i + c] & 0xff) / 255f - mean[c]) / std[c];
                }
            }
        }
        NoGrad noGrad = NoGrad.enter();
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray input = m.create(x, new Shape(images.size(), 3, h, w));
            double[] ms = new double[calls];
            for (int i = 0; i < warmup + calls; i++) {
                try (NDScope scope = new NDScope()) {
                    long t0 = System.nanoTime();
                    float[] probs = model.model().forward(input).softmax(1).toFloatArray();
                    long t = System.nanoTime() - t0;
                    if (i >= warmup) {
                        ms[i - warmup] = t / 1e6;
                    }
                    if (probs.length == 0) {
                        throw new IllegalStateException("no output");
                    }
                }
            }
            Arrays.sort(ms);
            return pct(ms, 50);
        } finally {
            noGrad.close();
        }
    }

    static double pct(double[] sorted, double p) {
        int i = (int) Math.ceil(p / 100 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    static String line(Map<String, Double> m) {
        StringBuilder sb = new StringBuilder();
        m.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : " ").append(k).append('=')
                .append(String.format(Locale.ROOT, "%.4f", v)));
        return sb.toString();
    }

    /** Runs the PyTorch twin with the same settings; returns its RESULT values. */
    static Map<String, Double> runTwin(BenchArgs a, Path modelFile, Path inputs) throws Exception {
        List<String> cmd = List.of(a.string("python"), a.string("twin"), "--model", modelFile.toString(), "--inputs",
                inputs.toString(), "--batches", a.string("batches"), "--single", a.string("single"), "--rounds",
                a.string("rounds"), "--warmup", a.string("warmup"), "--threads", a.string("threads"));
        System.out.println("\n$ " + String.join(" ", cmd));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        Map<String, Double> out = new LinkedHashMap<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String l = in.readLine(); l != null; l = in.readLine()) {
                System.out.println("  | " + l);
                if (l.startsWith("RESULT python ")) {
                    for (String kv : l.substring("RESULT python ".length()).trim().split("\\s+")) {
                        String[] f = kv.split("=", 2);
                        out.put(f[0], Double.parseDouble(f[1]));
                    }
                }
            }
        }
        int rc = p.waitFor();
        if (rc != 0 || out.isEmpty()) {
            throw new IllegalStateException("the PyTorch twin failed (exit " + rc + "); see its output above");
        }
        return out;
    }

    static void report(Map<String, Double> java, Map<String, Double> py, int[] batches) {
        System.out.printf(Locale.ROOT, "%n%-44s %12s %12s %8s%n", "", "fastai4j", "PyTorch", "ratio");
        row("single image, median ms", java.get("single_ms_median"), py == null ? null : py.get("single_ms_median"), true);
        row("single image, p90 ms", java.get("single_ms_p90"), py == null ? null : py.get("single_ms_p90"), true);
        for (int b : batches) {
            double jm = java.get("batch" + b + "_ms");
            Double pm = py == null ? null : py.get("batch" + b + "_ms");
            row("batch " + b + ", images/s", b * 1000 / jm, pm == null ? null : b * 1000 / pm, false);
        }
        row("model only, batch 1, ms", java.get("fwd1_ms"), py == null ? null : py.get("fwd1_ms"), true);
        for (int b : batches) {
            row("model only, batch " + b + ", images/s", b * 1000 / java.get("fwd" + b + "_ms"),
                    py == null || !py.containsKey("fwd" + b + "_ms") ? null : b * 1000 / py.get("fwd" + b + "_ms"), false);
        }
        if (py != null) {
            System.out.printf(Locale.ROOT, "ratio: PyTorch time / fastai4j time (above 1: fastai4j faster)."
                    + " Largest |probability difference| between the two: %.2e%n", py.get("max_abs_diff"));
        }
        System.out.println("load at the end: " + BenchModels.load());
    }

    private static void row(String what, double j, Double p, boolean isTime) {
        if (p == null) {
            System.out.printf(Locale.ROOT, "%-44s %12.2f %12s %8s%n", what, j, "-", "-");
        } else {
            System.out.printf(Locale.ROOT, "%-44s %12.2f %12.2f %8.2f%n", what, j, p, isTime ? p / j : j / p);
        }
    }
}

package ai.fastai4j.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.util.cuda.CudaUtils;
import ai.fastai4j.data.Batch;
import ai.fastai4j.data.DataLoader;
import ai.fastai4j.data.DataLoaderOptions;
import ai.fastai4j.data.DataLoaders;
import ai.fastai4j.data.HostBatch;
import ai.fastai4j.engine.Devices;
import ai.fastai4j.engine.NoGrad;
import ai.fastai4j.engine.Torch;
import ai.fastai4j.learner.Learner;
import ai.fastai4j.metrics.Metrics;
import ai.fastai4j.nn.Module;
import ai.fastai4j.vision.ImageDataLoaders;
import ai.fastai4j.vision.VisionLearners;
import ai.fastai4j.vision.models.Arch;
import ai.fastai4j.vision.models.VisionModels;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The GPU check ({@code bench/gpu-check.sh}): on a machine with CUDA and a CUDA build of libtorch 2.7.1
 * ({@code PYTORCH_LIBRARY_PATH}), checks that CPU and GPU agree on a forward pass (the quickstart's SMALL_RESNET and
 * ResNet-34, same weights, eval mode), then trains on the GPU: the quickstart model in FP32 and with
 * {@code toFp16()}, and a ResNet-34 fine-tune (random init unless {@code --weights FILE} gives torchvision weights);
 * prints images/s, the GPU memory in use and the validation accuracy of each. Exit status 0 when every check
 * passes, 1 when one fails, 2 when there is no GPU to check.
 *
 * <pre>
 * java -cp ... ai.fastai4j.bench.GpuCheck [--data DIR] [--images 10000] [--valid 2000] [--bs 256] [--weights FILE]
 * </pre>
 */
public final class GpuCheck {
    private GpuCheck() {}

    static final String USAGE = """
            GpuCheck: fastai4j on a CUDA GPU (see bench/gpu-check.sh)
              --data DIR      Fashion-MNIST folder (default: as TrainBench)
              --images N      training images (default 10000)
              --valid N       validation images (default 2000)
              --bs N          batch size (default 256)
              --epochs N      epochs of each training run (default 1)
              --gpu N         which GPU (default 0)
              --weights FILE  torchvision ResNet-34 weights for the fine-tune (default: random init)
              --tolerance X   largest |CPU - GPU| difference of the probabilities allowed (default 2e-3)
            """;

    public static void main(String[] args) throws Exception {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("data", null);
        d.put("images", "10000");
        d.put("valid", "2000");
        d.put("bs", "256");
        d.put("epochs", "1");
        d.put("gpu", "0");
        d.put("weights", null);
        d.put("tolerance", "2e-3");
        BenchArgs a = BenchArgs.parse(args, d, USAGE);
        int gpus = Devices.gpuCount();
        if (gpus <= a.integer("gpu")) {
            System.out.printf(Locale.ROOT, "NO GPU: the engine (%s) sees %d GPU(s). Needs an NVIDIA driver and"
                    + " PYTORCH_LIBRARY_PATH pointing at libtorch 2.7.1+cu128 (README, \"Platforms\").%n",
                    Torch.describe(), gpus);
            System.exit(2);
        }
        Device gpu = Device.gpu(a.integer("gpu"));
        System.out.printf(Locale.ROOT, "engine: %s; libtorch %s; CUDA %s; %s: compute capability %s%n",
                Torch.describe(), Torch.libraryPath(), CudaUtils.getCudaVersionString(), gpu,
                CudaUtils.getComputeCapability(gpu.getDeviceId()));
        FashionData data = FashionData.load(a.string("data"), a.integer("images"), a.integer("valid"));
        DataLoaderOptions opts = DataLoaderOptions.defaults(a.integer("bs")).withWorkers(2).withSeed(42);
        boolean ok = true;
        try (DataLoaders dls = ImageDataLoaders.fromImages(data.trainImages, data.trainLabels, data.validImages,
                data.validLabels, opts, List.of(), List.of())) {
            double tol = a.real("tolerance");
            ok &= agree(dls.valid(), Arch.SMALL_RESNET, gpu, tol);
            ok &= agree(dls.valid(), Arch.RESNET34, gpu, tol);
            int epochs = a.integer("epochs");
            ok &= train("quickstart model FP32", dls, gpu, epochs, b -> b.pretrained(false), false, false, 0.70);
            ok &= train("quickstart model toFp16", dls, gpu, epochs, b -> b.pretrained(false), true, false, 0.70);
            String w = a.string("weights");
            java.util.function.Consumer<VisionLearners.Builder> resnet34 = w == null ? b -> b.pretrained(false)
                    : b -> b.weightsFile(Path.of(w));
            ok &= train("ResNet-34 fine-tune FP32" + (w == null ? " (random init)" : " (" + w + ")"), dls, gpu, epochs,
                    resnet34, false, true, 0.60);
            ok &= train("ResNet-34 fine-tune toFp16", dls, gpu, epochs, resnet34, true, true, 0.60);
        }
        System.out.println(ok ? "GPU CHECK PASSED" : "GPU CHECK FAILED");
        System.exit(ok ? 0 : 1);
    }

    /** The same weights on the CPU and on the GPU, one validation batch, eval mode: largest probability difference. */
    static boolean agree(DataLoader valid, Arch arch, Device gpu, double tol) {
        Engine.getInstance().setRandomSeed(7);
        try (NDManager cpu = NDManager.newBaseManager(Device.cpu()); NoGrad ignored = NoGrad.enter()) {
            Module model = VisionModels.createVisionModel(cpu, arch, 1, 10);
            model.eval();
            HostBatch hb;
            try (DataLoader.EpochIterator it = valid.epoch()) {
                hb = it.next();
            }
            Batch b = valid.toBatch(hb, cpu);
            float[] onCpu = model.forward(b.xb()).softmax(1).toFloatArray();
            model.to(gpu);
            try (NDManager g = NDManager.newBaseManager(gpu)) {
                Batch bg = valid.toBatch(hb, g);
                NDArray out = model.forward(bg.xb()).softmax(1);
                if (!out.getDevice().equals(gpu)) {
                    System.out.printf(Locale.ROOT, "FAIL %s: the forward pass ran on %s, not %s%n", arch,
                            out.getDevice(), gpu);
                    return false;
                }
                float[] onGpu = out.toFloatArray();
                double max = 0;
                for (int i = 0; i < onCpu.length; i++) {
                    max = Math.max(max, Math.abs(onCpu[i] - onGpu[i]));
                }
                boolean pass = max <= tol;
                System.out.printf(Locale.ROOT, "%s CPU vs GPU forward (%s, batch %d): max |difference| of the"
                        + " probabilities %.2e (tolerance %.0e)%n", pass ? "PASS" : "FAIL", arch, hb.size(), max, tol);
                return pass;
            } finally {
                model.close();
            }
        }
    }

    /** Trains on the GPU and prints images/s, GPU memory in use and accuracy; passes above {@code minAccuracy}. */
    static boolean train(String name, DataLoaders dls, Device gpu, int epochs,
            java.util.function.Consumer<VisionLearners.Builder> weights, boolean fp16, boolean fineTune,
            double minAccuracy) {
        Engine.getInstance().setRandomSeed(42);
        Arch arch = fineTune ? Arch.RESNET34 : Arch.SMALL_RESNET;
        VisionLearners.Builder vb = VisionLearners.builder(dls, arch)
                .learner(b -> b.progress(false).device(gpu)).metrics(Metrics.accuracy());
        weights.accept(vb);
        try (Learner learn = vb.build()) {
            if (fp16) {
                learn.toFp16();
            }
            long t0 = System.nanoTime();
            if (fineTune) {
                learn.fineTune(epochs);
            } else {
                learn.fitOneCycle(epochs, 1e-2);
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            int trained = dls.train().numBatches() * dls.train().batchSize() * (fineTune ? epochs + 1 : epochs);
            List<List<Double>> v = learn.recorder().values();
            double acc = v.get(v.size() - 1).get(2);
            long usedMiB = CudaUtils.getGpuMemory(gpu).getUsed() >> 20;
            boolean pass = acc >= minAccuracy && learn.device().equals(gpu);
            System.out.printf(Locale.ROOT, "%s %s: %.0f img/s (%d training images in %.1f s, validation included),"
                    + " GPU memory in use %d MiB, accuracy %.4f (needs %.2f), on %s%n", pass ? "PASS" : "FAIL", name,
                    trained / seconds, trained, seconds, usedMiB, acc, minAccuracy, learn.device());
            return pass;
        }
    }
}

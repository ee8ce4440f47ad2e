package ai.fastai4j.vision.models;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.fastai4j.engine.NoGrad;
import ai.fastai4j.nn.Module;
import ai.fastai4j.optim.Optimizer;
import ai.fastai4j.optim.Optimizers;
import ai.fastai4j.schedule.Schedule;
import ai.fastai4j.schedule.Schedules;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Benchmarks, not tests (surefire's default includes skip this class). Timing:
 * {@code -Dtest=ModelsBench -Dfastai4j.bench=true}. Fashion-MNIST training of {@link ResNets#smallResNet} with
 * fastai's Adam and one-cycle: add {@code -Dfastai4j.fashionMnist=<folder with the four IDX .gz files>} (here
 * {@code ../shared/data/fashion-mnist}, from Debian's dataset-fashion-mnist). Run with the surefire
 * environment (malloc tuning) from the parent pom.
 */
class ModelsBench {

    @Test
    @EnabledIfSystemProperty(named = "fastai4j.bench", matches = "true")
    void forwardBackwardTimings() {
        try (NDManager m = NDManager.newBaseManager()) {
            time("smallResNet 1x28x28 batch 256", ResNets.smallResNet(m, 1, 10), m, 256, 1, 28);
            time("smallResNet + fastai head, batch 256", VisionModels.createVisionModel(m, Arch.SMALL_RESNET, 1, 10), m,
                    256, 1, 28);
            time("SimpleCnn 1x28x28 batch 256", SimpleCnn.create(m, 1, 10), m, 256, 1, 28);
            time("resnet18 3x224x224 batch 16", ResNet.resnet18(m, 1000), m, 16, 3, 224);
        }
    }

    private static void time(String what, Module model, NDManager m, int bs, int c, int hw) {
        model.train(true);
        int warm = 3;
        int n = 10;
        double[] ms = new double[n];
        long cpu = 0;
        for (int i = 0; i < warm + n; i++) {
            try (NDScope s = new NDScope()) {
                NDArray x = m.randomNormal(new Shape(bs, c, hw, hw));
                long c0 = cpuNanos();
                long t0 = System.nanoTime();
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray y = model.forward(x);
                    gc.backward(y.logSoftmax(1).mean().neg());
                }
                if (i >= warm) {
                    ms[i - warm] = (System.nanoTime() - t0) / 1e6;
                    cpu += cpuNanos() - c0;
                }
            }
        }
        java.util.Arrays.sort(ms);
        int cores = Runtime.getRuntime().availableProcessors();
        System.out.printf("%s: fwd+bwd wall median %.0f ms, min %.0f ms, max %.0f ms; process CPU %.0f ms per step"
                + " (/ %d cores = %.0f ms) (%d runs)%n", what, ms[n / 2], ms[0], ms[n - 1], cpu / 1e6 / n, cores,
                cpu / 1e6 / n / cores, n);
    }

    /** CPU time of this process, all threads: on a shared machine, CPU / cores bounds the uncontended wall time. */
    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    @Test
    @EnabledIfSystemProperty(named = "fastai4j.fashionMnist", matches = ".+")
    void smallResNetOnFashionMnist() throws IOException {
        Path dir = Path.of(System.getProperty("fastai4j.fashionMnist"));
        int epochs = Integer.getInteger("fastai4j.epochs", 5);
        double lrMax = Double.parseDouble(System.getProperty("fastai4j.lr", "5e-3"));
        boolean head = Boolean.getBoolean("fastai4j.fastaiHead");
        int bs = 256;
        try (NDManager m = NDManager.newBaseManager()) {
            byte[] trainX = idx(dir.resolve("train-images-idx3-ubyte.gz"), 2051);
            byte[] trainY = idx(dir.resolve("train-labels-idx1-ubyte.gz"), 2049);
            byte[] testX = idx(dir.resolve("t10k-images-idx3-ubyte.gz"), 2051);
            byte[] testY = idx(dir.resolve("t10k-labels-idx1-ubyte.gz"), 2049);
            double sum = 0;
            for (byte b : trainX) {
                sum += (b & 0xff) / 255.0;
            }
            float mean = (float) (sum / trainX.length);
            double var = 0;
            for (byte b : trainX) {
                double d = (b & 0xff) / 255.0 - mean;
                var += d * d;
            }
            float std = (float) Math.sqrt(var / trainX.length);
            NDArray xTrain = images(m, trainX, mean, std);
            NDArray yTrain = labels(m, trainY);
            NDArray xTest = images(m, testX, mean, std);
            NDArray yTest = labels(m, testY);
            int n = (int) yTrain.size();
            Module model = head ? VisionModels.createVisionModel(m, Arch.SMALL_RESNET, 1, 10)
                    : ResNets.smallResNet(m, 1, 10);
            System.out.printf("Fashion-MNIST from %s, mean %.4f std %.4f; %s, %d params; Adam one-cycle lr %.0e, bs %d%n",
                    dir, mean, std, head ? "smallResNet body + fastai head" : "smallResNet", model.parameterCount(),
                    lrMax, bs);
            Schedule lr = Schedules.oneCycleLr(lrMax, 25, 1e5, 0.25);
            Schedule mom = Schedules.oneCycleMom(0.95, 0.85, 0.95, 0.25);
            int steps = n / bs; // drop_last, as fastai's training loader
            long total = (long) steps * epochs;
            Random rnd = new Random(42);
            try (Optimizer opt = Optimizers.adam().create(List.of(model.parameters()))) {
                long it = 0;
                for (int e = 0; e < epochs; e++) {
                    long t0 = System.nanoTime();
                    model.train(true);
                    int[] perm = permutation(n, rnd);
                    double lossSum = 0;
                    for (int b = 0; b < steps; b++) {
                        double pct = (double) it++ / total;
                        opt.setHyper("lr", lr.at(pct));
                        opt.setHyper("mom", mom.at(pct));
                        try (NDScope s = new NDScope()) {
                            long[] idx = new long[bs];
                            for (int i = 0; i < bs; i++) {
                                idx[i] = perm[b * bs + i];
                            }
                            NDArray ix = m.create(idx);
                            NDArray xb = xTrain.get(new NDIndex("{}", ix));
                            NDArray yb = yTrain.get(new NDIndex("{}", ix));
                            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                                NDArray loss = crossEntropy(model.forward(xb), yb);
                                gc.backward(loss);
                                lossSum += loss.getFloat();
                            }
                            opt.step();
                            opt.zeroGrad();
                        }
                    }
                    double secs = (System.nanoTime() - t0) / 1e9;
                    double acc = accuracy(model, xTest, yTest);
                    System.out.printf("epoch %d: train loss %.4f, test accuracy %.4f, %.1f s%n", e, lossSum / steps, acc,
                            secs);
                    if (e == epochs - 1 && epochs >= 5) {
                        assertTrue(acc > 0.92, "test accuracy " + acc);
                    }
                }
            }
        }
    }

    private static NDArray crossEntropy(NDArray logits, NDArray y) {
        return logits.logSoftmax(1).mul(y.oneHot(10)).sum(new int[] {1}).mean().neg();
    }

    private static double accuracy(Module model, NDArray x, NDArray y) {
        model.eval();
        NoGrad noGrad = NoGrad.enter();
        long correct = 0;
        try {
            for (long i = 0; i < y.size(); i += 1000) {
                try (NDScope s = new NDScope()) {
                    NDArray pred = model.forward(x.get(i + ":" + (i + 1000))).argMax(1);
                    correct += pred.eq(y.get(i + ":" + (i + 1000))).sum().getLong();
                }
            }
        } finally {
            noGrad.close();
        }
        return (double) correct / y.size();
    }

    private static int[] permutation(int n, Random rnd) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    private static NDArray images(NDManager m, byte[] raw, float mean, float std) {
        float[] f = new float[raw.length];
        for (int i = 0; i < raw.length; i++) {
            f[i] = ((raw[i] & 0xff) / 255f - mean) / std;
        }
        return m.create(f, new Shape(raw.length / 784, 1, 28, 28));
    }

    private static NDArray labels(NDManager m, byte[] raw) {
        long[] l = new long[raw.length];
        for (int i = 0; i < raw.length; i++) {
            l[i] = raw[i];
        }
        return m.create(l).toType(DataType.INT64, false);
    }

    /** The payload of an IDX file (after the magic number and the dimension sizes). */
    private static byte[] idx(Path file, int magic) throws IOException {
        try (DataInputStream in = new DataInputStream(new GZIPInputStream(Files.newInputStream(file)))) {
            int got = in.readInt();
            if (got != magic) {
                throw new IOException(file + ": magic " + got + ", expected " + magic);
            }
            long size = 1;
            for (int d = 0; d < (magic & 0xff); d++) {
                size *= in.readInt();
            }
            byte[] data = new byte[(int) size];
            in.readFully(data);
            return data;
        }
    }
}

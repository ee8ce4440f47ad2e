package ai.fastai4j.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import ai.fastai4j.losses.LossFunction;
import ai.fastai4j.losses.Losses;
import ai.fastai4j.nn.Module;
import ai.fastai4j.nn.Parameter;
import ai.fastai4j.optim.Optimizer;
import ai.fastai4j.optim.Optimizers;
import ai.fastai4j.util.NativeMemory;
import ai.fastai4j.vision.models.Arch;
import ai.fastai4j.vision.models.VisionModels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The small parts of a training step, each timed alone over many calls, to find where fastai4j loses time
 * against PyTorch ({@code train_twin.py --parts} times the same parts): the optimizer step (fastai4j's Adam
 * as the Learner runs it, DJL's fused native {@code adamUpdate} with fastai's formula, one JNI call per
 * parameter), zeroGrad, the loss on a (bs, 10) output, the forward pass and forward + backward. Rounds alternate
 * the variants so that load changes hit all of them.
 */
public final class StepPartsBench {
    private StepPartsBench() {}

    static final String USAGE = """
            StepPartsBench: ms per call of the parts of a training step (fastai4j)
              --bs N        batch size (default 256)
              --calls N     calls per part and round (default 20)
              --rounds N    rounds (default 3)
              --arch NAME   fastai4j Arch (default SMALL_RESNET)
              --ops 1       time single tensor ops on the largest parameter instead (the optimizer's building blocks)
              --check 1     check that the fused adamUpdate path gives fastai4j's Adam results (10 steps), then exit
            """;

    public static void main(String[] args) {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("bs", "256");
        d.put("calls", "20");
        d.put("rounds", "3");
        d.put("arch", "SMALL_RESNET");
        d.put("ops", "0");
        d.put("check", "0");
        BenchArgs a = BenchArgs.parse(args, d, USAGE);
        boolean tuned = NativeMemory.tuneMalloc();
        int bs = a.integer("bs");
        int calls = a.integer("calls");
        int rounds = a.integer("rounds");
        Engine.getInstance().setRandomSeed(42);
        System.out.printf(Locale.ROOT, "fastai4j StepPartsBench  %s; intra-op threads %d; malloc tuned %s%n", a,
                JniUtils.getNumThreads(), tuned);
        try (NDManager m = NDManager.newBaseManager()) {
            Module model = VisionModels.createVisionModel(m, Arch.valueOf(a.string("arch")), 1, 10);
            model.train(true);
            List<List<Parameter>> groups = VisionModels.paramGroups(model);
            Optimizer opt = Optimizers.adam().create(groups);
            opt.setHyper("lr", 1e-4);
            LossFunction lossFn = Losses.crossEntropy();
            NDArray x = m.randomUniform(0f, 1f, new Shape(bs, 1, 28, 28));
            NDArray y = m.randomInteger(0, 10, new Shape(bs), DataType.INT64);
            NDArray logits = m.randomNormal(new Shape(bs, 10));
            // gradients to step on
            try (NDScope s = new NDScope(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                s.suppressNotUsedWarning();
                gc.backward(lossFn.compute(model.forward(x), y));
            }
            List<Parameter> params = new ArrayList<>();
            groups.forEach(params::addAll);
            long elements = params.stream().mapToLong(p -> p.data().size()).sum();
            System.out.printf(Locale.ROOT, "%d trainable tensors, %d elements%n", params.size(), elements);
            NDManager state = m.newSubManager();
            List<NDArray[]> fusedState = new ArrayList<>();
            for (Parameter p : params) {
                NDArray mean = state.zeros(p.data().getShape());
                NDArray var = state.zeros(p.data().getShape());
                fusedState.add(new NDArray[] {mean, var});
            }
            long[] fusedStep = {0};

            Map<String, Runnable> parts = new LinkedHashMap<>();
            parts.put("opt.step (fastai4j Adam)", opt::step);
            parts.put("fused adamUpdate (DJL JNI)", () -> fusedAdam(params, fusedState, ++fusedStep[0], 1e-4, 0.9,
                    0.99, 1e-5, 0.01));
            parts.put("zeroGrad", opt::zeroGrad);
            parts.put("loss+getFloat (bs x 10)", () -> {
                try (NDScope s = new NDScope()) {
                    s.suppressNotUsedWarning();
                    lossFn.compute(logits, y).getFloat();
                }
            });
            parts.put("forward (train mode, grad on)", () -> {
                try (NDScope s = new NDScope(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    s.suppressNotUsedWarning();
                    model.forward(x);
                }
            });
            parts.put("forward+backward", () -> {
                try (NDScope s = new NDScope(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    s.suppressNotUsedWarning();
                    gc.backward(lossFn.compute(model.forward(x), y));
                }
            });
            if (a.integer("check") != 0) {
                checkFused(m, params, opt);
                return;
            }
            if (a.integer("ops") != 0) {
                // single ops on the largest parameter (128x128x3x3 for SMALL_RESNET), as the optimizer runs them
                Parameter big = params.stream().max(java.util.Comparator.comparingLong(p -> p.data().size()))
                        .orElseThrow();
                NDArray w = big.data();
                NDArray g = JniUtils.getGradient((PtNDArray) w);
                NDArray buf = state.zeros(w.getShape());
                NDArray stepT = state.create(1L);
                NDArray two = state.create(2f);
                JniUtils.setGradMode(false);
                parts.clear();
                parts.put("op muli(float)", () -> buf.muli(0.9f));
                parts.put("op muli(cached NDArray)", () -> buf.muli(two));
                parts.put("op addi(NDArray)", () -> buf.addi(g));
                parts.put("op square()+close", () -> g.square().close());
                parts.put("op div(float)+close", () -> buf.div(2f).close());
                NDArray pos = state.randomUniform(0f, 1f, w.getShape());
                NDArray neg = state.randomUniform(-1f, 0f, w.getShape());
                parts.put("op sqrt(accumulated)+close", () -> buf.sqrt().close());
                parts.put("op sqrt(x in [0,1))+close", () -> pos.sqrt().close());
                parts.put("op sqrt(x in [-1,0))+close", () -> neg.sqrt().close());
                parts.put("op exp(x in [0,1))+close", () -> pos.exp().close());
                parts.put("op pow(0.5)(x in [0,1))+close", () -> pos.pow(0.5f).close());
                parts.put("getGradient+close", () -> JniUtils.getGradient((PtNDArray) w).close());
                parts.put("scalar addi(1L)+getLong", () -> stepT.addi(1L).getLong());
                parts.put("NDScope open+close", () -> {
                    try (NDScope sc = new NDScope()) {
                        sc.suppressNotUsedWarning();
                    }
                });
                parts.put("opt.step (fastai4j Adam)", opt::step);
                System.out.printf(Locale.ROOT, "single ops on %s (%d elements)%n", big, w.size());
            }
            Map<String, double[]> ms = new LinkedHashMap<>();
            parts.keySet().forEach(k -> ms.put(k, new double[rounds]));
            for (Runnable r : parts.values()) { // warm-up
                r.run();
            }
            for (int round = 0; round < rounds; round++) {
                for (Map.Entry<String, Runnable> e : parts.entrySet()) {
                    int n = e.getKey().startsWith("forward") ? Math.max(1, calls / 5) : calls;
                    long t0 = System.nanoTime();
                    for (int i = 0; i < n; i++) {
                        e.getValue().run();
                    }
                    ms.get(e.getKey())[round] = (System.nanoTime() - t0) / 1e6 / n;
                }
                System.out.printf(Locale.ROOT, "round %d done, load %s%n", round, load());
            }
            StringBuilder res = new StringBuilder("RESULT side=fastai4j parts(min/median ms)");
            for (Map.Entry<String, double[]> e : ms.entrySet()) {
                double[] v = e.getValue().clone();
                Arrays.sort(v);
                System.out.printf(Locale.ROOT, "  %-30s min %9.3f  median %9.3f ms/call  (rounds: %s)%n",
                        e.getKey(), v[0], v[v.length / 2], Arrays.toString(Arrays.stream(e.getValue()).map(z -> Math.round(z * 1000)
                                / 1000.0).toArray()));
                res.append(' ').append(e.getKey().replaceAll("[^A-Za-z+.]+", "_")).append('=')
                        .append(String.format(Locale.ROOT, "%.3f/%.3f", v[0], v[v.length / 2]));
            }
            System.out.println(res);
        }
    }

    /**
     * fastai's Adam step through DJL's native {@code adamUpdate} (one JNI call per parameter): with
     * {@code lrbc = lr*sqrt(debias2)/debias1} and {@code eps' = eps*sqrt(debias2)} its update
     * {@code p -= lrbc*m/(sqrt(v)+eps')} equals fastai's {@code p -= lr/debias1 * m/(sqrt(v/debias2)+eps)};
     * decoupled weight decay {@code p -= lr*wd*p} (wd 0 on bias and norm parameters).
     */
    static void fusedAdam(List<Parameter> params, List<NDArray[]> state, long step, double lr, double mom,
            double sqrMom, double eps, double wd) {
        double debias1 = 1 - Math.pow(mom, step);
        double debias2 = 1 - Math.pow(sqrMom, step);
        float lrbc = (float) (lr * Math.sqrt(debias2) / debias1);
        float epsPrime = (float) (eps * Math.sqrt(debias2));
        boolean grad = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            for (int i = 0; i < params.size(); i++) {
                Parameter p = params.get(i);
                PtNDArray w = (PtNDArray) p.data();
                try (PtNDArray g = JniUtils.getGradient(w)) {
                    NDArray[] s = state.get(i);
                    JniUtils.adamUpdate(w, g, (PtNDArray) s[0], (PtNDArray) s[1], (float) lr, lrbc,
                            p.isBiasOrNorm() ? 0f : (float) wd, 1f, -1f, (float) mom, (float) sqrMom, epsPrime, true);
                }
            }
        } finally {
            JniUtils.setGradMode(grad);
        }
    }

    /**
     * Runs fastai4j's Adam on the model's parameters and the fused path on copies of them, with the same gradients
     * and fastai's one-cycle-like changing lr and mom, and prints the largest difference of the weights.
     */
    static void checkFused(NDManager m, List<Parameter> params, Optimizer opt) {
        JniUtils.setGradMode(false);
        List<NDArray> copies = new ArrayList<>();
        List<NDArray[]> st = new ArrayList<>();
        List<PtNDArray> grads = new ArrayList<>();
        for (Parameter p : params) {
            NDArray c = p.data().duplicate();
            copies.add(c);
            st.add(new NDArray[] {m.zeros(c.getShape()), m.zeros(c.getShape())});
            grads.add(JniUtils.getGradient((PtNDArray) p.data()));
        }
        double maxDiff = 0;
        double maxAbs = 0;
        for (int step = 1; step <= 10; step++) {
            double lr = 1e-3 * step;
            double mom = 0.95 - 0.01 * step;
            opt.setHyper("lr", lr);
            opt.setHyper("mom", mom);
            opt.step();
            double debias1 = 1 - Math.pow(mom, step);
            double debias2 = 1 - Math.pow(0.99, step);
            for (int i = 0; i < params.size(); i++) {
                Parameter p = params.get(i);
                NDArray[] s = st.get(i);
                JniUtils.adamUpdate((PtNDArray) copies.get(i), grads.get(i), (PtNDArray) s[0], (PtNDArray) s[1],
                        (float) lr, (float) (lr * Math.sqrt(debias2) / debias1), p.isBiasOrNorm() ? 0f : 0.01f, 1f,
                        -1f, (float) mom, 0.99f, (float) (1e-5 * Math.sqrt(debias2)), true);
            }
        }
        for (int i = 0; i < params.size(); i++) {
            NDArray w = params.get(i).data();
            maxDiff = Math.max(maxDiff, w.sub(copies.get(i)).abs().max().getFloat());
            maxAbs = Math.max(maxAbs, w.abs().max().getFloat());
        }
        System.out.printf(Locale.ROOT, "fused adamUpdate vs fastai4j Adam after 10 steps: max |difference| %.3g"
                + " (max |weight| %.3g)%n", maxDiff, maxAbs);
        System.out.printf(Locale.ROOT, "RESULT check=fused max_abs_diff=%.3g%n", maxDiff);
    }

    static String load() {
        try {
            String[] f = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (java.io.IOException e) {
            return "?";
        }
    }
}

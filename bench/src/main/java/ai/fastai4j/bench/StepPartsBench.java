package ai.fastai4j.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.fastai4j.engine.Gradients;
import ai.fastai4j.engine.Kernels;
import ai.fastai4j.engine.NativeMemory;
import ai.fastai4j.engine.NoGrad;
import ai.fastai4j.engine.Torch;
import ai.fastai4j.losses.LossFunction;
import ai.fastai4j.losses.Losses;
import ai.fastai4j.nn.Module;
import ai.fastai4j.nn.Parameter;
import ai.fastai4j.optim.Optimizer;
import ai.fastai4j.optim.OptimizerStep;
import ai.fastai4j.optim.OptimizerSteps;
import ai.fastai4j.optim.Optimizers;
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
 * against PyTorch ({@code train_twin.py --parts} times the same parts): the optimizer step in four forms
 * (fastai4j's Adam as the Learner runs it: the fused path; the same Adam's step list with per-step cached
 * scalars, {@code setFused(false)}; the step list as it was before, one native scalar per operation; DJL's
 * {@code adamUpdate} called in a bare loop, the floor), zeroGrad, the loss on a (bs, 10) output, the forward pass
 * and forward + backward. Rounds alternate the variants so that load changes hit all of them.
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
              --check 1     check that fastai4j's fused Adam, its step list and the step list as it was before give
                            the same weights (10 steps, changing lr and mom), then exit
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
        boolean tuned = NativeMemory.requested() && NativeMemory.tuneMalloc(); // -Dfastai4j.malloc.tune=true
        int bs = a.integer("bs");
        int calls = a.integer("calls");
        int rounds = a.integer("rounds");
        Engine.getInstance().setRandomSeed(42);
        System.out.printf(Locale.ROOT, "fastai4j StepPartsBench  %s; intra-op threads %d; malloc tuned %s%n", a,
                Torch.intraOpThreads(), tuned);
        try (NDManager m = NDManager.newBaseManager()) {
            Module model = VisionModels.createVisionModel(m, Arch.valueOf(a.string("arch")), 1, 10);
            model.train(true);
            List<List<Parameter>> groups = VisionModels.paramGroups(model);
            Optimizer opt = Optimizers.adam().create(groups); // as the Learner runs it
            Optimizer stepList = Optimizers.adam().create(groups);
            stepList.setFused(false);
            Optimizer before = beforeAdam(groups);
            for (Optimizer o : List.of(opt, stepList, before)) {
                o.setHyper("lr", 1e-4);
            }
            System.out.printf(Locale.ROOT, "fastai4j Adam as the Learner runs it: fused %s%n", opt.isFused());
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
            parts.put(ADAM, opt::step);
            parts.put(STEP_LIST, stepList::step);
            parts.put(BEFORE, before::step);
            parts.put(BARE, () -> fusedAdam(params, fusedState, ++fusedStep[0], 1e-4, 0.9, 0.99, 1e-5, 0.01));
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
                checkFused(m, model, x, y, lossFn, a.string("arch"));
                return;
            }
            if (a.integer("ops") != 0) {
                // single ops on the largest parameter (128x128x3x3 for SMALL_RESNET), as the optimizer runs them
                Parameter big = params.stream().max(java.util.Comparator.comparingLong(p -> p.data().size()))
                        .orElseThrow();
                NDArray w = big.data();
                NDArray g = Gradients.of(w);
                NDArray buf = state.zeros(w.getShape());
                NDArray stepT = state.create(1L);
                NDArray two = state.create(2f);
                Torch.setGradEnabled(false);
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
                parts.put("getGradient+close", () -> Gradients.of(w).close());
                parts.put("scalar addi(1L)+getLong", () -> stepT.addi(1L).getLong());
                parts.put("NDScope open+close", () -> {
                    try (NDScope sc = new NDScope()) {
                        sc.suppressNotUsedWarning();
                    }
                });
                parts.put(ADAM, opt::step);
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
            if (ms.containsKey(STEP_LIST)) {
                double fused = median(ms.get(ADAM));
                System.out.printf(Locale.ROOT, "optimizer step, median ms: fused (Learner) %.3f; step list %.3f = %.2fx;"
                                + " step list before %.3f = %.2fx; bare adamUpdate loop %.3f = %.2fx%n", fused,
                        median(ms.get(STEP_LIST)), median(ms.get(STEP_LIST)) / fused, median(ms.get(BEFORE)),
                        median(ms.get(BEFORE)) / fused, median(ms.get(BARE)), median(ms.get(BARE)) / fused);
                System.out.printf(Locale.ROOT, "RESULT side=fastai4j adam_ratios step_list_over_fused=%.2f"
                                + " before_over_fused=%.2f bare_over_fused=%.2f%n", median(ms.get(STEP_LIST)) / fused,
                        median(ms.get(BEFORE)) / fused, median(ms.get(BARE)) / fused);
            }
            for (Optimizer o : List.of(opt, stepList, before)) {
                o.close();
            }
        }
    }

    static final String ADAM = "opt.step (Adam, Learner: fused)";
    static final String STEP_LIST = "opt.step (Adam step list)";
    static final String BEFORE = "opt.step (step list before)";
    static final String BARE = "adamUpdate bare loop";

    static double median(double[] v) {
        double[] c = v.clone();
        Arrays.sort(c);
        return c[c.length / 2];
    }

    /**
     * fastai's Adam step list as fastai4j ran it before scalars were cached (every {@code muli(float)} a fresh
     * native scalar): the baseline of the optimizer-step figures in bench/README.md.
     */
    static Optimizer beforeAdam(List<List<Parameter>> groups) {
        List<OptimizerStep> steps = List.of(
                c -> {
                    double wd = c.hyper("wd", 0);
                    if (c.doWd() && wd != 0) {
                        c.param().muli((float) (1 - c.hyper("lr") * wd));
                    }
                },
                c -> {
                    double mom = c.hyper("mom");
                    NDArray avg = c.stateZeros(OptimizerSteps.GRAD_AVG).muli((float) mom);
                    avg.addi(c.grad().mul((float) (1 - mom)));
                },
                c -> {
                    double sqrMom = c.hyper("sqr_mom");
                    NDArray avg = c.stateZeros(OptimizerSteps.SQR_AVG).muli((float) sqrMom);
                    avg.addi(c.grad().square().muli((float) (1 - sqrMom)));
                },
                c -> {
                    NDArray s = c.state().get(OptimizerSteps.STEP);
                    if (s == null) {
                        c.putState(OptimizerSteps.STEP, c.param().getManager().create(1L));
                    } else {
                        s.addi(1L);
                    }
                },
                c -> {
                    double mom = c.hyper("mom");
                    double sqrMom = c.hyper("sqr_mom");
                    long step = c.step();
                    double debias1 = OptimizerSteps.debias(mom, 1 - mom, step);
                    double debias2 = OptimizerSteps.debias(sqrMom, 1 - sqrMom, step);
                    NDArray denom = c.state().get(OptimizerSteps.SQR_AVG).div((float) debias2).sqrt()
                            .addi((float) c.hyper("eps"));
                    c.param().subi(c.state().get(OptimizerSteps.GRAD_AVG).div(denom)
                            .muli((float) (c.hyper("lr") / debias1)));
                });
        Map<String, Double> hypers = new LinkedHashMap<>();
        hypers.put("lr", 1e-3);
        hypers.put("mom", 0.9);
        hypers.put("sqr_mom", 0.99);
        hypers.put("eps", 1e-5);
        hypers.put("wd", 0.01);
        return new Optimizer(groups, steps, hypers);
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
        try (NoGrad noGrad = NoGrad.enter()) {
            for (int i = 0; i < params.size(); i++) {
                Parameter p = params.get(i);
                NDArray w = p.data();
                try (NDArray g = Gradients.of(w)) {
                    NDArray[] s = state.get(i);
                    Kernels.adamUpdate(w, g, s[0], s[1], new Kernels.AdamArgs((float) lr, lrbc,
                            p.isBiasOrNorm() ? 0f : (float) wd, (float) mom, (float) sqrMom, epsPrime));
                }
            }
        }
    }

    /**
     * Three copies of the model (same weights, same gradients): fastai4j's Adam as the Learner runs it (fused), its
     * step list and the step list as it was before, 10 steps with fastai's one-cycle-like changing lr and mom;
     * prints the largest weight differences.
     */
    static void checkFused(NDManager m, Module model, NDArray x, NDArray y, LossFunction lossFn, String arch) {
        List<Module> models = new ArrayList<>(List.of(model));
        for (int k = 0; k < 2; k++) {
            Module copy = VisionModels.createVisionModel(m, Arch.valueOf(arch), 1, 10);
            copy.train(true);
            try (NDScope s = new NDScope(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                s.suppressNotUsedWarning();
                gc.backward(lossFn.compute(copy.forward(x), y)); // gradients exist; overwritten below
            }
            models.add(copy);
        }
        List<List<Parameter>> ref = VisionModels.paramGroups(model);
        List<Parameter> refParams = new ArrayList<>();
        ref.forEach(refParams::addAll);
        List<List<List<Parameter>>> groups = new ArrayList<>();
        for (Module md : models) {
            List<List<Parameter>> g = VisionModels.paramGroups(md);
            List<Parameter> flat = new ArrayList<>();
            g.forEach(flat::addAll);
            Torch.setGradEnabled(false);
            for (int i = 0; md != model && i < flat.size(); i++) {
                flat.get(i).copyFrom(refParams.get(i).data());
                try (NDArray src = Gradients.of(refParams.get(i).data());
                        NDArray dst = Gradients.of(flat.get(i).data())) {
                    dst.set(new ai.djl.ndarray.index.NDIndex("..."), src);
                }
            }
            groups.add(g);
        }
        Optimizer fused = Optimizers.adam().create(groups.get(0));
        Optimizer list = Optimizers.adam().create(groups.get(1));
        list.setFused(false);
        Optimizer before = beforeAdam(groups.get(2));
        List<Optimizer> opts = List.of(fused, list, before);
        for (int step = 1; step <= 10; step++) {
            for (Optimizer o : opts) {
                o.setHyper("lr", 1e-3 * step);
                o.setHyper("mom", 0.95 - 0.01 * step);
                o.step();
            }
        }
        double[] diff = new double[3];
        double maxAbs = 0;
        List<List<Parameter>> flat = new ArrayList<>();
        for (List<List<Parameter>> g : groups) {
            List<Parameter> f = new ArrayList<>();
            g.forEach(f::addAll);
            flat.add(f);
        }
        for (int i = 0; i < flat.get(0).size(); i++) {
            try (NDScope s = new NDScope()) {
                s.suppressNotUsedWarning();
                NDArray f = flat.get(0).get(i).data();
                NDArray l = flat.get(1).get(i).data();
                NDArray b = flat.get(2).get(i).data();
                diff[0] = Math.max(diff[0], f.sub(b).abs().max().getFloat());
                diff[1] = Math.max(diff[1], l.sub(b).abs().max().getFloat());
                diff[2] = Math.max(diff[2], f.sub(l).abs().max().getFloat());
                maxAbs = Math.max(maxAbs, b.abs().max().getFloat());
            }
        }
        opts.forEach(Optimizer::close);
        System.out.printf(Locale.ROOT, "after 10 steps, max |difference| of the weights (max |weight| %.3g): fused vs"
                + " before %.3g, step list vs before %.3g, fused vs step list %.3g%n", maxAbs, diff[0], diff[1], diff[2]);
        System.out.printf(Locale.ROOT, "RESULT check=fused fused_vs_before=%.3g step_list_vs_before=%.3g%n", diff[0],
                diff[1]);
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

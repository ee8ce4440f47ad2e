package ai.fastai4j.optim;

import static ai.fastai4j.optim.TestParams.backward;
import static ai.fastai4j.optim.TestParams.d;
import static ai.fastai4j.optim.TestParams.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.fastai4j.engine.Torch;
import ai.fastai4j.nn.Linear;
import ai.fastai4j.nn.Parameter.Kind;
import ai.fastai4j.nn.Parameter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OptimizerTest {

    private static final double TOL = 1e-6;

    @Test
    void adamDecoupledThreeStepsMatchesFastaiFormulas() {
        try (NDManager m = NDManager.newBaseManager(); TestParams net = new TestParams(m)) {
            float[] p0 = {0.5f, -0.8f, 0.3f, 1.0f};
            Parameter p = net.add("w", Kind.WEIGHT, p0);
            float[][] grads = {{0.1f, -0.2f, 0.3f, 0f}, {0.5f, 0.1f, -0.4f, 0.2f}, {-0.3f, 0.2f, 0.05f, 0.7f}};
            try (Optimizer opt = Optimizers.adam().create(List.of(List.of(p)))) {
                opt.setHyper("lr", 0.1);
                double lr = 0.1;
                double mom = 0.9;
                double sqrMom = 0.99;
                double eps = 1e-5;
                double wd = 0.01;
                assertEquals(mom, opt.hyper("mom", 0));
                assertEquals(sqrMom, opt.hyper("sqr_mom", 0));
                assertEquals(eps, opt.hyper("eps", 0));
                assertEquals(wd, opt.hyper("wd", 0));
                double[] hp = d(p0);
                double[] avg = new double[4];
                double[] sqr = new double[4];
                for (int step = 1; step <= 3; step++) {
                    backward(p, grads[step - 1]);
                    opt.step();
                    opt.zeroGrad();
                    for (int j = 0; j < 4; j++) {
                        double g = grads[step - 1][j];
                        hp[j] *= 1 - lr * wd;
                        avg[j] = mom * avg[j] + (1 - mom) * g;
                        sqr[j] = sqrMom * sqr[j] + (1 - sqrMom) * g * g;
                        hp[j] -= lr / (1 - Math.pow(mom, step))
                                * avg[j] / (Math.sqrt(sqr[j] / (1 - Math.pow(sqrMom, step))) + eps);
                    }
                    assertArrayEquals(hp, values(p), TOL, "after step " + step);
                }
                assertEquals(3, opt.state(0, 0).get("step").getLong());
                assertArrayEquals(avg, d(opt.state(0, 0).get("grad_avg").toFloatArray()), TOL);
                assertArrayEquals(sqr, d(opt.state(0, 0).get("sqr_avg").toFloatArray()), TOL);
            }
        }
    }

    @Test
    void stepRestoresGradMode() {
        try (NDManager m = NDManager.newBaseManager(); TestParams net = new TestParams(m)) {
            Parameter p = net.add("w", Kind.WEIGHT, 1f, 2f);
            try (Optimizer opt = Optimizers.adam().create(List.of(List.of(p)))) {
                boolean before = Torch.isGradEnabled();
                try {
                    backward(p, 1f, 1f);
                    Torch.setGradEnabled(true);
                    opt.step();
                    assertTrue(Torch.isGradEnabled());
                    Torch.setGradEnabled(false);
                    opt.step();
                    assertFalse(Torch.isGradEnabled());
                } finally {
                    Torch.setGradEnabled(before);
                }
            }
        }
    }

    @Test
    void noWeightDecayOnBiasAndNormByDefault() {
        try (NDManager m = NDManager.newBaseManager(); TestParams net = new TestParams(m)) {
            Parameter w = net.add("w", Kind.WEIGHT, 1f, 1f);
            Parameter b = net.add("b", Kind.BIAS, 1f, 1f);
            Parameter n = net.add("n", Kind.NORM, 1f, 1f);
            Parameter frozen = net.add("f", Kind.WEIGHT, 1f, 1f);
            Parameter noGrad = net.add("g", Kind.WEIGHT, 1f, 1f);
            frozen.setTrainable(false);
            try (Optimizer opt = Optimizers.sgd(0, 0.1).create(List.of(List.of(w, b, n, frozen, noGrad)))) {
                opt.setHyper("lr", 0.1);
                assertFalse(opt.wdBnBias());
                // zero gradients through a real backward; noGrad is not part of the loss, frozen has no grad
                backward(new Parameter[] {w, b, n}, new float[][] {{0f, 0f}, {0f, 0f}, {0f, 0f}});
                opt.step();
                double decayed = (float) (1 - 0.1 * 0.1);
                assertArrayEquals(new double[] {decayed, decayed}, values(w), TOL);
                assertArrayEquals(new double[] {1, 1}, values(b), 0);
                assertArrayEquals(new double[] {1, 1}, values(n), 0);
                assertArrayEquals(new double[] {1, 1}, values(frozen), 0);
                assertArrayEquals(new double[] {1, 1}, values(noGrad), 0, "parameters without a gradient are skipped");

                opt.setWdBnBias(true);
                opt.step();
                assertArrayEquals(new double[] {decayed * decayed, decayed * decayed}, values(w), TOL);
                assertArrayEquals(new double[] {decayed, decayed}, values(b), TOL);
                assertArrayEquals(new double[] {decayed, decayed}, values(n), TOL);
                assertArrayEquals(new double[] {1, 1}, values(frozen), 0);
            }
        }
    }

    @Test
    void l2AndDecoupledWeightDecayDiffer() {
        float[] p0 = {0.5f, -1.0f};
        float[] g = {0.02f, 0.3f};
        double lr = 0.1;
        double wd = 0.1;
        double eps = 1e-5;
        double[] decoupled = new double[2];
        double[] l2 = new double[2];
        for (int j = 0; j < 2; j++) {
            // one Adam step: grad_avg/debias1 = g and sqrt(sqr_avg/debias2) = |g|
            double pd = p0[j] * (1 - lr * wd);
            decoupled[j] = pd - lr * g[j] / (Math.abs(g[j]) + eps);
            double gl = g[j] + wd * p0[j];
            l2[j] = p0[j] - lr * gl / (Math.abs(gl) + eps);
        }
        double[][] got = new double[2][];
        for (int mode = 0; mode < 2; mode++) {
            try (NDManager m = NDManager.newBaseManager(); TestParams net = new TestParams(m)) {
                Parameter p = net.add("w", Kind.WEIGHT, p0);
                try (Optimizer opt = Optimizers.adam(0.9, 0.99, eps, wd, mode == 0).create(List.of(List.of(p)))) {
                    opt.setHyper("lr", lr);
                    backward(p, g);
                    opt.step();
                    got[mode] = values(p);
                }
            }
        }
        assertArrayEquals(decoupled, got[0], TOL);
        assertArrayEquals(l2, got[1], TOL);
        assertNotEquals(got[0][0], got[1][0], 1e-3);
    }

    @Test
    void sgdWithMomentumTwoSteps() {
        try (NDManager m = NDManager.newBaseManager(); TestParams net = new TestParams(m)) {
            float[] p0 = {1f, -0.5f};
            float[] g1 = {0.2f, 0.4f};
            float[] g2 = {-0.1f, 0.3f};
            Parameter p = net.add("w", Kind.WEIGHT, p0);
            try (Optimizer opt = Optimizers.sgd(0.9, 0).create(List.of(List.of(p)))) {
                opt.setHyper("lr", 0.1);
                backward(p, g1);
                opt.step();
                opt.zeroGrad();
                double[] avg = d(g1);
                double[] hp = new double[2];
                for (int j = 0; j < 2; j++) {
                    hp[j] = p0[j] - 0.1 * avg[j];
                }
                assertArrayEquals(hp, values(p), TOL);
                backward(p, g2);
                opt.step();
                for (int j = 0; j < 2; j++) {
                    avg[j] = 0.9 * avg[j] + g2[j];
                    hp[j] -= 0.1 * avg[j];
                }
                assertArrayEquals(hp, values(p), TOL);
                assertArrayEquals(avg, d(opt.state(0, 0).get("grad_avg").toFloatArray()), TOL);
            }
        }
    }

    @Test
    void plainSgdHasNoState() {
        try (NDManager m = NDManager.newBaseManager(); TestParams net = new TestParams(m)) {
            Parameter p = net.add("w", Kind.WEIGHT, 1f, 2f);
            try (Optimizer opt = Optimizers.sgd().create(List.of(List.of(p)))) {
                opt.setHyper("lr", 0.5);
                backward(p, 1f, -2f);
                opt.step();
                assertArrayEquals(new double[] {0.5, 3.0}, values(p), TOL);
                assertTrue(opt.state(0, 0).isEmpty());
                assertEquals(0.0, opt.hyper("mom", 0));
            }
        }
    }

    @Test
    void radamSixStepsWithRectificationFromStepSix() {
        try (NDManager m = NDManager.newBaseManager(); TestParams net = new TestParams(m)) {
            float[] p0 = {0.4f, -0.6f, 0.2f};
            Parameter p = net.add("w", Kind.WEIGHT, p0);
            double lr = 0.01;
            double mom = 0.9;
            double sqrMom = 0.99;
            double eps = 1e-5;
            try (Optimizer opt = Optimizers.radam().create(List.of(List.of(p)))) {
                opt.setHyper("lr", lr);
                assertEquals(0.0, opt.hyper("wd", 0));
                double[] hp = d(p0);
                double[] avg = new double[3];
                double[] sqr = new double[3];
                for (int step = 1; step <= 6; step++) {
                    float[] g = {0.1f * step, -0.2f, step % 2 == 0 ? 0.05f : -0.05f};
                    backward(p, g);
                    opt.step();
                    opt.zeroGrad();
                    double debias1 = 1 - Math.pow(mom, step);
                    double debias2 = 1 - Math.pow(sqrMom, step);
                    double rInf = 2 / (1 - sqrMom) - 1;
                    double r = rInf - 2 * step * Math.pow(sqrMom, step) / (1 - Math.pow(sqrMom, step));
                    assertEquals(step == 6, r > 5, "rectification starts at step 6 with sqr_mom 0.99");
                    for (int j = 0; j < 3; j++) {
                        avg[j] = mom * avg[j] + (1 - mom) * g[j];
                        sqr[j] = sqrMom * sqr[j] + (1 - sqrMom) * g[j] * g[j];
                        if (r > 5) {
                            double v = Math.sqrt(((r - 4) * (r - 2) * rInf) / ((rInf - 4) * (rInf - 2) * r));
                            hp[j] -= lr * v / debias1 * avg[j] / (Math.sqrt(sqr[j] / debias2) + eps);
                        } else {
                            hp[j] -= lr / debias1 * avg[j];
                        }
                    }
                    assertArrayEquals(hp, values(p), TOL, "after step " + step);
                }
            }
        }
    }

    @Test
    void lambOneStepWithAndWithoutClipping() {
        double lr = 0.1;
        double eps = 1e-5;
        float[][] p0s = {{0.3f, -0.4f}, {30f, -40f, 50f}};
        float[][] gs = {{0.1f, -0.05f}, {0.2f, 0.1f, -0.3f}};
        for (int c = 0; c < 2; c++) {
            float[] p0 = p0s[c];
            float[] g = gs[c];
            try (NDManager m = NDManager.newBaseManager(); TestParams net = new TestParams(m)) {
                Parameter p = net.add("w", Kind.WEIGHT, p0);
                try (Optimizer opt = Optimizers.lamb().create(List.of(List.of(p)))) {
                    opt.setHyper("lr", lr);
                    backward(p, g);
                    opt.step();
                    // one step: grad_avg/debias1 = g, sqrt(sqr_avg/debias2) = |g|
                    int n = p0.length;
                    double[] step = new double[n];
                    double s1 = 0;
                    double s2 = 0;
                    for (int j = 0; j < n; j++) {
                        step[j] = g[j] / (Math.abs(g[j]) + eps);
                        s1 += (double) p0[j] * p0[j];
                        s2 += step[j] * step[j];
                    }
                    double r1 = Math.sqrt(s1 / n);
                    double r2 = Math.sqrt(s2 / n);
                    assertEquals(c == 1, r1 / r2 > 10);
                    double q = Math.min(r1 / r2, 10);
                    double[] expected = new double[n];
                    for (int j = 0; j < n; j++) {
                        expected[j] = p0[j] - lr * q * step[j];
                    }
                    assertArrayEquals(expected, values(p), c == 0 ? TOL : 1e-5);
                }
            }
        }
    }

    @Test
    void lookaheadSyncsSlowWeightsEveryKSteps() {
        try (NDManager m = NDManager.newBaseManager(); TestParams net = new TestParams(m)) {
            float[] p0 = {1f, 2f};
            float[] g = {0.5f, -1f};
            Parameter p = net.add("w", Kind.WEIGHT, p0);
            try (Optimizer opt = Optimizers.lookahead(Optimizers.sgd(), 3, 0.5).create(List.of(List.of(p)))) {
                Lookahead la = (Lookahead) opt;
                assertNull(la.slowWeights(0, 0));
                opt.setHyper("lr", 0.1);
                double[] expected = new double[2];
                for (int step = 1; step <= 4; step++) {
                    backward(p, g);
                    opt.step();
                    opt.zeroGrad();
                    double[] slow = new double[2];
                    for (int j = 0; j < 2; j++) {
                        double fast = p0[j] - 0.1 * step * g[j];
                        double synced = p0[j] + 0.5 * (-0.3 * g[j]); // slow weights after the sync at step 3
                        slow[j] = step < 3 ? p0[j] : synced;
                        expected[j] = step < 3 ? fast : step == 3 ? synced : synced - 0.1 * g[j];
                    }
                    assertArrayEquals(expected, values(p), TOL, "weights after step " + step);
                    assertArrayEquals(slow, d(la.slowWeights(0, 0).toFloatArray()), TOL, "slow after step " + step);
                    assertEquals(step, la.count());
                }
            }
        }
    }

    @Test
    void rangerDefaults() {
        try (NDManager m = NDManager.newBaseManager(); TestParams net = new TestParams(m)) {
            Parameter p = net.add("w", Kind.WEIGHT, 1f);
            try (Optimizer opt = Optimizers.ranger().create(List.of(List.of(p)))) {
                Lookahead la = (Lookahead) opt;
                assertEquals(6, la.k());
                assertEquals(0.5, la.alpha());
                assertEquals(0.95, opt.hyper("mom", 0));
                assertEquals(0.99, opt.hyper("sqr_mom", 0));
                assertEquals(1e-6, opt.hyper("eps", 0));
                assertEquals(0.01, opt.hyper("wd", 0));
            }
        }
    }

    @Test
    void perGroupHypers() {
        try (NDManager m = NDManager.newBaseManager(); TestParams net = new TestParams(m)) {
            Parameter a = net.add("a", Kind.WEIGHT, 1f);
            Parameter b = net.add("b", Kind.WEIGHT, 1f);
            try (Optimizer opt = Optimizers.sgd().create(List.of(List.of(a), List.of(b)))) {
                assertEquals(2, opt.groupCount());
                assertEquals(List.of(List.of(a), List.of(b)), opt.groups());
                opt.setHyper("lr", new double[] {0.01, 0.1});
                assertEquals(0.01, opt.hyper("lr", 0));
                assertEquals(0.1, opt.hyper("lr", 1));
                backward(new Parameter[] {a, b}, new float[][] {{1f}, {1f}});
                opt.step();
                assertArrayEquals(new double[] {0.99}, values(a), TOL);
                assertArrayEquals(new double[] {0.9}, values(b), TOL);

                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> opt.setHyper("lr", new double[] {1, 2, 3}));
                assertTrue(e.getMessage().contains("lr"), e.getMessage());

                opt.setHyper("lr", Slice.of(1e-3));
                assertArrayEquals(new double[] {1e-4, 1e-3}, opt.hypers("lr"), 1e-15);
                opt.setHyper("mom", 0.5);
                assertArrayEquals(new double[] {0.5, 0.5}, opt.hypers("mom"), 0);
                assertTrue(opt.hasHyper("wd"));
                assertFalse(opt.hasHyper("nope"));
                assertThrows(IllegalArgumentException.class, () -> opt.hyper("nope", 0));
            }
        }
    }

    @Test
    void stateDictRoundTripAdam() {
        roundTrip(Optimizers.adam(), false);
    }

    @Test
    void stateDictRoundTripLookaheadRadam() {
        roundTrip(Optimizers.lookahead(Optimizers.radam(0.95, 0.99, 1e-6, 0.01, true), 3, 0.5), true);
    }

    private static void roundTrip(OptimizerFactory f, boolean lookahead) {
        float[][] g = {{0.1f, -0.2f, 0.3f}, {0.05f, 0.02f}};
        try (NDManager m = NDManager.newBaseManager(); TestParams na = new TestParams(m);
                TestParams nb = new TestParams(m)) {
            Parameter a1 = na.add("w", Kind.WEIGHT, 0.5f, -0.3f, 0.8f);
            Parameter a2 = na.add("b", Kind.BIAS, 0.1f, 0.2f);
            Map<String, NDArray> sd;
            try (Optimizer oa = f.create(List.of(List.of(a1), List.of(a2)))) {
                oa.setHyper("lr", new double[] {0.01, 0.05});
                for (int s = 1; s <= 2; s++) {
                    float k = s;
                    backward(new Parameter[] {a1, a2}, new float[][] {scale(g[0], k), scale(g[1], -k)});
                    oa.step();
                    oa.zeroGrad();
                }
                sd = oa.stateDict();
                assertTrue(sd.containsKey("hyper.group1.lr"));
                assertTrue(sd.containsKey("group0.param0.grad_avg"));
                assertTrue(sd.containsKey("group1.param0.sqr_avg"));
                assertEquals(2, sd.get("group0.param0.step").getLong());
                assertEquals(lookahead, sd.containsKey("lookahead.count"));
                assertEquals(lookahead, sd.containsKey("lookahead.group0.param0.slow_weights"));
                // copies of the parameters as they are now
                Parameter b1 = nb.add("w", Kind.WEIGHT, a1.data().toFloatArray());
                Parameter b2 = nb.add("b", Kind.BIAS, a2.data().toFloatArray());
                try (Optimizer ob = f.create(List.of(List.of(b1), List.of(b2)))) {
                    ob.loadStateDict(sd);
                    assertEquals(0.05, ob.hyper("lr", 1));
                    backward(new Parameter[] {a1, a2, b1, b2}, new float[][] {g[0], g[1], g[0], g[1]});
                    oa.step();
                    ob.step();
                    assertArrayEquals(values(a1), values(b1), 0);
                    assertArrayEquals(values(a2), values(b2), 0);
                    if (lookahead) {
                        assertEquals(3, ((Lookahead) ob).count());
                    }
                }
            }
            // the copies outlive the optimizer that produced them
            assertEquals(2, sd.get("group0.param0.step").getLong());
            sd.values().forEach(NDArray::close);
        }
    }

    private static float[] scale(float[] v, float k) {
        float[] out = v.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] *= k;
        }
        return out;
    }

    @Test
    void loadStateDictRejectsMismatches() {
        try (NDManager m = NDManager.newBaseManager(); TestParams net = new TestParams(m)) {
            Parameter p = net.add("w", Kind.WEIGHT, 1f, 2f);
            try (Optimizer opt = Optimizers.adam().create(List.of(List.of(p)))) {
                Map<String, NDArray> bad = new HashMap<>();
                bad.put("hyper.group1.lr", m.create(0.1));
                assertThrows(IllegalArgumentException.class, () -> opt.loadStateDict(bad));
                bad.clear();
                bad.put("group0.param0.grad_avg", m.create(new float[] {1, 2, 3}));
                assertThrows(IllegalArgumentException.class, () -> opt.loadStateDict(bad));
                bad.clear();
                bad.put("whatever", m.create(1f));
                assertThrows(IllegalArgumentException.class, () -> opt.loadStateDict(bad));
            }
        }
    }

    @Test
    void noLeakOverManySteps() {
        List<OptimizerFactory> factories = List.of(Optimizers.adam(), Optimizers.sgd(0.9, 0.01), Optimizers.radam(),
                Optimizers.lamb(), Optimizers.ranger(), Optimizers.adam(0.9, 0.99, 1e-5, 0.01, false));
        for (OptimizerFactory f : factories) {
            try (NDManager m = NDManager.newBaseManager()) {
                Linear lin = new Linear(m, 4, 3, true);
                NDArray x = m.randomNormal(new Shape(8, 4));
                int baseline = m.getManagedArrays().size();
                Optimizer opt = f.create(List.of(lin.parameters()));
                trainStep(lin, x, opt);
                int afterFirst = m.getManagedArrays().size();
                assertTrue(afterFirst >= baseline);
                for (int i = 0; i < 20; i++) {
                    trainStep(lin, x, opt);
                }
                assertEquals(afterFirst, m.getManagedArrays().size());
                // the optimizer must clean up after itself even when the caller has no scope open
                for (int i = 0; i < 5; i++) {
                    try (NDScope scope = new NDScope();
                            GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        scope.suppressNotUsedWarning();
                        gc.backward(lin.forward(x).square().mean());
                    }
                    opt.step();
                    opt.zeroGrad();
                }
                assertEquals(afterFirst, m.getManagedArrays().size());
                Map<String, NDArray> sd = opt.stateDict();
                assertEquals(afterFirst + sd.size(), m.getManagedArrays().size());
                sd.values().forEach(NDArray::close);
                opt.close();
                assertEquals(baseline, m.getManagedArrays().size());
            }
        }
    }

    private static void trainStep(Linear lin, NDArray x, Optimizer opt) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(lin.forward(x).square().mean());
            }
            opt.step();
            opt.zeroGrad();
        }
    }
}

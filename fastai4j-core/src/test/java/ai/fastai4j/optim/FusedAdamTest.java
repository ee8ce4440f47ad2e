package ai.fastai4j.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.fastai4j.nn.Parameter;
import ai.fastai4j.nn.Parameter.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The fused Adam path and the step list with cached scalars against the step list as it was before either
 * existed (copied below: every scalar a fresh DJL array), on the same parameters and gradients.
 */
class FusedAdamTest {

    /** fastai's Adam step list exactly as OptimizerSteps had it before scalars were cached: the reference. */
    static final List<OptimizerStep> REFERENCE_ADAM = List.of(
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

    static Optimizer reference(List<List<Parameter>> groups) {
        return new Optimizer(groups, REFERENCE_ADAM, Map.of("lr", 1e-3, "mom", 0.9, "sqr_mom", 0.99, "eps", 1e-5,
                "wd", 0.01));
    }

    /** Three parameter groups: weights, a bias, a norm weight, a frozen weight, one never in the loss, one late. */
    private static final class Net implements AutoCloseable {
        final TestParams params;
        final List<Parameter> all = new ArrayList<>();
        final Parameter frozen;
        final Parameter noGrad;
        final Parameter late;
        final List<List<Parameter>> groups;

        Net(NDManager m, long seed) {
            params = new TestParams(m);
            Random r = new Random(seed);
            Parameter w0 = add("w0", Kind.WEIGHT, r, 12);
            Parameter b0 = add("b0", Kind.BIAS, r, 3);
            Parameter w1 = add("w1", Kind.WEIGHT, r, 8);
            Parameter n1 = add("n1", Kind.NORM, r, 4);
            frozen = add("frozen", Kind.WEIGHT, r, 5);
            frozen.setTrainable(false);
            noGrad = add("noGrad", Kind.WEIGHT, r, 5);
            late = add("late", Kind.WEIGHT, r, 6);
            Parameter w2 = add("w2", Kind.WEIGHT, r, 7);
            groups = List.of(List.of(w0, b0), List.of(w1, n1, frozen, noGrad), List.of(late, w2));
        }

        private Parameter add(String name, Kind kind, Random r, int n) {
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
                v[i] = (float) r.nextGaussian();
            }
            Parameter p = params.add(name, kind, v);
            all.add(p);
            return p;
        }

        /** Gradients for step {@code step}: every parameter but frozen and noGrad; late only from step 4. */
        void backward(Random r, int step) {
            List<Parameter> ps = new ArrayList<>();
            List<float[]> cs = new ArrayList<>();
            for (Parameter p : all) {
                if (p == frozen || p == noGrad || (p == late && step < 4)) {
                    continue;
                }
                float[] c = new float[(int) p.data().size()];
                for (int i = 0; i < c.length; i++) {
                    c[i] = (float) (r.nextGaussian() * (i % 3 == 0 ? 1e-3 : 0.5));
                }
                ps.add(p);
                cs.add(c);
            }
            TestParams.backward(ps.toArray(new Parameter[0]), cs.toArray(new float[0][]));
        }

        @Override
        public void close() {
            params.close();
        }
    }

    /** Runs {@code steps} steps on each net with the same gradients and a one-cycle-like changing lr and mom. */
    private static void train(List<Net> nets, List<Optimizer> opts, int from, int to) {
        for (int step = from; step <= to; step++) {
            for (int k = 0; k < nets.size(); k++) {
                Optimizer o = opts.get(k);
                double f = 0.5 + 0.1 * step;
                o.setHyper("lr", new double[] {1e-3 * f, 1e-2 * f, 5e-2 * f});
                o.setHyper("mom", 0.95 - 0.01 * step);
                nets.get(k).backward(new Random(1000 + step), step); // same gradients for every net
                o.step();
                o.zeroGrad();
            }
        }
    }

    private static double maxDiff(Net a, Net b) {
        double max = 0;
        for (int i = 0; i < a.all.size(); i++) {
            float[] x = a.all.get(i).data().toFloatArray();
            float[] y = b.all.get(i).data().toFloatArray();
            for (int j = 0; j < x.length; j++) {
                max = Math.max(max, Math.abs(x[j] - y[j]));
            }
        }
        return max;
    }

    @Test
    void fusedAndCachedStepListGiveTheReferenceWeights() {
        try (NDManager m = NDManager.newBaseManager(); Net fusedNet = new Net(m, 7); Net listNet = new Net(m, 7);
                Net refNet = new Net(m, 7)) {
            float[] frozen0 = fusedNet.frozen.data().toFloatArray();
            float[] noGrad0 = fusedNet.noGrad.data().toFloatArray();
            float[] late0 = fusedNet.late.data().toFloatArray();
            try (Optimizer fused = Optimizers.adam(0.9, 0.99, 1e-5, 0.1, true).create(fusedNet.groups);
                    Optimizer list = Optimizers.adam(0.9, 0.99, 1e-5, 0.1, true).create(listNet.groups);
                    Optimizer ref = reference(refNet.groups)) {
                list.setFused(false);
                ref.setHyper("wd", 0.1);
                assertTrue(fused.isFused());
                assertFalse(list.isFused());
                assertFalse(ref.isFused(), "other step lists never take the fused path");
                List<Net> nets = List.of(fusedNet, listNet, refNet);
                List<Optimizer> opts = List.of(fused, list, ref);
                train(nets, opts, 1, 3);
                assertArrayEquals(late0, fusedNet.late.data().toFloatArray(), "no gradient yet: untouched");
                assertNull(fused.state(2, 0).get(OptimizerSteps.STEP));
                train(nets, opts, 4, 10);

                assertEquals(0.0, maxDiff(listNet, refNet), "cached scalars: bit for bit the reference");
                double d = maxDiff(fusedNet, refNet);
                assertTrue(d <= 1e-6, "fused vs reference after 10 steps: max |diff| " + d);
                // the weights moved: the comparison means something
                try (Net start = new Net(m, 7)) {
                    assertTrue(maxDiff(fusedNet, start) > 1e-2);
                }
                assertArrayEquals(frozen0, fusedNet.frozen.data().toFloatArray(), 0f);
                assertArrayEquals(noGrad0, fusedNet.noGrad.data().toFloatArray(), 0f);
                // the same state, counted per parameter
                assertEquals(10, fused.state(0, 0).get(OptimizerSteps.STEP).getLong());
                assertEquals(7, fused.state(2, 0).get(OptimizerSteps.STEP).getLong());
                assertEquals(7, ref.state(2, 0).get(OptimizerSteps.STEP).getLong());
                assertTrue(fused.state(1, 2).isEmpty());
                assertTrue(fused.state(1, 3).isEmpty());
                for (int g = 0; g < 3; g++) {
                    for (int i = 0; i < fusedNet.groups.get(g).size(); i++) {
                        for (String key : List.of(OptimizerSteps.GRAD_AVG, OptimizerSteps.SQR_AVG)) {
                            NDArray a = fused.state(g, i).get(key);
                            NDArray b = ref.state(g, i).get(key);
                            assertEquals(a == null, b == null, key);
                            if (a != null) {
                                assertArrayEquals(b.toFloatArray(), a.toFloatArray(), 1e-7f, g + "/" + i + " " + key);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void fusedWithoutWeightDecayOnBiasAndNorm() {
        // a bias with wd would lose lr*wd*p = 0.1*0.5*p per step: far more than the tolerance
        try (NDManager m = NDManager.newBaseManager(); Net fusedNet = new Net(m, 3); Net refNet = new Net(m, 3)) {
            try (Optimizer fused = Optimizers.adam(0.9, 0.99, 1e-5, 0.5, true).create(fusedNet.groups);
                    Optimizer ref = reference(refNet.groups)) {
                ref.setHyper("wd", 0.5);
                train(List.of(fusedNet, refNet), List.of(fused, ref), 1, 4);
                assertTrue(maxDiff(fusedNet, refNet) <= 1e-6, "max |diff| " + maxDiff(fusedNet, refNet));
                // and wd_bn_bias reaches the fused path too
                fused.setWdBnBias(true);
                ref.setWdBnBias(true);
                train(List.of(fusedNet, refNet), List.of(fused, ref), 5, 7);
                assertTrue(maxDiff(fusedNet, refNet) <= 1e-6, "max |diff| " + maxDiff(fusedNet, refNet));
            }
        }
    }

    @Test
    void switchingPathsKeepsOneState() {
        try (NDManager m = NDManager.newBaseManager(); Net a = new Net(m, 11); Net refNet = new Net(m, 11)) {
            try (Optimizer opt = Optimizers.adam().create(a.groups); Optimizer ref = reference(refNet.groups)) {
                List<Net> nets = List.of(a, refNet);
                List<Optimizer> opts = List.of(opt, ref);
                train(nets, opts, 1, 3);
                opt.setFused(false);
                train(nets, opts, 4, 6);
                opt.setFused(true);
                train(nets, opts, 7, 9);
                assertTrue(maxDiff(a, refNet) <= 1e-6, "max |diff| " + maxDiff(a, refNet));
                assertEquals(9, opt.state(0, 1).get(OptimizerSteps.STEP).getLong());
                assertEquals(6, opt.state(2, 0).get(OptimizerSteps.STEP).getLong());
            }
        }
    }

    @Test
    void stateDictMovesBetweenPaths() {
        try (NDManager m = NDManager.newBaseManager(); Net a = new Net(m, 5); Net b = new Net(m, 5);
                Net refNet = new Net(m, 5)) {
            try (Optimizer fused = Optimizers.adam().create(a.groups); Optimizer ref = reference(refNet.groups)) {
                train(List.of(a, refNet), List.of(fused, ref), 1, 5);
                try (Optimizer list = Optimizers.adam().create(b.groups)) {
                    list.setFused(false);
                    for (int i = 0; i < a.all.size(); i++) {
                        b.all.get(i).copyFrom(a.all.get(i).data());
                    }
                    Map<String, NDArray> sd = fused.stateDict();
                    list.loadStateDict(sd);
                    sd.values().forEach(NDArray::close);
                    train(List.of(b, refNet), List.of(list, ref), 6, 8);
                    assertTrue(maxDiff(b, refNet) <= 1e-6, "max |diff| " + maxDiff(b, refNet));
                    // and back: the step list's state into the fused path, reloaded over live state
                    Map<String, NDArray> sd2 = list.stateDict();
                    fused.loadStateDict(sd2);
                    for (int i = 0; i < a.all.size(); i++) {
                        a.all.get(i).copyFrom(b.all.get(i).data());
                    }
                    train(List.of(a, refNet), List.of(fused, ref), 9, 10);
                    assertTrue(maxDiff(a, refNet) <= 1e-6, "max |diff| " + maxDiff(a, refNet));
                    assertEquals(10, fused.state(0, 0).get(OptimizerSteps.STEP).getLong());
                    sd2.values().forEach(NDArray::close);
                }
            }
        }
    }

    @Test
    void unsupportedHypersFallBackToTheStepList() {
        assertNotNull(FusedAdam.hypers(Map.of("lr", 1e-3, "mom", 0.9, "sqr_mom", 0.99, "eps", 1e-5)));
        assertNull(FusedAdam.hypers(Map.of("lr", 1e-3, "mom", 1.0, "sqr_mom", 0.99, "eps", 1e-5)));
        assertNull(FusedAdam.hypers(Map.of("lr", 1e-3, "mom", 0.9, "sqr_mom", 0.99)));
        assertNull(FusedAdam.hypers(Map.of("lr", Double.NaN, "mom", 0.9, "sqr_mom", 0.99, "eps", 1e-5)));
        assertFalse(Optimizers.adam(0.9, 0.99, 1e-5, 0.01, false).create(List.of(List.of())).isFused(),
                "L2 regularisation runs the step list");
        assertFalse(Optimizers.radam().create(List.of(List.of())).isFused());
    }

    @Test
    void adamWithOneMoreStepRunsTheStepListWithTheSameWeights() {
        try (NDManager m = NDManager.newBaseManager(); Net fusedNet = new Net(m, 3); Net extendedNet = new Net(m, 3)) {
            int[] calls = {0};
            OptimizerStep observe = c -> calls[0]++; // changes nothing
            StepListFactory extended = Optimizers.adam().withStep(observe);
            assertTrue(extended.fusedKernel().isEmpty(), "the kernel no longer covers the step list");
            assertEquals(6, extended.steps().size());
            try (Optimizer fused = Optimizers.adam().create(fusedNet.groups);
                    Optimizer list = extended.create(extendedNet.groups)) {
                assertTrue(fused.isFused());
                assertFalse(list.isFused());
                train(List.of(fusedNet, extendedNet), List.of(fused, list), 1, 5);
                // 5 steps, 5 parameters with gradients from step 1, "late" from step 4
                assertEquals(5 * 5 + 2, calls[0], "the extra step ran once per parameter and step");
                double d = maxDiff(fusedNet, extendedNet);
                assertTrue(d <= 1e-6, "fused Adam vs Adam + a no-op step after 5 steps: max |diff| " + d);
                assertTrue(moved(fusedNet, new Net(m, 3)), "the weights moved: the comparison means something");
            }
        }
    }

    @Test
    void onlyADeclaredKernelRunsFused() {
        StepListFactory adam = Optimizers.adam();
        assertEquals(FusedKernel.ADAM, adam.fusedKernel().orElseThrow());
        try (Optimizer sameStepsUndeclared = new Optimizer(List.of(List.of()), adam.steps(), adam.defaults());
                Optimizer declared = StepListFactory.of(adam.steps(), adam.defaults()).fused(FusedKernel.ADAM)
                        .create(List.of(List.of()))) {
            assertFalse(sameStepsUndeclared.isFused(), "a step list equal to Adam's is not recognised by content");
            assertTrue(declared.isFused());
        }
    }

    private static boolean moved(Net a, Net initial) {
        try (initial) {
            return maxDiff(a, initial) > 1e-3;
        }
    }

    @Test
    void scalarsAreSharedWithinAStepAndFreedAfterIt() {
        try (NDManager m = NDManager.newBaseManager(); TestParams net = new TestParams(m)) {
            Parameter p = net.add("w", Kind.WEIGHT, 1f, 2f);
            Parameter q = net.add("v", Kind.WEIGHT, 3f, 4f);
            List<NDArray> seen = new ArrayList<>();
            OptimizerStep record = c -> {
                NDArray half = c.scalar(0.5f);
                assertSame(half, c.scalar(0.5f));
                NDArray one = c.scalar(1L);
                assertEquals(ai.djl.ndarray.types.DataType.INT64, one.getDataType());
                assertEquals(ai.djl.ndarray.types.DataType.FLOAT32, half.getDataType());
                c.param().muli(half);
                seen.add(half);
                seen.add(one);
            };
            try (Optimizer opt = new Optimizer(List.of(List.of(p, q)), List.of(record), Map.of("lr", 1.0))) {
                TestParams.backward(new Parameter[] {p, q}, new float[][] {{1f, 1f}, {1f, 1f}});
                opt.step();
            }
            assertEquals(4, seen.size());
            assertSame(seen.get(0), seen.get(2), "one scalar for both parameters");
            assertTrue(seen.stream().allMatch(NDArray::isReleased), "closed when the step ends");
            assertArrayEquals(new float[] {0.5f, 1f}, p.data().toFloatArray());
            assertArrayEquals(new float[] {1.5f, 2f}, q.data().toFloatArray());
        }
    }
}

package ai.fastai4j.learner;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.fastai4j.data.DataLoaders;
import ai.fastai4j.nn.BatchNorm;
import ai.fastai4j.nn.Layers;
import ai.fastai4j.nn.Linear;
import ai.fastai4j.nn.Module;
import ai.fastai4j.nn.Parameter;
import ai.fastai4j.nn.Sequential;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FreezeTest {

    /** Linear - BatchNorm - ReLU - Linear; group 0 = first Linear + BatchNorm, group 1 = last Linear. */
    private static Module bnModel(NDManager m) {
        Engine.getInstance().setRandomSeed(11);
        return new Sequential(new Linear(m, 2, 8, true), new BatchNorm(m, 8), Layers.relu(), new Linear(m, 8, 2, true));
    }

    private static List<List<Parameter>> twoGroups(Module model) {
        List<Parameter> ps = model.parameters(); // 0.weight 0.bias 1.weight 1.bias 3.weight 3.bias
        return List.of(ps.subList(0, 4), ps.subList(4, 6));
    }

    private static Map<String, float[]> floats(Module model) {
        Map<String, float[]> out = new java.util.LinkedHashMap<>();
        model.stateDict().forEach((k, v) -> {
            if (v.getDataType() == ai.djl.ndarray.types.DataType.FLOAT32) {
                out.put(k, v.toFloatArray());
            }
        });
        return out;
    }

    private static boolean changed(float[] a, float[] b) {
        return !java.util.Arrays.equals(a, b);
    }

    @Test
    void frozenGroupStaysPutButBatchNormTrainsThenUnfreezeTrainsAll() {
        List<TestData.Sample> items = TestData.blobs(16, 5, 2.0);
        try (NDManager m = NDManager.newBaseManager();
                DataLoaders dls = TestData.blobLoaders(items, 8, 8, 0)) {
            assertEquals(1, dls.train().numBatches());
            Module model = bnModel(m);
            try (Learner learn = Learner.builder(dls, model).splitter(FreezeTest::twoGroups).progress(false).build()) {
                learn.freeze();
                Map<String, float[]> before = floats(model);
                learn.fit(1, 1e-2);
                Map<String, float[]> after = floats(model);
                assertArrayEquals(before.get("0.weight"), after.get("0.weight"), "frozen Linear weight");
                assertArrayEquals(before.get("0.bias"), after.get("0.bias"), "frozen Linear bias");
                assertTrue(changed(before.get("1.weight"), after.get("1.weight")), "BatchNorm weight trains (trainBn)");
                assertTrue(changed(before.get("1.bias"), after.get("1.bias")), "BatchNorm bias trains (trainBn)");
                assertTrue(changed(before.get("3.weight"), after.get("3.weight")), "head weight");
                assertTrue(changed(before.get("3.bias"), after.get("3.bias")), "head bias");
                assertTrue(changed(before.get("1.running_mean"), after.get("1.running_mean")), "BN statistics");

                learn.unfreeze();
                learn.fit(1, 1e-2);
                Map<String, float[]> again = floats(model);
                for (String k : List.of("0.weight", "0.bias", "1.weight", "1.bias", "3.weight", "3.bias")) {
                    assertTrue(changed(after.get(k), again.get(k)), k + " should train after unfreeze");
                }
            }
        }
    }

    @Test
    void trainBnFalseFreezesBatchNormToo() {
        List<TestData.Sample> items = TestData.blobs(16, 5, 2.0);
        try (NDManager m = NDManager.newBaseManager();
                DataLoaders dls = TestData.blobLoaders(items, 8, 8, 0)) {
            Module model = bnModel(m);
            try (Learner learn = Learner.builder(dls, model).splitter(FreezeTest::twoGroups).trainBn(false)
                    .progress(false).build()) {
                learn.freeze();
                Map<String, float[]> before = floats(model);
                learn.fit(1, 1e-2);
                Map<String, float[]> after = floats(model);
                for (String k : List.of("0.weight", "0.bias", "1.weight", "1.bias")) {
                    assertArrayEquals(before.get(k), after.get(k), k);
                }
                assertTrue(changed(before.get("3.weight"), after.get("3.weight")));
            }
        }
    }

    private static List<Boolean> flags(Learner learn) {
        List<Boolean> out = new ArrayList<>();
        for (List<Parameter> g : learn.paramGroups()) {
            for (Parameter p : g) {
                out.add(p.isTrainable());
            }
        }
        return out;
    }

    @Test
    void freezeToFollowsPythonSlicing() {
        List<TestData.Sample> items = TestData.blobs(16, 5, 2.0);
        try (NDManager m = NDManager.newBaseManager();
                DataLoaders dls = TestData.blobLoaders(items, 8, 8, 0)) {
            Engine.getInstance().setRandomSeed(1);
            Module model = new Sequential(new Linear(m, 2, 4, true), new BatchNorm(m, 4), Layers.relu(),
                    new Linear(m, 4, 4, true), Layers.relu(), new Linear(m, 4, 2, true));
            try (Learner learn = Learner.builder(dls, model).splitter(mod -> {
                List<Parameter> ps = mod.parameters(); // L0 w b, BN w b | L3 w b | L5 w b
                return List.of(ps.subList(0, 4), ps.subList(4, 6), ps.subList(6, 8));
            }).progress(false).build()) {
                boolean t = true;
                boolean f = false;
                learn.freeze(); // freeze_to(-1): groups 0 and 1 frozen, BatchNorm still trains
                assertEquals(List.of(f, f, t, t, f, f, t, t), flags(learn));
                learn.freezeTo(-1);
                assertEquals(List.of(f, f, t, t, f, f, t, t), flags(learn));
                learn.freezeTo(-2); // groups[:-2] = group 0
                assertEquals(List.of(f, f, t, t, t, t, t, t), flags(learn));
                learn.freezeTo(1);
                assertEquals(List.of(f, f, t, t, t, t, t, t), flags(learn));
                learn.freezeTo(2);
                assertEquals(List.of(f, f, t, t, f, f, t, t), flags(learn));
                learn.freezeTo(5); // more than the groups: everything frozen (BatchNorm still trains)
                assertEquals(List.of(f, f, t, t, f, f, f, f), flags(learn));
                learn.freezeTo(-5); // groups[:-5] is empty
                assertEquals(List.of(t, t, t, t, t, t, t, t), flags(learn));
                learn.freeze();
                learn.unfreeze();
                assertEquals(List.of(t, t, t, t, t, t, t, t), flags(learn));
                // buffers are never trainable
                assertFalse(model.namedParameters().get("1.running_mean").isTrainable());
            }
        }
    }
}

package ai.fastai4j.hooks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.fastai4j.nn.Layers;
import ai.fastai4j.nn.Linear;
import ai.fastai4j.nn.Module;
import ai.fastai4j.nn.Sequential;
import java.util.List;
import org.junit.jupiter.api.Test;

class HooksTest {

    /** A block with its own forward (a residual connection), as ResNet blocks are. */
    static final class Residual extends Module {
        final Linear a;
        final Module relu;

        Residual(NDManager m, int n) {
            a = register("a", new Linear(m, n, n, true));
            relu = register("relu", Layers.relu());
        }

        @Override
        public NDArray forward(NDArray x) {
            return relu.call(a.call(x)).add(x);
        }
    }

    static int liveArrays() {
        try (NDManager probe = NDManager.newBaseManager()) {
            return probe.getParentManager().getManagedArrays().size();
        }
    }

    private static float[] linear(float[] w, float[] b, float[] x, int in, int out) {
        float[] y = new float[out];
        for (int o = 0; o < out; o++) {
            y[o] = b[o];
            for (int i = 0; i < in; i++) {
                y[o] += w[o * in + i] * x[i];
            }
        }
        return y;
    }

    @Test
    void outputsOfLayersInsideAModuleWithItsOwnForwardAreStoredAndMatchHandComputation() {
        Engine.getInstance().setRandomSeed(3);
        try (NDManager m = NDManager.newBaseManager()) {
            Residual block = new Residual(m, 3);
            Sequential model = new Sequential(block, new Linear(m, 3, 2, true));
            float[] x = {0.5f, -1f, 2f};
            try (NDScope scope = new NDScope();
                    Hooks<NDArray> hs = Hooks.hookOutputs(List.of(block.a, block.relu, model.get(1)))) {
                scope.suppressNotUsedWarning();
                NDArray y = model.call(m.create(x, new Shape(1, 3)));
                float[] w = block.a.weight().data().toFloatArray();
                float[] b = block.a.ownParameters().get("bias").data().toFloatArray();
                float[] a = linear(w, b, x, 3, 3);
                assertArrayEquals(a, hs.stored().get(0).toFloatArray(), 1e-5f);
                float[] r = new float[3];
                for (int i = 0; i < 3; i++) {
                    r[i] = Math.max(0, a[i]);
                }
                assertArrayEquals(r, hs.stored().get(1).toFloatArray(), 1e-5f);
                assertArrayEquals(y.toFloatArray(), hs.stored().get(2).toFloatArray(), 0f);
                assertFalse(hs.stored().get(0).hasGradient(), "stored outputs are detached");
            }
        }
    }

    @Test
    void backwardHookGivesTheGradientOfTheOutput() {
        Engine.getInstance().setRandomSeed(4);
        try (NDManager m = NDManager.newBaseManager(); NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            Linear first = new Linear(m, 3, 4, true);
            Sequential model = new Sequential(first, Layers.relu(), new Linear(m, 4, 1, true));
            NDArray x = m.create(new float[] {1f, 2f, -0.5f, 0.3f, 0.1f, -2f}, new Shape(2, 3));
            NDArray firstOut;
            NDArray grad;
            float[] paramGradBefore;
            try (Hook<NDArray> out = Hook.output(first); Hook<NDArray> g = Hook.gradOutput(first);
                    GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y = model.call(x);
                gc.backward(y.sum());
                firstOut = out.stored();
                grad = g.stored();
                paramGradBefore = first.weight().data().getGradient().toFloatArray();
            }
            // d sum(W2 relu(h) + b2) / dh = W2 where h > 0, else 0
            float[] w2 = ((Linear) model.get(2)).weight().data().toFloatArray();
            float[] h = firstOut.toFloatArray();
            float[] expected = new float[8];
            for (int n = 0; n < 2; n++) {
                for (int j = 0; j < 4; j++) {
                    expected[n * 4 + j] = h[n * 4 + j] > 0 ? w2[j] : 0;
                }
            }
            assertArrayEquals(expected, grad.toFloatArray(), 1e-6f);
            // the probe is an identity: parameter gradients are those without the hook
            first.weight().data().getGradient().subi(first.weight().data().getGradient());
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(model.call(x).sum());
            }
            assertArrayEquals(paramGradBefore, first.weight().data().getGradient().toFloatArray(), 1e-6f);
        }
    }

    @Test
    void closingRemovesTheHooksAndLeavesNoNativeArrays() {
        try (NDManager m = NDManager.newBaseManager()) {
            Residual block = new Residual(m, 3);
            Sequential model = new Sequential(block, new Linear(m, 3, 2, true));
            List<Module> leaves = Hooks.leaves(model);
            assertEquals(List.of(block.a, block.relu, model.get(1)), leaves);
            int start = liveArrays();
            Hooks<NDArray> kept = Hooks.hookOutputs(leaves).keep();
            Hook<NDArray> grad = Hook.gradOutput(model.get(1));
            assertEquals(1, block.a.forwardHookCount());
            assertEquals(2, model.get(1).forwardHookCount());
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                model.call(m.create(new float[] {1, 2, 3}, new Shape(1, 3)));
            }
            // kept copies outlive the forward's scope; the hooks own them
            for (NDArray a : kept.stored()) {
                assertFalse(a.isReleased());
            }
            List<NDArray> copies = kept.stored();
            assertEquals(start + 3, liveArrays(), "three kept copies, nothing else");
            kept.close();
            grad.close();
            for (NDArray a : copies) {
                assertTrue(a.isReleased(), "closing frees what the hooks kept");
            }
            assertEquals(start, liveArrays());
            for (Module l : leaves) {
                assertEquals(0, l.forwardHookCount(), "hooks removed on close");
            }
            assertTrue(kept.get(0).isRemoved());
            assertNull(kept.get(0).stored());
            kept.close(); // twice is harmless
            // a forward after close stores nothing and makes no extra arrays
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                model.call(m.create(new float[] {1, 2, 3}, new Shape(1, 3)));
            }
            assertNull(kept.get(1).stored());
            assertEquals(start, liveArrays());
        }
    }

    @Test
    void withoutKeepTheStoredOutputLivesInTheForwardsScope() {
        try (NDManager m = NDManager.newBaseManager()) {
            Linear lin = new Linear(m, 2, 2, true);
            int start = liveArrays();
            NDArray stored;
            try (Hook<NDArray> h = Hook.output(lin)) {
                try (NDScope scope = new NDScope()) {
                    scope.suppressNotUsedWarning();
                    lin.call(m.create(new float[] {1, 2}, new Shape(1, 2)));
                    stored = h.stored();
                    assertFalse(stored.isReleased());
                }
                assertTrue(stored.isReleased(), "freed with the step's scope");
            }
            assertEquals(start, liveArrays());
        }
    }
}

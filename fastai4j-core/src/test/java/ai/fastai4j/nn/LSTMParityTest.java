package ai.fastai4j.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import ai.fastai4j.io.torch.TorchStateDictReader;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link LSTM} against {@code torch.nn.LSTM} on the same weights: python3-torch writes random weights, inputs and
 * states with its outputs, final states and gradients ({@code nn/lstm_reference.py}); the layer loads the
 * weights by name and must reproduce all of them, with autograd on (training) and off (inference: libtorch
 * 2.7.1's kernel is wrong there unless {@link ai.fastai4j.engine.RecurrentKernels} works around it).
 */
class LSTMParityTest {
    private static final float TOL = 1e-5f;

    @TempDir
    Path dir;

    @Test
    void reproducesTorchOutputsStatesAndGradients() throws Exception {
        Path ref = dir.resolve("lstm_ref.pth");
        PythonReference.run("/nn/lstm_reference.py", dir, ref.toString());
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> r = TorchStateDictReader.read(ref, m);
            try (LSTM lstm = new LSTM(m, 5, 7)) {
                StateDictReport report = lstm.loadStateDict(
                        Map.of("weight_ih_l0", r.get("weight_ih_l0"), "weight_hh_l0", r.get("weight_hh_l0"),
                                "bias_ih_l0", r.get("bias_ih_l0"), "bias_hh_l0", r.get("bias_hh_l0")), true);
                assertTrue(report.isExact(), report.toString());

                NDArray x = r.get("x").duplicate();
                NDArray h0 = r.get("h0").duplicate();
                NDArray c0 = r.get("c0").duplicate();
                for (NDArray a : new NDArray[] {x, h0, c0}) {
                    a.setRequiresGradient(true);
                }
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    LSTM.Output out = lstm.forward(x, new LSTM.State(h0, c0));
                    assertClose(r.get("out"), out.output(), "output");
                    assertClose(r.get("hn"), out.state().h(), "final hidden state");
                    assertClose(r.get("cn"), out.state().c(), "final cell state");
                    NDArray loss = out.output().mul(r.get("r_out")).sum()
                            .add(out.state().h().mul(r.get("r_h")).sum())
                            .add(out.state().c().mul(r.get("r_c")).sum());
                    gc.backward(loss);
                }
                for (String p : new String[] {"weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"}) {
                    assertClose(r.get("grad." + p), lstm.namedParameters().get(p).data().getGradient(), "grad " + p);
                }
                assertClose(r.get("grad.x"), x.getGradient(), "grad x");
                assertClose(r.get("grad.h0"), h0.getGradient(), "grad h0");
                assertClose(r.get("grad.c0"), c0.getGradient(), "grad c0");

                // inference: grad mode off (DJL's default on a fresh thread), eval mode, zero states
                assertFalse(JniUtils.isGradMode());
                lstm.eval();
                LSTM.Output zero = lstm.forward(r.get("x"), null);
                assertClose(r.get("out_zero"), zero.output(), "output from zero states without autograd");
                assertClose(r.get("hn_zero"), zero.state().h(), "final hidden state from zero states");
                assertFalse(zero.output().hasGradient(), "inference outputs carry no graph");
                LSTM.Output noGrad = lstm.forward(r.get("x"), new LSTM.State(r.get("h0"), r.get("c0")));
                assertClose(r.get("out"), noGrad.output(), "output without autograd");
                assertClose(r.get("cn"), noGrad.state().c(), "final cell state without autograd");
            }
        }
    }

    @Test
    void hiddenWeightOverrideIsWhatTheKernelSees() {
        try (NDManager m = NDManager.newBaseManager(); LSTM lstm = new LSTM(m, 3, 4)) {
            NDArray x = m.randomNormal(new ai.djl.ndarray.types.Shape(2, 5, 3));
            NDArray zeroHh = lstm.weightHh().data().zerosLike();
            NDArray before = lstm.weightHh().data().duplicate();
            NDArray withZero = lstm.forward(x, null, zeroHh).output();
            NDArray own = lstm.forward(x, null).output();
            assertTrue(withZero.sub(own).abs().max().getFloat() > 1e-4, "the override must change the output");
            // with a zero hidden weight, step 0 is the same (zero state), later steps differ only through h
            assertClose(own.get(":, 0, :"), withZero.get(":, 0, :"), "first step");
            assertEquals(before, lstm.weightHh().data(), "the parameter is untouched");
        }
    }

    static void assertClose(NDArray expected, NDArray actual, String what) {
        assertEquals(expected.getShape(), actual.getShape(), what + " shape");
        float diff = expected.sub(actual).abs().max().getFloat();
        assertTrue(diff <= TOL, what + ": max abs difference " + diff + " > " + TOL);
    }
}

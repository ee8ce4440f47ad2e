package ai.fastai4j.text.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.fastai4j.nn.LSTM;
import org.junit.jupiter.api.Test;

class WeightDropoutTest {

    @Test
    void trainingDropsEntriesOfTheHiddenMatrixOnlyAndNeverTheRawWeight() {
        Engine.getInstance().setRandomSeed(3);
        try (NDManager m = NDManager.newBaseManager()) {
            LSTM lstm = new LSTM(m, 3, 8);
            WeightDropout wd = new WeightDropout(lstm, 0.5f);
            float[] raw = lstm.weightHh().data().toFloatArray();
            float[] ih = lstm.weightIh().data().toFloatArray();

            float[] eff = wd.effectiveHiddenWeight().toFloatArray();
            int dropped = 0;
            for (int i = 0; i < raw.length; i++) {
                if (eff[i] == 0f) {
                    dropped++;
                } else {
                    assertEquals(raw[i] * 2f, eff[i], 1e-6f, "kept entries are scaled by 1/(1-p)");
                }
            }
            // 256 entries, p 0.5: far from none and from all
            assertTrue(dropped > 80 && dropped < 176, "dropped " + dropped + " of " + raw.length);

            NDArray x = m.randomNormal(new Shape(2, 6, 3));
            NDArray outTrain;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                outTrain = wd.forward(x, null).output();
                gc.backward(outTrain.sum());
            }
            NDArray plain = lstm.forward(x, null).output();
            assertTrue(outTrain.sub(plain).abs().max().getFloat() > 1e-4, "training sees a dropped matrix");
            assertArrayEquals(raw, lstm.weightHh().data().toFloatArray(), "the raw weight never changes");
            assertArrayEquals(ih, lstm.weightIh().data().toFloatArray(), "input weights are not dropped");
            assertTrue(lstm.weightHh().data().getGradient().abs().sum().getFloat() > 0, "the raw weight gets a gradient");

            wd.eval();
            assertSame(lstm.weightHh().data(), wd.effectiveHiddenWeight(), "evaluation uses the raw weight itself");
            NDArray outEval = wd.forward(x, null).output();
            assertEquals(0f, outEval.sub(lstm.forward(x, null).output()).abs().max().getFloat());
            assertArrayEquals(raw, lstm.weightHh().data().toFloatArray());
        }
    }

    @Test
    void gradientOfTheRawWeightIsZeroWhereTheEntryWasDropped() {
        Engine.getInstance().setRandomSeed(5);
        try (NDManager m = NDManager.newBaseManager()) {
            LSTM lstm = new LSTM(m, 2, 4);
            WeightDropout wd = new WeightDropout(lstm, 0.4f);
            NDArray x = m.randomNormal(new Shape(3, 5, 2));
            NDArray eff;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                eff = wd.effectiveHiddenWeight();
                NDArray out = lstm.forward(x, null, eff).output();
                gc.backward(out.mul(out).sum());
            }
            float[] e = eff.toFloatArray();
            float[] g = lstm.weightHh().data().getGradient().toFloatArray();
            int nonZero = 0;
            for (int i = 0; i < e.length; i++) {
                if (e[i] == 0f) {
                    assertEquals(0f, Math.abs(g[i]), "dropped entry " + i + " gets no gradient");
                } else if (g[i] != 0f) {
                    nonZero++;
                }
            }
            assertTrue(nonZero > 0);
        }
    }
}

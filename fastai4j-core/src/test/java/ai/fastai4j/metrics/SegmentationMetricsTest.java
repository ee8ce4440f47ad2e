package ai.fastai4j.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.fastai4j.losses.LossFunction;
import ai.fastai4j.losses.Losses;
import org.junit.jupiter.api.Test;

class SegmentationMetricsTest {
    // two items of 2x3 pixels, three classes; logits chosen so the argmax is PRED
    static final int[][] PRED = {{0, 1, 1, 2, 0, 2}, {1, 1, 0, 0, 2, 2}};
    static final int[][] TARG = {{0, 1, 2, 2, 0, 1}, {1, 0, 0, 0, 2, 1}};

    static NDArray logits(NDManager m) {
        float[] v = new float[2 * 3 * 6];
        for (int n = 0; n < 2; n++) {
            for (int c = 0; c < 3; c++) {
                for (int i = 0; i < 6; i++) {
                    v[(n * 3 + c) * 6 + i] = PRED[n][i] == c ? 2f + 0.1f * i : -0.5f * c;
                }
            }
        }
        return m.create(v, new Shape(2, 3, 2, 3));
    }

    static NDArray target(NDManager m) {
        long[] t = new long[12];
        for (int n = 0; n < 2; n++) {
            for (int i = 0; i < 6; i++) {
                t[n * 6 + i] = TARG[n][i];
            }
        }
        return m.create(t, new Shape(2, 2, 3));
    }

    static double run(Metric metric, NDManager m) {
        metric.reset();
        NDArray p = logits(m);
        NDArray t = target(m);
        // two batches of one item each: the counts accumulate
        metric.accumulate(p.get("0:1"), t.get("0:1"));
        metric.accumulate(p.get("1:2"), t.get("1:2"));
        return metric.value();
    }

    @Test
    void foregroundAccuracyIsPerBatchAccuracyOnNonBackgroundPixelsWeightedByBatchSize() {
        try (NDManager m = NDManager.newBaseManager()) {
            // item 0: target non-zero at 1,2,3,5 -> right at 1,3 -> 2/4; item 1: at 0,4,5 -> right at 0,4 -> 2/3
            assertEquals((0.5 + 2.0 / 3) / 2, run(Metrics.foregroundAcc(), m), 1e-9);
        }
    }

    @Test
    void diceAndJaccardOfBinaryMasksMatchHandCounts() {
        try (NDManager m = NDManager.newBaseManager()) {
            // fastai's binary Dice uses the class indices as values: inter = sum(p * t), union = sum(p + t)
            double inter = 0;
            double union = 0;
            for (int n = 0; n < 2; n++) {
                for (int i = 0; i < 6; i++) {
                    inter += PRED[n][i] * TARG[n][i];
                    union += PRED[n][i] + TARG[n][i];
                }
            }
            assertEquals(2 * inter / union, run(Metrics.dice(), m), 1e-9);
            assertEquals(inter / (union - inter), run(Metrics.jaccardCoeff(), m), 1e-9);
        }
    }

    @Test
    void diceMultiAveragesOneVsRestDicePerClass() {
        try (NDManager m = NDManager.newBaseManager()) {
            double sum = 0;
            for (int c = 0; c < 3; c++) {
                int inter = 0;
                int union = 0;
                for (int n = 0; n < 2; n++) {
                    for (int i = 0; i < 6; i++) {
                        int p = PRED[n][i] == c ? 1 : 0;
                        int t = TARG[n][i] == c ? 1 : 0;
                        inter += p * t;
                        union += p + t;
                    }
                }
                sum += 2.0 * inter / union;
            }
            assertEquals(sum / 3, run(Metrics.diceMulti(), m), 1e-9);
        }
    }

    @Test
    void diceLossMatchesHandComputation() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray p = logits(m);
            float[] probs = p.softmax(1).toFloatArray();
            double[] perItem = new double[2];
            double smooth = 1e-6;
            for (int n = 0; n < 2; n++) {
                for (int c = 0; c < 3; c++) {
                    double inter = 0;
                    double union = 0;
                    for (int i = 0; i < 6; i++) {
                        double pr = probs[(n * 3 + c) * 6 + i];
                        double t = TARG[n][i] == c ? 1 : 0;
                        inter += pr * t;
                        union += pr + t;
                    }
                    perItem[n] += 1 - (2 * inter + smooth) / (union + smooth);
                }
            }
            LossFunction dice = Losses.dice();
            float[] got = dice.perItem(p, target(m)).toFloatArray();
            assertEquals(perItem[0], got[0], 1e-5);
            assertEquals(perItem[1], got[1], 1e-5);
            assertEquals((perItem[0] + perItem[1]) / 2, dice.compute(p, target(m)).getFloat(), 1e-5);
            LossFunction ce = Losses.crossEntropy();
            LossFunction both = Losses.crossEntropyPlusDice(0.5f);
            float[] expected = ce.perItem(p, target(m)).add(Losses.dice(1f, false).perItem(p, target(m)).mul(0.5f))
                    .toFloatArray();
            float[] combined = both.perItem(p, target(m)).toFloatArray();
            assertEquals(expected[0], combined[0], 1e-6);
            assertEquals(expected[1], combined[1], 1e-6);
        }
    }
}

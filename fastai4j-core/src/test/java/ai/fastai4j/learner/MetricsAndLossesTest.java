package ai.fastai4j.learner;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.fastai4j.losses.LossFunction;
import ai.fastai4j.losses.Losses;
import ai.fastai4j.metrics.Metric;
import ai.fastai4j.metrics.Metrics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MetricsAndLossesTest {
    private static final double TOL = 1e-6;
    private NDManager m;

    @BeforeEach
    void open() {
        m = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        m.close();
    }

    private NDArray mat(float[][] rows) {
        return m.create(rows);
    }

    private NDArray longs(long... v) {
        return m.create(v);
    }

    // ------------------------------------------------------------------ classification metrics

    private static final float[][] P1 = {{2.0f, 1.0f, 0.1f}, {0.5f, 2.5f, 0.3f}, {0.2f, 0.1f, 3.0f}, {1.0f, 0.9f, 0.0f}};
    private static final long[] T1 = {0, 2, 2, 1};
    private static final float[][] P2 = {{0.1f, 0.2f, 0.3f}, {0.0f, 5.0f, 1.0f}, {3.0f, 0.0f, 2.0f}};
    private static final long[] T2 = {0, 1, 2};

    private double twoBatches(Metric metric, float[][] p1, long[] t1, float[][] p2, long[] t2) {
        metric.reset();
        metric.accumulate(mat(p1), longs(t1));
        metric.accumulate(mat(p2), longs(t2));
        return metric.value();
    }

    @Test
    void accuracyErrorRateAndTopK() {
        // argmax: 0,1,2,0 | 2,1,0 against 0,2,2,1 | 0,1,2: right on rows 0, 2 and 5
        assertEquals(3.0 / 7, twoBatches(Metrics.accuracy(), P1, T1, P2, T2), TOL);
        assertEquals(4.0 / 7, twoBatches(Metrics.errorRate(), P1, T1, P2, T2), TOL);
        // top 2: {0,1} {1,0} {2,0} {0,1} | {2,1} {1,2} {0,2}: target inside on rows 0, 2, 3, 5, 6
        assertEquals(5.0 / 7, twoBatches(Metrics.topKAccuracy(2), P1, T1, P2, T2), TOL);
        assertEquals(1.0, twoBatches(Metrics.topKAccuracy(3), P1, T1, P2, T2), TOL);
        Metric acc = Metrics.accuracy();
        acc.reset();
        assertTrue(Double.isNaN(acc.value()), "nothing accumulated yet");
        acc.accumulate(mat(P2), longs(T2));
        assertEquals(1.0 / 3, acc.value(), TOL);
        acc.reset();
        acc.accumulate(mat(P1), longs(T1));
        assertEquals(2.0 / 4, acc.value(), TOL, "reset forgets the previous epoch");
        assertEquals("accuracy", Metrics.accuracy().name());
        assertEquals("error_rate", Metrics.errorRate().name());
    }

    @Test
    void binaryPrecisionRecallF1AndMacroF1() {
        float[][] p1 = {{0.9f, 0.1f}, {0.2f, 0.8f}, {0.6f, 0.4f}, {0.3f, 0.7f}};
        long[] t1 = {0, 1, 1, 0}; // TN, TP, FN, FP
        float[][] p2 = {{0.1f, 0.9f}, {0.4f, 0.6f}, {0.8f, 0.2f}, {0.45f, 0.55f}};
        long[] t2 = {1, 1, 0, 0}; // TP, TP, TN, FP
        double tp = 3;
        double fp = 2;
        double fn = 1;
        double tn = 2;
        double precision = tp / (tp + fp);
        double recall = tp / (tp + fn);
        double f1 = 2 * precision * recall / (precision + recall);
        assertEquals(0.6, precision, 1e-12);
        assertEquals(precision, twoBatches(Metrics.precision(1), p1, t1, p2, t2), TOL);
        assertEquals(recall, twoBatches(Metrics.recall(1), p1, t1, p2, t2), TOL);
        assertEquals(f1, twoBatches(Metrics.f1(), p1, t1, p2, t2), TOL);
        // class 0 as the positive class: TP0 = tn, FP0 = fn, FN0 = fp
        double p0 = tn / (tn + fn);
        double r0 = tn / (tn + fp);
        double f10 = 2 * p0 * r0 / (p0 + r0);
        assertEquals(f10, twoBatches(Metrics.f1(0), p1, t1, p2, t2), TOL);
        assertEquals((f1 + f10) / 2, twoBatches(Metrics.f1Macro(), p1, t1, p2, t2), TOL);
    }

    // ------------------------------------------------------------------ regression metrics

    @Test
    void rmseMaeR2OverTwoBatches() {
        float[] pa = {1.0f, 2.0f, 3.0f};
        float[] ta = {1.5f, 2.0f, 2.0f};
        float[] pb = {0.0f, 4.0f};
        float[] tb = {1.0f, 3.0f};
        float[] p = {1.0f, 2.0f, 3.0f, 0.0f, 4.0f};
        float[] t = {1.5f, 2.0f, 2.0f, 1.0f, 3.0f};
        double sse = 0;
        double sae = 0;
        double mean = 0;
        for (int i = 0; i < 5; i++) {
            sse += (p[i] - t[i]) * (p[i] - t[i]);
            sae += Math.abs(p[i] - t[i]);
            mean += t[i] / 5.0;
        }
        double sst = 0;
        for (int i = 0; i < 5; i++) {
            sst += (t[i] - mean) * (t[i] - mean);
        }
        assertEquals(3.25, sse, 1e-12);
        assertEquals(2.2, sst, 1e-9);
        for (Object[] c : new Object[][] {{Metrics.rmse(), Math.sqrt(sse / 5)}, {Metrics.mae(), sae / 5},
                {Metrics.r2(), 1 - sse / sst}}) {
            Metric metric = (Metric) c[0];
            metric.reset();
            // predictions shaped (N, 1) like a regression head, targets (N)
            metric.accumulate(m.create(pa).reshape(3, 1), m.create(ta));
            metric.accumulate(m.create(pb).reshape(2, 1), m.create(tb));
            assertEquals((double) c[1], metric.value(), 1e-6, metric.name());
        }
    }

    // ------------------------------------------------------------------ losses

    private static double lse(float[] x) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : x) {
            max = Math.max(max, v);
        }
        double s = 0;
        for (float v : x) {
            s += Math.exp(v - max);
        }
        return max + Math.log(s);
    }

    private static double[] toDoubles(NDArray a) {
        float[] f = a.toFloatArray();
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    @Test
    void crossEntropyAndLabelSmoothingPerItem() {
        float[][] x = {{2.0f, 1.0f, 0.1f}, {0.5f, 2.5f, 0.3f}, {-1.0f, 0.0f, 4.0f}};
        long[] t = {0, 2, 2};
        double[] ce = new double[3];
        double[] ls = new double[3];
        double eps = 0.1;
        for (int i = 0; i < 3; i++) {
            double l = lse(x[i]);
            ce[i] = l - x[i][(int) t[i]]; // -log softmax(x)[t]
            double sumNegLogP = 0;
            for (float v : x[i]) {
                sumNegLogP += l - v;
            }
            // fastai: (1 - eps) * nll + eps * sum_c(-log p_c) / C
            ls[i] = (1 - eps) * ce[i] + eps * sumNegLogP / 3;
        }
        LossFunction f = Losses.crossEntropy();
        assertArrayEquals(ce, toDoubles(f.perItem(mat(x), longs(t))), 1e-5);
        assertEquals((ce[0] + ce[1] + ce[2]) / 3, f.compute(mat(x), longs(t)).getFloat(), 1e-5);
        LossFunction s = Losses.labelSmoothingCrossEntropy(0.1f);
        assertArrayEquals(ls, toDoubles(s.perItem(mat(x), longs(t))), 1e-5);
        // activation and decode
        NDArray probs = f.activation(mat(x));
        float[] pr = probs.toFloatArray();
        assertEquals(9, pr.length);
        for (int i = 0; i < 3; i++) {
            assertEquals(1.0, pr[3 * i] + pr[3 * i + 1] + pr[3 * i + 2], 1e-6, "softmax row " + i);
            assertEquals(Math.exp(x[i][0] - lse(x[i])), pr[3 * i], 1e-6);
        }
        assertArrayEquals(new long[] {0, 1, 2}, f.decode(probs).toLongArray());
    }

    @Test
    void crossEntropyOverASegmentationMaskAveragesPixels() {
        // (N=1, C=2, H=1, W=2): pixel 0 logits (1, 3) target 1; pixel 1 logits (2, 0) target 1
        NDArray x = m.create(new float[] {1, 2, 3, 0}, new Shape(1, 2, 1, 2));
        NDArray t = m.create(new long[] {1, 1}, new Shape(1, 1, 2));
        double p0 = lse(new float[] {1, 3}) - 3;
        double p1 = lse(new float[] {2, 0}) - 0;
        assertArrayEquals(new double[] {(p0 + p1) / 2}, toDoubles(Losses.crossEntropy().perItem(x, t)), 1e-5);
    }

    @Test
    void bceWithLogitsAndMsePerItem() {
        float[][] x = {{1.0f, -2.0f, 0.5f}, {-0.3f, 3.0f, 0.0f}};
        float[][] y = {{1, 0, 1}, {0, 0, 1}};
        double[] bce = new double[2];
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 3; j++) {
                double sig = 1 / (1 + Math.exp(-x[i][j]));
                bce[i] += -(y[i][j] * Math.log(sig) + (1 - y[i][j]) * Math.log(1 - sig)) / 3;
            }
        }
        LossFunction b = Losses.bceWithLogits();
        assertArrayEquals(bce, toDoubles(b.perItem(mat(x), mat(y))), 1e-5);
        assertArrayEquals(new boolean[] {true, false, true, false, true, false},
                b.decode(b.activation(mat(x))).toBooleanArray());

        float[][] p = {{1.0f, 2.0f}, {0.5f, -1.0f}};
        float[][] q = {{0.0f, 4.0f}, {0.5f, 1.0f}};
        // per item: mean over the row of (p - q)^2
        double[] mse = {((1 - 0) * (1 - 0) + (2 - 4) * (2 - 4)) / 2.0, (0 + (-1 - 1) * (-1 - 1)) / 2.0};
        LossFunction f = Losses.mse();
        assertArrayEquals(mse, toDoubles(f.perItem(mat(p), mat(q))), 1e-6);
        assertEquals((mse[0] + mse[1]) / 2, f.compute(mat(p), mat(q)).getFloat(), 1e-6);
        // a (N, 1) head against (N) targets
        assertArrayEquals(new double[] {1, 4}, toDoubles(f.perItem(m.create(new float[] {1, 2}).reshape(2, 1),
                m.create(new float[] {0, 0}))), 1e-6);
    }
}

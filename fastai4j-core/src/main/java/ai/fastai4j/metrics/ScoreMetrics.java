package ai.fastai4j.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * fastai's sklearn-backed metrics, computed in Java over everything an epoch saw (fastai's {@code AccumMetric}):
 * ROC AUC (binary and one-vs-rest macro), Matthews correlation, balanced accuracy, explained variance. Each
 * keeps the epoch's predictions as Java arrays; formulas are scikit-learn's.
 */
final class ScoreMetrics {
    private ScoreMetrics() {}

    enum Kind { ROC_AUC_BINARY, ROC_AUC, MCC, BALANCED_ACCURACY, EXPLAINED_VARIANCE }

    /** Collects softmax probabilities (classification) or raw values (regression) and targets. */
    static final class Accum implements Metric {
        private final String name;
        private final Kind kind;
        private final List<float[]> rows = new ArrayList<>();
        private final List<Double> targets = new ArrayList<>();

        Accum(String name, Kind kind) {
            this.name = name;
            this.kind = kind;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public void reset() {
            rows.clear();
            targets.clear();
        }

        @Override
        public void accumulate(NDArray pred, NDArray target) {
            double[] t = target.toType(DataType.FLOAT64, false).flatten().toDoubleArray();
            if (kind == Kind.EXPLAINED_VARIANCE) {
                float[] p = pred.toType(DataType.FLOAT32, false).flatten().toFloatArray();
                if (p.length != t.length) {
                    throw new IllegalArgumentException(name + ": prediction has " + p.length + " values, target "
                            + t.length);
                }
                for (int i = 0; i < p.length; i++) {
                    rows.add(new float[] {p[i]});
                    targets.add(t[i]);
                }
                return;
            }
            NDArray probs = pred.toType(DataType.FLOAT32, false).softmax(1);
            int c = (int) probs.getShape().get(1);
            float[] flat = probs.toFloatArray();
            for (int i = 0; i < t.length; i++) {
                rows.add(Arrays.copyOfRange(flat, i * c, (i + 1) * c));
                targets.add(t[i]);
            }
        }

        /** The softmax probabilities seen this epoch, one row per item (for checks against a reference). */
        List<float[]> rows() {
            return rows;
        }

        @Override
        public double value() {
            if (rows.isEmpty()) {
                return Double.NaN;
            }
            int n = rows.size();
            int[] y = new int[n];
            for (int i = 0; i < n; i++) {
                y[i] = (int) Math.round(targets.get(i));
            }
            switch (kind) {
                case ROC_AUC_BINARY: {
                    double[] s = new double[n];
                    boolean[] pos = new boolean[n];
                    for (int i = 0; i < n; i++) {
                        s[i] = rows.get(i)[1];
                        pos[i] = y[i] == 1;
                    }
                    return auc(s, pos);
                }
                case ROC_AUC: {
                    int c = rows.get(0).length;
                    double sum = 0;
                    for (int k = 0; k < c; k++) {
                        double[] s = new double[n];
                        boolean[] pos = new boolean[n];
                        for (int i = 0; i < n; i++) {
                            s[i] = rows.get(i)[k];
                            pos[i] = y[i] == k;
                        }
                        sum += auc(s, pos);
                    }
                    return sum / c;
                }
                case EXPLAINED_VARIANCE: {
                    double[] d = new double[n];
                    double[] t = new double[n];
                    for (int i = 0; i < n; i++) {
                        t[i] = targets.get(i);
                        d[i] = t[i] - rows.get(i)[0];
                    }
                    double vt = variance(t);
                    return vt == 0 ? (variance(d) == 0 ? 1 : 0) : 1 - variance(d) / vt;
                }
                default:
                    return fromConfusion(y);
            }
        }

        private double fromConfusion(int[] y) {
            int c = rows.get(0).length;
            for (int v : y) {
                c = Math.max(c, v + 1);
            }
            long[][] cm = new long[c][c];
            for (int i = 0; i < y.length; i++) {
                float[] r = rows.get(i);
                int arg = 0;
                for (int k = 1; k < r.length; k++) {
                    if (r[k] > r[arg]) {
                        arg = k;
                    }
                }
                cm[y[i]][arg]++;
            }
            if (kind == Kind.BALANCED_ACCURACY) {
                double sum = 0;
                int present = 0;
                for (int k = 0; k < c; k++) {
                    long row = Arrays.stream(cm[k]).sum();
                    if (row > 0) {
                        sum += (double) cm[k][k] / row;
                        present++;
                    }
                }
                return sum / present;
            }
            // Matthews correlation, multi-class (sklearn's formula)
            double s = y.length;
            double correct = 0;
            double tp = 0;
            double pp = 0;
            double tt = 0;
            for (int k = 0; k < c; k++) {
                correct += cm[k][k];
                double tk = 0;
                double pk = 0;
                for (int j = 0; j < c; j++) {
                    tk += cm[k][j];
                    pk += cm[j][k];
                }
                tp += tk * pk;
                pp += pk * pk;
                tt += tk * tk;
            }
            double den = Math.sqrt((s * s - pp) * (s * s - tt));
            return den == 0 ? 0 : (correct * s - tp) / den;
        }
    }

    /** Area under the ROC curve by the rank statistic, ties sharing their average rank (sklearn's value). */
    static double auc(double[] score, boolean[] positive) {
        int n = score.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(score[a], score[b]));
        double[] rank = new double[n];
        for (int i = 0; i < n; ) {
            int j = i;
            while (j + 1 < n && score[order[j + 1]] == score[order[i]]) {
                j++;
            }
            double avg = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) {
                rank[order[k]] = avg;
            }
            i = j + 1;
        }
        long nPos = 0;
        double sumPos = 0;
        for (int i = 0; i < n; i++) {
            if (positive[i]) {
                nPos++;
                sumPos += rank[i];
            }
        }
        long nNeg = n - nPos;
        if (nPos == 0 || nNeg == 0) {
            return Double.NaN; // sklearn raises: AUC is undefined with one class
        }
        return (sumPos - nPos * (nPos + 1) / 2.0) / ((double) nPos * nNeg);
    }

    private static double variance(double[] v) {
        double mean = Arrays.stream(v).average().orElse(0);
        double s = 0;
        for (double x : v) {
            s += (x - mean) * (x - mean);
        }
        return s / v.length;
    }
}

package ai.fastai4j.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;


/** fastai's metrics: accuracy, error rate, top-k, F1, precision, recall, RMSE, MAE, R2. */
public final class Metrics {
    private Metrics() {}

    /** Share of samples whose argmax over the class axis equals the target. */
    public static Metric accuracy() {
        return new ClassCounts("accuracy", Stat.ACCURACY, 1, -1);
    }

    /** 1 - accuracy. */
    public static Metric errorRate() {
        return new ClassCounts("error_rate", Stat.ERROR, 1, -1);
    }

    /** Share of samples whose target is among the {@code k} highest outputs. */
    public static Metric topKAccuracy(int k) {
        return new ClassCounts("top_" + k + "_accuracy", Stat.ACCURACY, k, -1);
    }

    /** Binary F1 for the positive class index {@code pos} (sklearn's average='binary'). */
    public static Metric f1(int pos) {
        return new ClassCounts("f1_score", Stat.F1, 1, pos);
    }

    /** Binary F1 with positive class 1. */
    public static Metric f1() {
        return f1(1);
    }

    /** Macro-averaged F1 over all classes. */
    public static Metric f1Macro() {
        return new ClassCounts("f1_macro", Stat.F1, 1, -1);
    }

    /** Binary precision for positive class {@code pos}. */
    public static Metric precision(int pos) {
        return new ClassCounts("precision", Stat.PRECISION, 1, pos);
    }

    /** Binary recall for positive class {@code pos}. */
    public static Metric recall(int pos) {
        return new ClassCounts("recall", Stat.RECALL, 1, pos);
    }

    /**
     * fastai's accuracy_multi: share of (sample, label) pairs where sigmoid(output) > {@code threshold} agrees
     * with the 0/1 target.
     */
    public static Metric accuracyMulti(float threshold) {
        return new MultiAccuracy(threshold);
    }

    /** accuracy_multi with threshold 0.5. */
    public static Metric accuracyMulti() {
        return accuracyMulti(0.5f);
    }

    /** Root mean squared error over all elements. */
    public static Metric rmse() {
        return new Regression("_rmse", RegStat.RMSE);
    }

    /** Mean absolute error over all elements. */
    public static Metric mae() {
        return new Regression("mae", RegStat.MAE);
    }

    /** Coefficient of determination 1 - SS_res / SS_tot. */
    public static Metric r2() {
        return new Regression("r2_score", RegStat.R2);
    }

    /** fastai's RocAucBinary: ROC AUC of the softmax probability of class 1 (sklearn's roc_auc_score). */
    public static Metric rocAucBinary() {
        return new ScoreMetrics.Accum("roc_auc_score", ScoreMetrics.Kind.ROC_AUC_BINARY);
    }

    /** fastai's RocAuc: one-vs-rest ROC AUC of the softmax probabilities, macro average. */
    public static Metric rocAuc() {
        return new ScoreMetrics.Accum("roc_auc_score", ScoreMetrics.Kind.ROC_AUC);
    }

    /** fastai's MatthewsCorrCoef (multi-class, sklearn's matthews_corrcoef) of the argmax decisions. */
    public static Metric matthewsCorrCoef() {
        return new ScoreMetrics.Accum("matthews_corrcoef", ScoreMetrics.Kind.MCC);
    }

    /** fastai's BalancedAccuracy: mean recall over the classes present in the targets. */
    public static Metric balancedAccuracy() {
        return new ScoreMetrics.Accum("balanced_accuracy_score", ScoreMetrics.Kind.BALANCED_ACCURACY);
    }

    /** fastai's ExplainedVariance: 1 - Var(y - pred) / Var(y). */
    public static Metric explainedVariance() {
        return new ScoreMetrics.Accum("explained_variance_score", ScoreMetrics.Kind.EXPLAINED_VARIANCE);
    }

    /**
     * fastai's {@code foreground_acc}: accuracy of the argmax over axis 1 on the pixels whose target class is not
     * {@code bkgIdx}, averaged over batches weighted by their size.
     */
    public static Metric foregroundAcc(int bkgIdx) {
        return new SegmentationMetrics.ForegroundAcc(bkgIdx);
    }

    /** {@link #foregroundAcc(int)} with background class 0. */
    public static Metric foregroundAcc() {
        return foregroundAcc(0);
    }

    /** fastai's {@code Dice} for binary masks: {@code 2 |P and T| / (|P| + |T|)} over the epoch. */
    public static Metric dice() {
        return new SegmentationMetrics.DiceCounts(SegmentationMetrics.DiceKind.DICE);
    }

    /** fastai's {@code DiceMulti}: the Dice of each class against the rest, averaged (macro F1 of pixels). */
    public static Metric diceMulti() {
        return new SegmentationMetrics.DiceCounts(SegmentationMetrics.DiceKind.DICE_MULTI);
    }

    /** fastai's {@code JaccardCoeff} for binary masks: {@code |P and T| / |P or T|} (IoU) over the epoch. */
    public static Metric jaccardCoeff() {
        return new SegmentationMetrics.DiceCounts(SegmentationMetrics.DiceKind.JACCARD);
    }

    enum Stat { ACCURACY, ERROR, F1, PRECISION, RECALL }

    enum RegStat { RMSE, MAE, R2 }

    /** Counts over predicted classes; holds a confusion matrix that grows with the number of classes. */
    static final class ClassCounts implements Metric {
        private final String name;
        private final Stat stat;
        private final int k;
        private final int pos;
        private long correct;
        private long total;
        private long[][] confusion = new long[0][0];

        ClassCounts(String name, Stat stat, int k, int pos) {
            this.name = name;
            this.stat = stat;
            this.k = k;
            this.pos = pos;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public void reset() {
            correct = 0;
            total = 0;
            confusion = new long[0][0];
        }

        @Override
        public void accumulate(NDArray pred, NDArray target) {
            long[] t = target.toType(DataType.INT64, false).flatten().toLongArray();
            int classAxis = pred.getShape().dimension() == 2 ? 1 : 1;
            long nClasses = pred.getShape().get(classAxis);
            NDArray flat = pred.getShape().dimension() == 2 ? pred
                    : pred.transpose(moveClassLast(pred.getShape().dimension())).reshape(-1, nClasses);
            if (k == 1) {
                long[] p = flat.argMax(1).toType(DataType.INT64, false).toLongArray();
                ensure((int) nClasses);
                for (int i = 0; i < p.length; i++) {
                    if (p[i] == t[i]) {
                        correct++;
                    }
                    confusion[(int) t[i]][(int) p[i]]++;
                }
                total += p.length;
            } else {
                NDArray top = flat.topK(k, 1, true, false).get(1);
                long[] idx = top.toType(DataType.INT64, false).toLongArray();
                for (int i = 0; i < t.length; i++) {
                    for (int j = 0; j < k; j++) {
                        if (idx[i * k + j] == t[i]) {
                            correct++;
                            break;
                        }
                    }
                }
                total += t.length;
            }
        }

        private static int[] moveClassLast(int nd) {
            int[] axes = new int[nd];
            axes[0] = 0;
            for (int i = 1; i < nd - 1; i++) {
                axes[i] = i + 1;
            }
            axes[nd - 1] = 1;
            return axes;
        }

        private void ensure(int n) {
            if (confusion.length < n) {
                long[][] c = new long[n][n];
                for (int i = 0; i < confusion.length; i++) {
                    System.arraycopy(confusion[i], 0, c[i], 0, confusion.length);
                }
                confusion = c;
            }
        }

        @Override
        public double value() {
            if (total == 0) {
                return Double.NaN;
            }
            switch (stat) {
                case ACCURACY:
                    return (double) correct / total;
                case ERROR:
                    return 1.0 - (double) correct / total;
                default:
                    break;
            }
            if (pos >= 0) {
                return binary(pos);
            }
            double sum = 0;
            for (int c = 0; c < confusion.length; c++) {
                sum += binary(c);
            }
            return sum / confusion.length;
        }

        private double binary(int c) {
            if (c >= confusion.length) {
                return 0;
            }
            long tp = confusion[c][c];
            long fp = 0;
            long fn = 0;
            for (int i = 0; i < confusion.length; i++) {
                if (i != c) {
                    fp += confusion[i][c];
                    fn += confusion[c][i];
                }
            }
            double precision = tp + fp == 0 ? 0 : (double) tp / (tp + fp);
            double recall = tp + fn == 0 ? 0 : (double) tp / (tp + fn);
            switch (stat) {
                case PRECISION:
                    return precision;
                case RECALL:
                    return recall;
                default:
                    return precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            }
        }
    }

    /** Streams sums so that RMSE, MAE and R2 are exact over the whole epoch. */
    static final class Regression implements Metric {
        private final String name;
        private final RegStat stat;
        private double sumSq;
        private double sumAbs;
        private double sumT;
        private double sumT2;
        private long n;

        Regression(String name, RegStat stat) {
            this.name = name;
            this.stat = stat;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public void reset() {
            sumSq = 0;
            sumAbs = 0;
            sumT = 0;
            sumT2 = 0;
            n = 0;
        }

        @Override
        public void accumulate(NDArray pred, NDArray target) {
            float[] p = pred.toType(DataType.FLOAT32, false).flatten().toFloatArray();
            float[] t = target.toType(DataType.FLOAT32, false).flatten().toFloatArray();
            if (p.length != t.length) {
                throw new IllegalArgumentException(name + ": prediction has " + p.length + " values, target " + t.length);
            }
            for (int i = 0; i < p.length; i++) {
                double d = p[i] - t[i];
                sumSq += d * d;
                sumAbs += Math.abs(d);
                sumT += t[i];
                sumT2 += (double) t[i] * t[i];
            }
            n += p.length;
        }

        @Override
        public double value() {
            if (n == 0) {
                return Double.NaN;
            }
            switch (stat) {
                case RMSE:
                    return Math.sqrt(sumSq / n);
                case MAE:
                    return sumAbs / n;
                default:
                    double ssTot = sumT2 - sumT * sumT / n;
                    return 1 - sumSq / ssTot;
            }
        }
    }


    /** Element-wise agreement of thresholded sigmoid outputs with 0/1 targets. */
    static final class MultiAccuracy implements Metric {
        private final float threshold;
        private long agree;
        private long total;

        MultiAccuracy(float threshold) {
            this.threshold = threshold;
        }

        @Override
        public String name() {
            return "accuracy_multi";
        }

        @Override
        public void reset() {
            agree = 0;
            total = 0;
        }

        @Override
        public void accumulate(NDArray pred, NDArray target) {
            float[] p = ai.djl.nn.Activation.sigmoid(pred.toType(DataType.FLOAT32, false)).flatten().toFloatArray();
            float[] t = target.toType(DataType.FLOAT32, false).flatten().toFloatArray();
            for (int i = 0; i < p.length; i++) {
                if ((p[i] > threshold) == (t[i] > 0.5f)) {
                    agree++;
                }
            }
            total += p.length;
        }

        @Override
        public double value() {
            return total == 0 ? Double.NaN : (double) agree / total;
        }
    }
}

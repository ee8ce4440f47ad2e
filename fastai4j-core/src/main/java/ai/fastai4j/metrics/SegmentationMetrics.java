package ai.fastai4j.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;

/** fastai's segmentation metrics ({@code fastai/metrics.py}); made through {@link Metrics}. */
final class SegmentationMetrics {
    private SegmentationMetrics() {}

    /**
     * fastai's {@code foreground_acc} as an {@code AvgMetric}: per batch, the accuracy of the argmax over axis 1 on
     * the pixels whose target is not {@code bkgIdx}; batches weighted by their size.
     */
    static final class ForegroundAcc implements Metric {
        private final int bkgIdx;
        private double total;
        private long count;

        ForegroundAcc(int bkgIdx) {
            this.bkgIdx = bkgIdx;
        }

        @Override
        public String name() {
            return "foreground_acc";
        }

        @Override
        public void reset() {
            total = 0;
            count = 0;
        }

        @Override
        public void accumulate(NDArray pred, NDArray target) {
            NDArray t = squeezeTarget(target, pred);
            NDArray mask = t.neq(bkgIdx);
            NDArray right = pred.argMax(1).eq(t).logicalAnd(mask);
            float[] v = NDArrays.stack(new NDList(right.toType(DataType.FLOAT32, false).sum(),
                    mask.toType(DataType.FLOAT32, false).sum())).toFloatArray();
            long bs = pred.getShape().get(0);
            // torch: the mean of an empty selection is NaN, and fastai adds it
            total += (v[1] == 0 ? Double.NaN : (double) v[0] / v[1]) * bs;
            count += bs;
        }

        @Override
        public double value() {
            return count == 0 ? Double.NaN : total / count;
        }
    }

    /** Which statistic a {@link DiceCounts} reports. */
    enum DiceKind { DICE, JACCARD, DICE_MULTI }

    /**
     * fastai's {@code Dice} (binary: {@code 2 * sum(p t) / sum(p + t)} with p the argmax and t the target),
     * {@code JaccardCoeff} ({@code inter / (union - inter)} of the same sums) and {@code DiceMulti} (per class,
     * one-vs-rest, averaged over the classes whose union is not empty), accumulated over the epoch.
     */
    static final class DiceCounts implements Metric {
        private final DiceKind kind;
        private double inter;
        private double union;
        private double[] interC;
        private double[] unionC;

        DiceCounts(DiceKind kind) {
            this.kind = kind;
        }

        @Override
        public String name() {
            return switch (kind) {
                case DICE -> "dice";
                case JACCARD -> "jaccard_coeff";
                case DICE_MULTI -> "dice_multi";
            };
        }

        @Override
        public void reset() {
            inter = 0;
            union = 0;
            interC = null;
            unionC = null;
        }

        @Override
        public void accumulate(NDArray pred, NDArray target) {
            NDArray p = pred.argMax(1).toType(DataType.INT64, false).reshape(-1);
            NDArray t = squeezeTarget(target, pred).toType(DataType.INT64, false).reshape(-1);
            if (p.size() != t.size()) {
                throw new IllegalArgumentException("prediction has " + p.size() + " pixels, target " + t.size());
            }
            if (kind != DiceKind.DICE_MULTI) {
                float[] v = NDArrays.stack(new NDList(p.mul(t).toType(DataType.FLOAT64, false).sum(),
                        p.add(t).toType(DataType.FLOAT64, false).sum())).toType(DataType.FLOAT32, false)
                        .toFloatArray();
                inter += v[0];
                union += v[1];
                return;
            }
            int c = (int) pred.getShape().get(1);
            if (interC == null) {
                interC = new double[c];
                unionC = new double[c];
            }
            NDList parts = new NDList(2 * c);
            for (int k = 0; k < c; k++) {
                NDArray pk = p.eq(k).toType(DataType.FLOAT32, false);
                NDArray tk = t.eq(k).toType(DataType.FLOAT32, false);
                parts.add(pk.mul(tk).sum());
                parts.add(pk.add(tk).sum());
            }
            float[] v = NDArrays.stack(parts).toFloatArray();
            for (int k = 0; k < c; k++) {
                interC[k] += v[2 * k];
                unionC[k] += v[2 * k + 1];
            }
        }

        @Override
        public double value() {
            switch (kind) {
                case DICE:
                    return union > 0 ? 2 * inter / union : Double.NaN;
                case JACCARD:
                    return union > 0 ? inter / (union - inter) : Double.NaN;
                default:
                    if (interC == null) {
                        return Double.NaN;
                    }
                    double sum = 0;
                    int n = 0;
                    for (int k = 0; k < interC.length; k++) {
                        if (unionC[k] > 0) {
                            sum += 2 * interC[k] / unionC[k];
                            n++;
                        }
                    }
                    return n == 0 ? Double.NaN : sum / n; // numpy's nanmean
            }
        }
    }

    /** (N, 1, H, W) targets as (N, H, W), as fastai's {@code targ.squeeze(1)}. */
    static NDArray squeezeTarget(NDArray target, NDArray pred) {
        if (target.getShape().dimension() == pred.getShape().dimension() && target.getShape().get(1) == 1) {
            return target.squeeze(1);
        }
        return target;
    }
}

package ai.fastai4j.learner;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Learning rates suggested by {@link Learner#lrFind}, computed as fastai does on the recorded lrs and smoothed
 * losses from {@code numIt/10} to five before the end, cut at the first NaN.
 */
public record SuggestedLrs(double valley, double minimum, double steep, double slide, double[] lrs, double[] losses) {

    /** Name to value, in fastai's order, for plots and printing. */
    public Map<String, Double> asMap() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("valley", valley);
        m.put("minimum", minimum);
        m.put("steep", steep);
        m.put("slide", slide);
        return m;
    }

    @Override
    public String toString() {
        return String.format("SuggestedLRs(valley=%.2e, minimum=%.2e, steep=%.2e, slide=%.2e)", valley, minimum, steep,
                slide);
    }

    /** Computes the suggestions from a full lr_find record. */
    public static SuggestedLrs compute(List<Double> allLrs, List<Double> allLosses, int numIt) {
        int from = numIt / 10;
        int to = allLosses.size() - 5;
        List<Double> l = new ArrayList<>();
        List<Double> r = new ArrayList<>();
        for (int i = from; i < to; i++) {
            if (Double.isNaN(allLosses.get(i))) {
                break;
            }
            l.add(allLosses.get(i));
            r.add(allLrs.get(i));
        }
        if (l.size() < 2) {
            throw new IllegalStateException("lr_find recorded too few iterations (" + allLosses.size()
                    + ") to suggest a learning rate: use more data or a smaller batch size");
        }
        double[] lrs = r.stream().mapToDouble(Double::doubleValue).toArray();
        double[] losses = l.stream().mapToDouble(Double::doubleValue).toArray();
        return new SuggestedLrs(valley(lrs, losses), minimum(lrs, losses), steep(lrs, losses), slide(lrs, losses),
                lrs, losses);
    }

    /** Longest decreasing run of the loss; the lr a half-third into it (fastai's valley). */
    public static double valley(double[] lrs, double[] losses) {
        int n = losses.length;
        int maxStart = 0;
        int maxEnd = 0;
        int[] lds = new int[n];
        java.util.Arrays.fill(lds, 1);
        for (int i = 1; i < n; i++) {
            for (int j = 0; j < i; j++) {
                if (losses[i] < losses[j] && lds[i] < lds[j] + 1) {
                    lds[i] = lds[j] + 1;
                }
                if (lds[maxEnd] < lds[i]) {
                    maxEnd = i;
                    maxStart = maxEnd - lds[maxEnd];
                }
            }
        }
        double sections = (maxEnd - maxStart) / 3.0;
        int idx = maxStart + (int) sections + (int) (sections / 2);
        return lrs[idx];
    }

    /** A tenth of the lr at the minimum loss. */
    public static double minimum(double[] lrs, double[] losses) {
        int best = 0;
        for (int i = 1; i < losses.length; i++) {
            if (losses[i] < losses[best]) {
                best = i;
            }
        }
        return lrs[best] / 10;
    }

    /** The lr where the loss falls fastest against log lr. */
    public static double steep(double[] lrs, double[] losses) {
        int best = 0;
        double bestGrad = Double.POSITIVE_INFINITY;
        for (int i = 0; i < losses.length - 1; i++) {
            double g = (losses[i + 1] - losses[i]) / (Math.log(lrs[i + 1]) - Math.log(lrs[i]));
            if (g < bestGrad) {
                bestGrad = g;
                best = i;
            }
        }
        return lrs[best];
    }

    /** fastai's slide (lr_diff 15, thresh 0.005): walk left until the loss gradient flattens. */
    public static double slide(double[] lrs, double[] losses) {
        int n = losses.length;
        double[] grad = new double[n];
        for (int i = 0; i < n; i++) {
            if (n == 1) {
                grad[i] = 0;
            } else if (i == 0) {
                grad[i] = losses[1] - losses[0];
            } else if (i == n - 1) {
                grad[i] = losses[n - 1] - losses[n - 2];
            } else {
                grad[i] = (losses[i + 1] - losses[i - 1]) / 2;
            }
        }
        int lrDiff = 15;
        int rIdx = n - 1;
        int lIdx = rIdx - lrDiff;
        if (lIdx < 0) {
            return lrs[0];
        }
        double localMin = lrs[lIdx];
        while (lIdx >= 0 && Math.abs(grad[rIdx] - grad[lIdx]) > 0.005) {
            localMin = lrs[lIdx];
            rIdx--;
            lIdx--;
        }
        return localMin;
    }
}

package ai.fastai4j.optim;

import java.util.Arrays;

/**
 * A hyper-parameter spread over parameter groups, like fastai's {@code slice}: {@link #of(double)} gives
 * {@code hi/10} to every group but the last, which gets {@code hi}; {@link #of(double, double)} spreads
 * geometrically from {@code lo} to {@code hi} (fastai's {@code even_mults}); {@link #all(double)} gives one value
 * to every group.
 *
 * @param lo the first group's value, or NaN for the {@code slice(hi)} form
 * @param hi the last group's value
 */
public record Slice(double lo, double hi) {

    public Slice {
        if (!Double.isFinite(hi)) {
            throw new IllegalArgumentException("slice end must be finite, got " + hi);
        }
        if (Double.isInfinite(lo)) {
            throw new IllegalArgumentException("slice start must be finite or NaN, got " + lo);
        }
    }

    /** fastai's {@code slice(hi)}. */
    public static Slice of(double hi) {
        return new Slice(Double.NaN, hi);
    }

    /** fastai's {@code slice(lo, hi)}: both must be positive. */
    public static Slice of(double lo, double hi) {
        if (!(lo > 0) || !(hi > 0)) {
            throw new IllegalArgumentException("slice(lo, hi) needs positive values, got " + lo + ", " + hi);
        }
        return new Slice(lo, hi);
    }

    /** The same value for every group. */
    public static Slice all(double value) {
        return new Slice(value, value);
    }

    /** The values for {@code nGroups} groups; one group gets {@code hi}. */
    public double[] spread(int nGroups) {
        if (nGroups < 1) {
            throw new IllegalArgumentException("need at least one group, got " + nGroups);
        }
        double[] out = new double[nGroups];
        if (nGroups == 1) {
            out[0] = hi;
        } else if (Double.isNaN(lo)) {
            Arrays.fill(out, hi / 10);
            out[nGroups - 1] = hi;
        } else if (lo == hi) {
            Arrays.fill(out, hi);
        } else {
            double step = Math.pow(hi / lo, 1.0 / (nGroups - 1));
            for (int i = 0; i < nGroups; i++) {
                out[i] = lo * Math.pow(step, i);
            }
        }
        return out;
    }

    /** The largest value of the spread. */
    public double max() {
        return Double.isNaN(lo) ? hi : Math.max(lo, hi);
    }
}

package ai.fastai4j.schedule;

/** fastai's schedule functions ({@code callback/schedule.py}) and the schedules of its fit methods. */
public final class Schedules {

    private Schedules() {
    }

    /** Linear: {@code start + pct*(end-start)}. */
    public static Schedule lin(double start, double end) {
        return pct -> start + pct * (end - start);
    }

    /** Cosine (fastai's {@code sched_cos}): {@code start + (1 + cos(pi*(1-pct))) * (end-start) / 2}. */
    public static Schedule cos(double start, double end) {
        return pct -> start + (1 + Math.cos(Math.PI * (1 - pct))) * (end - start) / 2;
    }

    /** Exponential: {@code start * (end/start)^pct}. */
    public static Schedule exp(double start, double end) {
        return pct -> start * Math.pow(end / start, pct);
    }

    /** Constant. */
    public static Schedule no(double value) {
        return pct -> value;
    }

    /** Polynomial: {@code start + (end-start) * pct^power}. */
    public static Schedule poly(double start, double end, double power) {
        return pct -> start + (end - start) * Math.pow(pct, power);
    }

    /**
     * fastai's {@code combine_scheds}: schedule {@code i} runs over a fraction {@code pcts[i]} of training, seeing
     * its own progress from 0 to 1. The fractions must be non-negative and sum to 1.
     */
    public static Schedule combine(double[] pcts, Schedule... scheds) {
        if (pcts.length != scheds.length || pcts.length == 0) {
            throw new IllegalArgumentException(
                    "combine needs one fraction per schedule, got " + pcts.length + " and " + scheds.length);
        }
        double[] cum = new double[pcts.length + 1];
        for (int i = 0; i < pcts.length; i++) {
            if (!(pcts[i] >= 0)) {
                throw new IllegalArgumentException("schedule fractions must be >= 0, got " + pcts[i]);
            }
            cum[i + 1] = cum[i] + pcts[i];
        }
        if (Math.abs(cum[pcts.length] - 1) > 1e-9) {
            throw new IllegalArgumentException("schedule fractions must sum to 1, got " + cum[pcts.length]);
        }
        Schedule[] s = scheds.clone();
        int lim = pcts.length - 1;
        return pos -> {
            int idx = 0;
            for (int i = 0; i < cum.length; i++) {
                if (pos >= cum[i]) {
                    idx = i;
                }
            }
            idx = Math.min(idx, lim);
            double width = cum[idx + 1] - cum[idx];
            double actual = width == 0 ? 0 : (pos - cum[idx]) / width;
            return s[idx].at(actual);
        };
    }

    /** fastai's {@code combined_cos}: cosine {@code start -> middle} over {@code pct}, then {@code middle -> end}. */
    public static Schedule combinedCos(double pct, double start, double middle, double end) {
        return combine(new double[] {pct, 1 - pct}, cos(start, middle), cos(middle, end));
    }

    /** The learning rate of {@code fit_one_cycle}: {@code lrMax/div -> lrMax -> lrMax/divFinal}. */
    public static Schedule oneCycleLr(double lrMax, double div, double divFinal, double pctStart) {
        return combinedCos(pctStart, lrMax / div, lrMax, lrMax / divFinal);
    }

    /** The momentum of {@code fit_one_cycle}: {@code moms0 -> moms1 -> moms2} (fastai: 0.95, 0.85, 0.95). */
    public static Schedule oneCycleMom(double moms0, double moms1, double moms2, double pctStart) {
        return combinedCos(pctStart, moms0, moms1, moms2);
    }

    /** The learning rate of {@code fit_flat_cos}: flat {@code lr}, then cosine down to {@code lr/divFinal}. */
    public static Schedule flatCos(double lr, double pctStart, double divFinal) {
        return combinedCos(pctStart, lr, lr, lr / divFinal);
    }

    /**
     * The learning rate of {@code fit_sgdr}: {@code nCycles} cosine annealings from {@code lrMax} to 0, cycle
     * {@code i} lasting {@code cycleLen * cycleMult^i} epochs (see {@link #sgdrEpochs}).
     */
    public static Schedule sgdr(double lrMax, int nCycles, int cycleLen, int cycleMult) {
        long n = sgdrEpochs(nCycles, cycleLen, cycleMult);
        double[] pcts = new double[nCycles];
        Schedule[] scheds = new Schedule[nCycles];
        for (int i = 0; i < nCycles; i++) {
            pcts[i] = cycleLen * Math.pow(cycleMult, i) / n;
            scheds[i] = cos(lrMax, 0);
        }
        return combine(pcts, scheds);
    }

    /** Total epochs of {@code fit_sgdr}: {@code cycleLen * (cycleMult^nCycles - 1) / (cycleMult - 1)}. */
    public static long sgdrEpochs(int nCycles, int cycleLen, int cycleMult) {
        if (nCycles < 1 || cycleLen < 1 || cycleMult < 1) {
            throw new IllegalArgumentException("sgdr needs positive cycles, length and multiplier");
        }
        if (cycleMult == 1) {
            return (long) cycleLen * nCycles;
        }
        long pow = 1;
        for (int i = 0; i < nCycles; i++) {
            pow *= cycleMult;
        }
        return cycleLen * (pow - 1) / (cycleMult - 1);
    }
}

package ai.fastai4j.learner;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** fastai's schedule formulas, written out independently of {@code Schedules}, for checking them. */
final class FastaiSchedules {
    private FastaiSchedules() {}

    /** fastai's sched_cos: start + (1 + cos(pi * (1 - pct))) * (end - start) / 2. */
    static double cos(double start, double end, double pct) {
        return start + (1 + Math.cos(Math.PI * (1 - pct))) * (end - start) / 2;
    }

    /** fastai's combined_cos(pct_start, start, middle, end) at position {@code pos}. */
    static double combinedCos(double pctStart, double start, double middle, double end, double pos) {
        return pos < pctStart ? cos(start, middle, pos / pctStart) : cos(middle, end, (pos - pctStart) / (1 - pctStart));
    }

    static void assertClose(double expected, double actual, String what) {
        assertEquals(expected, actual, Math.abs(expected) * 1e-9, what);
    }
}

package ai.fastai4j.learner;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SuggestedLrsTest {

    /** 100 learning rates, log-spaced from 1e-7 to 10. */
    private static double[] logspace(int n) {
        double[] lrs = new double[n];
        for (int i = 0; i < n; i++) {
            lrs[i] = Math.pow(10, -7 + 8.0 * i / (n - 1));
        }
        return lrs;
    }

    /** Rises from index 0 to 10, falls strictly from 10 to 70, rises again to the end. */
    private static double[] valleyCurve() {
        double[] l = new double[100];
        for (int i = 0; i <= 10; i++) {
            l[i] = 1.0 + 0.1 * i; // 1.0 .. 2.0
        }
        for (int i = 11; i <= 70; i++) {
            l[i] = 2.0 - 1.5 * (i - 10) / 60.0; // down to 0.5 at 70
        }
        for (int i = 71; i < 100; i++) {
            l[i] = 0.5 + 0.1 * (i - 70); // up to 3.4
        }
        return l;
    }

    @Test
    void valleyUsesFastaisIndexFormula() {
        double[] lrs = logspace(100);
        double[] losses = valleyCurve();
        // longest decreasing run: indices 10..70, 61 values, so max_end = 70 and lds[max_end] = 61;
        // fastai: max_start = max_end - lds[max_end] = 9; sections = (70 - 9) / 3 = 20.33;
        // idx = max_start + int(sections) + int(sections / 2) = 9 + 20 + 10 = 39
        int expectedIdx = 39;
        assertEquals(lrs[expectedIdx], SuggestedLrs.valley(lrs, losses), 0);
    }

    @Test
    void valleyOnAShortRun() {
        double[] lrs = logspace(10);
        double[] losses = {5, 4, 3, 2, 1, 2, 3, 4, 5, 6};
        // decreasing run 0..4: lds[4] = 5, max_end 4, max_start = 4 - 5 = -1; sections = 5/3 = 1.67;
        // idx = -1 + 1 + 0 = 0
        assertEquals(lrs[0], SuggestedLrs.valley(lrs, losses), 0);
        double[] losses2 = {9, 9.5, 9.9, 8, 7, 6, 5, 4, 3, 2};
        // lds[9] = 8 (9.9 or 9.5 then 8..2: 9.5 > 8, so 9.5, 8, 7, ..., 2 has 8 values; 9 -> 8 too; 9.9 -> 8 too);
        // max_end 9, max_start = 9 - 8 = 1; sections = 8/3 = 2.67; idx = 1 + 2 + 1 = 4
        assertEquals(lrs[4], SuggestedLrs.valley(lrs, losses2), 0);
    }

    @Test
    void minimumAndSteepOnASimpleCurve() {
        double[] lrs = logspace(50);
        double[] losses = new double[50];
        for (int i = 0; i < 50; i++) {
            losses[i] = 3.0 - 0.01 * i;
        }
        losses[20] = losses[19] - 0.5; // the steepest drop is between 19 and 20
        for (int i = 21; i < 50; i++) {
            losses[i] = losses[20] - 0.01 * (i - 20);
        }
        losses[40] = 0.1; // the minimum
        for (int i = 41; i < 50; i++) {
            losses[i] = 0.1 + 0.2 * (i - 40);
        }
        assertEquals(lrs[40] / 10, SuggestedLrs.minimum(lrs, losses), 0);
        // slope (l[i+1] - l[i]) / (log lr[i+1] - log lr[i]); log steps are equal, so the biggest drop wins:
        // 19 -> 20 drops 0.5; 39 -> 40 drops losses[39] - 0.1 = (3.0 - 0.19 - 0.5 - 0.19) - 0.1 = 2.02
        assertEquals(lrs[39], SuggestedLrs.steep(lrs, losses), 0);
        for (int i = 40; i < 50; i++) {
            losses[i] = losses[20] - 0.01 * (i - 20); // straight on: now 19 -> 20 is the steepest drop
        }
        assertEquals(lrs[19], SuggestedLrs.steep(lrs, losses), 0);
        assertEquals(lrs[49] / 10, SuggestedLrs.minimum(lrs, losses), 0);
    }

    @Test
    void slideOnAStraightLineStaysFifteenFromTheEnd() {
        double[] lrs = logspace(40);
        double[] losses = new double[40];
        for (int i = 0; i < 40; i++) {
            losses[i] = 2.0 - 0.01 * i; // constant gradient: the while loop never runs
        }
        assertEquals(lrs[40 - 16], SuggestedLrs.slide(lrs, losses), 0);
    }

    @Test
    void computeCutsTheRecordLikeFastai() {
        int numIt = 100;
        List<Double> lrs = new ArrayList<>();
        List<Double> losses = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            lrs.add(1e-7 * Math.pow(1e8, i / 100.0));
            losses.add(i == 45 ? Double.NaN : 2.0 - 0.01 * i);
        }
        SuggestedLrs s = SuggestedLrs.compute(lrs, losses, numIt);
        // from numIt/10 = 10 up to size - 5 = 55, cut at the first NaN (45): indices 10..44
        assertEquals(35, s.lrs().length);
        assertEquals(lrs.get(10), s.lrs()[0], 0);
        assertEquals(lrs.get(44), s.lrs()[34], 0);
        assertArrayEquals(losses.subList(10, 45).stream().mapToDouble(Double::doubleValue).toArray(), s.losses(), 0);
        assertThrows(IllegalStateException.class, () -> SuggestedLrs.compute(lrs.subList(0, 12), losses.subList(0, 12),
                numIt));
    }
}

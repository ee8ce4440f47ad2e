package ai.fastai4j.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class SchedulesTest {

    private static final double TOL = 1e-12;

    /** fastai's sched_cos written out. */
    private static double cos(double start, double end, double pos) {
        return start + (1 + Math.cos(Math.PI * (1 - pos))) * (end - start) / 2;
    }

    @Test
    void basicSchedules() {
        assertEquals(2.5, Schedules.lin(1, 4).at(0.5), TOL);
        assertEquals(1, Schedules.cos(1, 3).at(0), TOL);
        assertEquals(2, Schedules.cos(1, 3).at(0.5), TOL);
        assertEquals(3, Schedules.cos(1, 3).at(1), TOL);
        assertEquals(1e-4, Schedules.exp(1e-7, 10).at(3.0 / 8), 1e-16);
        assertEquals(7, Schedules.no(7).at(0.3), 0);
        assertEquals(1 + 3 * 0.25, Schedules.poly(1, 4, 2).at(0.5), TOL);
    }

    @Test
    void oneCycleLrAndMom() {
        double lrMax = 0.01;
        Schedule lr = Schedules.oneCycleLr(lrMax, 25, 1e5, 0.25);
        Schedule mom = Schedules.oneCycleMom(0.95, 0.85, 0.95, 0.25);
        double[] pcts = {0, 0.125, 0.25, 0.625, 1.0};
        double[] expectedLr = {
            lrMax / 25,
            cos(lrMax / 25, lrMax, 0.5),
            lrMax,
            cos(lrMax, lrMax / 1e5, 0.5),
            lrMax / 1e5,
        };
        double[] expectedMom = {0.95, cos(0.95, 0.85, 0.5), 0.85, cos(0.85, 0.95, 0.5), 0.95};
        for (int i = 0; i < pcts.length; i++) {
            assertEquals(expectedLr[i], lr.at(pcts[i]), TOL, "lr at " + pcts[i]);
            assertEquals(expectedMom[i], mom.at(pcts[i]), TOL, "mom at " + pcts[i]);
        }
        assertEquals((lrMax / 25 + lrMax) / 2, lr.at(0.125), TOL);
        assertEquals(0.9, mom.at(0.125), TOL);
        assertEquals(0.9, mom.at(0.625), TOL);
        // inside the second phase: position (0.4-0.25)/0.75 = 0.2
        assertEquals(cos(lrMax, lrMax / 1e5, 0.2), lr.at(0.4), TOL);
    }

    @Test
    void combine() {
        Schedule s = Schedules.combine(new double[] {0.5, 0.5}, Schedules.lin(0, 1), Schedules.no(5));
        assertEquals(0, s.at(0), TOL);
        assertEquals(0.5, s.at(0.25), TOL);
        assertEquals(5, s.at(0.5), TOL);
        assertEquals(5, s.at(1), TOL);
        Schedule three = Schedules.combine(new double[] {0.2, 0.3, 0.5},
                Schedules.lin(0, 1), Schedules.lin(10, 20), Schedules.lin(100, 200));
        assertEquals(0.5, three.at(0.1), TOL);
        assertEquals(15, three.at(0.35), TOL);
        assertEquals(150, three.at(0.75), TOL);
        assertEquals(200, three.at(1.0), TOL);
        assertThrows(IllegalArgumentException.class,
                () -> Schedules.combine(new double[] {0.5, 0.4}, Schedules.no(1), Schedules.no(2)));
        assertThrows(IllegalArgumentException.class, () -> Schedules.combine(new double[] {1}));
    }

    @Test
    void flatCosAndSgdr() {
        Schedule f = Schedules.flatCos(0.1, 0.75, 1e5);
        assertEquals(0.1, f.at(0), TOL);
        assertEquals(0.1, f.at(0.5), TOL);
        assertEquals(0.1, f.at(0.75), TOL);
        assertEquals(cos(0.1, 0.1 / 1e5, 0.5), f.at(0.875), TOL);
        assertEquals(0.1 / 1e5, f.at(1), TOL);

        assertEquals(7, Schedules.sgdrEpochs(3, 1, 2));
        Schedule s = Schedules.sgdr(1.0, 3, 1, 2); // cycles of 1, 2, 4 epochs out of 7
        assertEquals(1.0, s.at(0), TOL);
        assertEquals(cos(1, 0, 0.5), s.at(0.5 / 7), TOL);
        assertEquals(1.0, s.at(1.0 / 7), TOL);
        assertEquals(cos(1, 0, 0.5), s.at(5.0 / 7), TOL);
        assertEquals(0, s.at(1), TOL);
    }
}

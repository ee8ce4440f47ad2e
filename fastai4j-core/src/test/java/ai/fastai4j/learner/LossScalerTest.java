package ai.fastai4j.learner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** torch's GradScaler rules: start 2^16, halve and skip on overflow, double after 2000 clean steps. */
class LossScalerTest {

    @Test
    void defaultsAreTorchs() {
        LossScaler s = new LossScaler();
        assertEquals(65536.0, s.scale());
        assertEquals(2000, s.growthInterval());
    }

    @Test
    void overflowHalvesAndSkipsCleanStepsDouble() {
        LossScaler s = new LossScaler();
        assertFalse(s.update(false), "inf/NaN gradients: skip the step");
        assertEquals(32768.0, s.scale());
        assertEquals(1, s.skippedSteps());
        for (int i = 1; i < 2000; i++) {
            assertTrue(s.update(true));
        }
        assertEquals(32768.0, s.scale(), "1999 clean steps: not yet");
        assertTrue(s.update(true));
        assertEquals(65536.0, s.scale(), "the 2000th clean step doubles");
        assertEquals(0, s.cleanSteps());
    }

    @Test
    void anOverflowRestartsTheCleanCount() {
        LossScaler s = new LossScaler(8, 3);
        boolean[] finite = {true, true, false, true, true, true, false, false, true};
        double[] scaleAfter = {8, 8, 4, 4, 4, 8, 4, 2, 2};
        boolean[] taken = {true, true, false, true, true, true, false, false, true};
        for (int i = 0; i < finite.length; i++) {
            assertEquals(taken[i], s.update(finite[i]), "step " + i);
            assertEquals(scaleAfter[i], s.scale(), "scale after step " + i);
        }
        assertEquals(3, s.skippedSteps());
        assertEquals(1, s.cleanSteps());
    }

    @Test
    void rejectsNonsense() {
        assertThrows(IllegalArgumentException.class, () -> new LossScaler(0, 10));
        assertThrows(IllegalArgumentException.class, () -> new LossScaler(Double.POSITIVE_INFINITY, 10));
        assertThrows(IllegalArgumentException.class, () -> new LossScaler(Double.NaN, 10));
        assertThrows(IllegalArgumentException.class, () -> new LossScaler(1, 0));
    }
}

package ai.fastai4j.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class SliceTest {

    @Test
    void geometricSpread() {
        assertArrayEquals(new double[] {1e-5, 1e-4, 1e-3}, Slice.of(1e-5, 1e-3).spread(3), 1e-15);
        assertArrayEquals(new double[] {1e-5, 1e-3}, Slice.of(1e-5, 1e-3).spread(2), 1e-15);
        double[] four = Slice.of(1e-6, 1e-3).spread(4);
        assertArrayEquals(new double[] {1e-6, 1e-5, 1e-4, 1e-3}, four, 1e-15);
        assertEquals(1e-3, Slice.of(1e-5, 1e-3).max());
    }

    @Test
    void hiOnlySpread() {
        assertArrayEquals(new double[] {1e-4, 1e-4, 1e-3}, Slice.of(1e-3).spread(3), 1e-18);
        assertEquals(1e-3, Slice.of(1e-3).max());
    }

    @Test
    void oneGroupGetsHi() {
        assertArrayEquals(new double[] {1e-3}, Slice.of(1e-3).spread(1), 0);
        assertArrayEquals(new double[] {1e-3}, Slice.of(1e-5, 1e-3).spread(1), 0);
    }

    @Test
    void allAndValidation() {
        assertArrayEquals(new double[] {0.2, 0.2, 0.2}, Slice.all(0.2).spread(3), 0);
        assertArrayEquals(new double[] {0, 0}, Slice.all(0).spread(2), 0);
        assertEquals(0.2, Slice.all(0.2).max());
        assertThrows(IllegalArgumentException.class, () -> Slice.of(0, 1e-3));
        assertThrows(IllegalArgumentException.class, () -> Slice.of(1e-3).spread(0));
    }
}

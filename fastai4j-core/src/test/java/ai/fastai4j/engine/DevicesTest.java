package ai.fastai4j.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.junit.jupiter.api.Test;

/** Device names, the configured device, the GPU check on a CPU-only engine, and autocast's CPU guard. */
class DevicesTest {

    @Test
    void parsesDeviceNames() {
        assertEquals(Device.cpu(), Devices.parse("cpu"));
        assertEquals(Device.cpu(), Devices.parse(" CPU "));
        assertEquals(Device.gpu(0), Devices.parse("gpu"));
        assertEquals(Device.gpu(0), Devices.parse("cuda"));
        assertEquals(Device.gpu(1), Devices.parse("gpu:1"));
        assertEquals(Device.gpu(2), Devices.parse("cuda:2"));
        assertEquals(Device.gpu(3), Devices.parse("gpu(3)"));
        for (String bad : new String[] {"", "tpu", "gpu:", "gpu:-1", "cuda:x", "gpu1"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Devices.parse(bad), bad);
            assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
        }
    }

    @Test
    void thePropertyNamesTheDevice() {
        String before = System.getProperty(Devices.PROPERTY);
        try {
            System.setProperty(Devices.PROPERTY, "gpu:1");
            assertEquals(Device.gpu(1), Devices.configured());
            System.setProperty(Devices.PROPERTY, "quantum");
            assertThrows(IllegalArgumentException.class, Devices::configured);
        } finally {
            if (before == null) {
                System.clearProperty(Devices.PROPERTY);
            } else {
                System.setProperty(Devices.PROPERTY, before);
            }
        }
    }

    @Test
    void aGpuTheEngineDoesNotSeeIsRefusedWithAHint() {
        int gpus = Devices.gpuCount();
        assertSame(Device.cpu(), Devices.check(Device.cpu()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Devices.check(Device.gpu(gpus)));
        assertTrue(e.getMessage().contains("sees " + gpus + " GPU"), e.getMessage());
    }

    @Test
    void autocastNeverTouchesCpuArraysAndNests() {
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            NDArray x = m.ones(new ai.djl.ndarray.types.Shape(2, 2));
            assertFalse(Autocast.isEnabled());
            try (Autocast outer = Autocast.enter()) {
                try (Autocast inner = Autocast.enter()) {
                    assertTrue(Autocast.isEnabled());
                    assertSame(x, Autocast.half(x), "no half precision on the CPU");
                    assertEquals(DataType.FLOAT32, Autocast.half(x).getDataType());
                }
                assertTrue(Autocast.isEnabled(), "closing the inner scope keeps the outer one");
            }
            assertFalse(Autocast.isEnabled());
            assertSame(x, Autocast.full(x));
        }
    }
}

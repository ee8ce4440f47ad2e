package ai.fastai4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.fastai4j.engine.Devices;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@code --device} on train, lr-find, predict and serve: bad names and unavailable GPUs are bad usage (exit 2). */
class DeviceOptionTest {

    private static String[] run(String... args) {
        PrintStream oldErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        String before = System.getProperty(Devices.PROPERTY);
        try {
            int code = Main.execute(args);
            return new String[] {Integer.toString(code), err.toString(StandardCharsets.UTF_8)};
        } finally {
            System.setErr(oldErr);
            if (before == null) {
                System.clearProperty(Devices.PROPERTY);
            } else {
                System.setProperty(Devices.PROPERTY, before);
            }
        }
    }

    @Test
    void aBadDeviceIsBadUsageOnEveryCommandThatTakesIt() {
        for (String cmd : new String[] {"train", "lr-find", "predict", "serve"}) {
            String[] r = run(cmd, "--device", "tpu", "model.fai", "image.png");
            assertEquals("2", r[0], cmd + ": " + r[1]);
            assertTrue(r[1].contains("--device: not a device: 'tpu'"), cmd + ": " + r[1]);
        }
    }

    @Test
    void aGpuTheEngineDoesNotSeeIsBadUsage() {
        String gpu = "gpu:" + Devices.gpuCount();
        String[] r = run("predict", "--device", gpu, "model.fai", "image.png");
        assertEquals("2", r[0], r[1]);
        assertTrue(r[1].contains("is not available"), r[1]);
    }
}

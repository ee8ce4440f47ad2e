package ai.fastai4j.learner;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.fastai4j.metrics.Metrics;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProgressTableTest {

    @Test
    void printsFastaisEpochTable() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        try (TestData.Rig rig = TestData.blobRig(TestData.blobs(48, 2, 2.0), 16, 8, 0, 3,
                b -> b.metrics(Metrics.accuracy()))) {
            rig.learn.addCallbacks(new ProgressCallback(out));
            rig.learn.fit(2, 1e-2);
            List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
            assertEquals(3, lines.size(), lines.toString());
            // columns as wide as their names, at least 8, two spaces apart
            assertEquals("epoch     train_loss  valid_loss  accuracy  time", lines.get(0));
            List<List<Double>> values = rig.learn.recorder().values();
            for (int e = 0; e < 2; e++) {
                String[] cells = lines.get(e + 1).trim().split("\\s+");
                assertEquals(5, cells.length, lines.get(e + 1));
                assertEquals(String.valueOf(e), cells[0]);
                assertEquals(String.format("%.6f", values.get(e).get(0)), cells[1]);
                assertEquals(String.format("%.6f", values.get(e).get(1)), cells[2]);
                assertEquals(String.format("%.6f", values.get(e).get(2)), cells[3]);
                assertEquals(true, cells[4].matches("\\d\\d:\\d\\d"), cells[4]);
            }
        }
    }
}

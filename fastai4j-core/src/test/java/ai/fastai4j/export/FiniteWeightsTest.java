package ai.fastai4j.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.fastai4j.learner.TerminateOnNaNCallback;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A failed training never ships: no export after a NaN loss or with non-finite weights. */
class FiniteWeightsTest {
    private static final ExportRegistry REGISTRY = ExportFixtures.registry();

    @TempDir
    Path dir;

    @Test
    void aFitStoppedForANanLossDoesNotExport() {
        try (ExportFixtures.Rig rig = ExportFixtures.rig(false, null, b -> { }, 0)) {
            rig.learn.fit(2, 1e8);
            String stopped = rig.learn.callback(TerminateOnNaNCallback.class).message();
            assertTrue(stopped != null && stopped.contains("training loss is"), String.valueOf(stopped));
            Path file = dir.resolve("nan.fai");
            ExportException e = assertThrows(ExportException.class, () -> ModelExport.export(rig.learn, file, REGISTRY));
            assertTrue(e.getMessage().contains("the last training failed: " + stopped), e.getMessage());
            assertFalse(Files.exists(file));
        }
    }

    @Test
    void nonFiniteWeightsAreNamed() {
        try (ExportFixtures.Rig rig = ExportFixtures.rig(false, null, b -> { }, 1)) {
            assertEquals(List.of(), FiniteWeights.nonFinite(rig.learn.model().stateDict()));
            Map.Entry<String, NDArray> first = rig.learn.model().stateDict().entrySet().iterator().next();
            NDArray w = first.getValue();
            float[] v = w.toFloatArray();
            v[1] = Float.NaN;
            v[2] = Float.POSITIVE_INFINITY;
            w.set(v);
            assertEquals(List.of(first.getKey() + " (2 of " + v.length + ")"),
                    FiniteWeights.nonFinite(rig.learn.model().stateDict()));
            Path file = dir.resolve("inf.fai");
            ExportException e = assertThrows(ExportException.class, () -> ModelExport.export(rig.learn, file, REGISTRY));
            assertTrue(e.getMessage().contains("weights are not finite") && e.getMessage().contains(first.getKey()),
                    e.getMessage());
            assertFalse(Files.exists(file));
        }
    }
}

package ai.fastai4j.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.fastai4j.data.DataException;
import ai.fastai4j.learner.Prediction;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InferenceModelTest {

    private static final ExportRegistry REGISTRY = ExportFixtures.registry();

    private static Path exported(Path dir) {
        Path file = dir.resolve("m.fai");
        try (ExportFixtures.Rig rig = ExportFixtures.classifier()) {
            ModelExport.export(rig.learn, file, REGISTRY);
        }
        return file;
    }

    private static int liveArrays() {
        try (NDManager probe = NDManager.newBaseManager()) {
            return probe.getParentManager().getManagedArrays().size();
        }
    }

    @Test
    void badInputThrowsDataExceptionAndTheModelStaysUsable(@TempDir Path dir) {
        try (InferenceModel model = InferenceModel.load(exported(dir), REGISTRY)) {
            Prediction before = model.predict(new float[] {1f, 1f});
            DataException e = assertThrows(DataException.class, () -> model.predict(new float[] {1f, 2f, 3f}));
            assertTrue(e.getMessage().contains("expected a float[2], got float[3]"), e.getMessage());
            e = assertThrows(DataException.class, () -> model.predict("not a vector"));
            assertTrue(e.getMessage().contains("got String"), e.getMessage());
            e = assertThrows(DataException.class, () -> model.predict(null));
            assertTrue(e.getMessage().contains("null"), e.getMessage());
            e = assertThrows(DataException.class,
                    () -> model.predictBatch(List.of(new float[] {1f, 1f}, new float[] {1f})));
            assertTrue(e.getMessage().startsWith("input 1 "), e.getMessage());
            assertArrayEquals(before.probs(), model.predict(new float[] {1f, 1f}).probs(), 0f);
            assertEquals(List.of(), model.predictBatch(List.of()));
        }
    }

    @Test
    void predictionsFreeTheirArrays(@TempDir Path dir) {
        try (InferenceModel model = InferenceModel.load(exported(dir), REGISTRY)) {
            model.predict(new float[] {1f, 1f});
            int live = liveArrays();
            for (int i = 0; i < 20; i++) {
                model.predict(new float[] {i, -i});
                model.predictBatch(List.of(new float[] {i, i}, new float[] {-i, i}));
            }
            assertEquals(live, liveArrays(), "no arrays left behind by predictions");
        }
    }

    @Test
    void concurrentPredictionsMatchSequentialOnes(@TempDir Path dir) throws Exception {
        Random r = new Random(1);
        List<float[]> inputs = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            inputs.add(new float[] {(float) r.nextGaussian() * 3, (float) r.nextGaussian() * 3});
        }
        try (InferenceModel model = InferenceModel.load(exported(dir), REGISTRY)) {
            List<Prediction> sequential = new ArrayList<>();
            for (float[] x : inputs) {
                sequential.add(model.predict(x));
            }
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<List<Prediction>>> futures = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    int shift = t;
                    futures.add(pool.submit(() -> {
                        List<Prediction> out = new ArrayList<>(java.util.Collections.nCopies(inputs.size(), null));
                        for (int k = 0; k < 3; k++) {
                            for (int i = 0; i < inputs.size(); i++) {
                                int j = (i + shift * 5) % inputs.size();
                                Prediction p = model.predict(inputs.get(j));
                                out.set(j, p);
                            }
                        }
                        return out;
                    }));
                }
                for (Future<List<Prediction>> f : futures) {
                    List<Prediction> got = f.get();
                    for (int i = 0; i < inputs.size(); i++) {
                        assertEquals(sequential.get(i).label(), got.get(i).label());
                        assertArrayEquals(sequential.get(i).probs(), got.get(i).probs(), 0f);
                    }
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void closedModelRefusesToPredict(@TempDir Path dir) {
        InferenceModel model = InferenceModel.load(exported(dir), REGISTRY);
        model.close();
        model.close();
        assertThrows(IllegalStateException.class, () -> model.predict(new float[] {1f, 1f}));
    }
}

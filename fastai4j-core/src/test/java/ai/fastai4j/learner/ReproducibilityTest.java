package ai.fastai4j.learner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import ai.djl.ndarray.NDManager;
import ai.fastai4j.data.DataLoaderOptions;
import ai.fastai4j.data.DataLoaders;
import ai.fastai4j.nn.Module;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReproducibilityTest {

    private record Run(List<Double> losses, List<List<Double>> values, Map<String, String> weights) {}

    /** A complete run: fresh loaders (2 worker threads, shuffled with {@code seed}), fresh seeded model. */
    private static Run run(int seed) {
        List<TestData.Sample> items = TestData.blobs(120, 99, 1.0);
        try (NDManager m = NDManager.newBaseManager();
                DataLoaders dls = TestData.blobBlock(TestData.lastAsValid(120, 24)).dataLoaders(items,
                        DataLoaderOptions.defaults(8).withWorkers(2).withSeed(seed))) {
            Module model = TestData.mlp(m, seed, 16, 2);
            try (Learner learn = Learner.builder(dls, model).progress(false)
                    .metrics(ai.fastai4j.metrics.Metrics.accuracy()).build()) {
                learn.fitOneCycle(3, 1e-2);
                return new Run(List.copyOf(learn.recorder().losses()), List.copyOf(learn.recorder().values()),
                        TestData.weights(model));
            }
        }
    }

    @Test
    void sameSeedSameRunOtherSeedOtherRun() {
        Run a = run(17);
        Run b = run(17);
        Run c = run(18);
        assertEquals(36, a.losses().size()); // 96 training items, bs 8: 12 batches x 3 epochs
        assertEquals(a.losses(), b.losses(), "per-iteration losses");
        assertEquals(a.weights(), b.weights(), "final weights");
        assertEquals(a.values().stream().map(r -> r.subList(0, 3)).toList(),
                b.values().stream().map(r -> r.subList(0, 3)).toList(), "epoch table numbers");
        assertNotEquals(a.losses(), c.losses());
        assertNotEquals(a.weights(), c.weights());
    }
}

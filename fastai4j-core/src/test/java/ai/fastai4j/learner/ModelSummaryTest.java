package ai.fastai4j.learner;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.fastai4j.data.DataLoaders;
import ai.fastai4j.nn.BatchNorm;
import ai.fastai4j.nn.Layers;
import ai.fastai4j.nn.Linear;
import ai.fastai4j.nn.Parameter;
import ai.fastai4j.nn.Sequential;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelSummaryTest {

    /**
     * Linear(2, 16) ReLU [Linear(16, 8) BatchNorm(8)] Linear(8, 2): 48 + 136 + 16 + 18 = 218 parameters (the
     * BatchNorm's running statistics are buffers, not counted). Two groups: the first three layers, the last.
     */
    @Test
    void summaryListsLayersShapesParamsAndFrozenFlags() {
        try (NDManager m = NDManager.newBaseManager();
                DataLoaders dls = TestData.blobLoaders(TestData.blobs(40, 3, 2.0), 8, 8, 0)) {
            Engine.getInstance().setRandomSeed(1);
            Linear first = new Linear(m, 2, 16, true);
            Sequential inner = new Sequential(new Linear(m, 16, 8, true), new BatchNorm(m, 8));
            Linear last = new Linear(m, 8, 2, true);
            Sequential model = new Sequential(first, Layers.relu(), inner, last);
            List<Parameter> body = new ArrayList<>(first.parameters());
            body.addAll(inner.parameters());
            try (Learner learn = Learner.builder(dls, model).splitter(x -> List.of(body, last.parameters()))
                    .progress(false).build()) {
                ModelSummary all = learn.summary();
                assertEquals(218, all.totalParams());
                assertEquals(218, all.trainableParams());
                assertEquals(0, all.frozenGroups());

                learn.freeze();
                Map<String, String> before = TestData.weights(model);
                int live = TestData.liveArrays();
                ModelSummary s = learn.summary();
                assertEquals(live, TestData.liveArrays(), "a summary leaves no arrays behind");
                assertEquals(before, TestData.weights(model), "a summary changes no weight or running statistic");
                assertTrue(model.isTraining(), "training mode is restored");

                assertEquals(List.of("0", "1", "2.0", "2.1", "3"), s.layers().stream().map(ModelSummary.Layer::name).toList());
                assertEquals(List.of("Linear", "ReLU", "Linear", "BatchNorm", "Linear"),
                        s.layers().stream().map(ModelSummary.Layer::type).toList());
                assertArrayEquals(new long[] {8, 16}, s.layers().get(0).outputShape());
                assertArrayEquals(new long[] {8, 16}, s.layers().get(1).outputShape());
                assertArrayEquals(new long[] {8, 8}, s.layers().get(3).outputShape());
                assertArrayEquals(new long[] {8, 2}, s.layers().get(4).outputShape());
                assertEquals(List.of(48L, 0L, 136L, 16L, 18L), s.layers().stream().map(ModelSummary.Layer::params).toList());
                // frozen body; its BatchNorm keeps training (train_bn); the head trains
                assertEquals(false, s.layers().get(0).trainable());
                assertNull(s.layers().get(1).trainable());
                assertEquals(false, s.layers().get(2).trainable());
                assertEquals(true, s.layers().get(3).trainable());
                assertEquals(true, s.layers().get(4).trainable());
                assertEquals(218, s.totalParams());
                assertEquals(34, s.trainableParams());
                assertEquals(184, s.frozenParams());
                assertEquals(1, s.frozenGroups());

                String expected = """
                        Sequential (Input shape: 8 x 2)
                        ============================================================================
                        Layer (type)         Output Shape         Param #    Trainable
                        ============================================================================
                                             8 x 16
                        Linear                                    48         False
                        ReLU
                        ____________________________________________________________________________
                                             8 x 8
                        Linear                                    136        False
                        BatchNorm                                 16         True
                        ____________________________________________________________________________
                                             8 x 2
                        Linear                                    18         True
                        ____________________________________________________________________________

                        Total params: 218
                        Total trainable params: 34
                        Total non-trainable params: 184

                        Optimizer used: Optimizer(lr=0.001, mom=0.9, sqr_mom=0.99, eps=1.0e-05, wd=0.01)
                        Loss function: CrossEntropyLossFlat

                        Model frozen up to parameter group #1

                        Callbacks:
                          - TrainEvalCallback
                          - TerminateOnNaNCallback
                          - Recorder
                        """;
                assertEquals(expected, s.toString());
            }
        }
    }
}

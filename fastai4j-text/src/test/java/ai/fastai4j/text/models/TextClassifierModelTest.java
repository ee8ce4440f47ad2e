package ai.fastai4j.text.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The classifier over padded batches gives each document what it gives that document alone. */
class TextClassifierModelTest {

    @Test
    void paddedBatchEqualsEachDocumentAlone() {
        Engine.getInstance().setRandomSeed(7);
        int bptt = 4;
        try (NDManager m = NDManager.newBaseManager()) {
            TextClassifierModel model = new TextClassifierModel(m, 30,
                    3, AwdLstmConfig.classifier().withSizes(6, 8, 2), bptt, 40, List.of(5), List.of(0.1f));
            model.eval();
            // fastai's pad_input_chunk layout: whole chunks of padding at the front, the remainder at the end
            long[][] docs = {{5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, {20, 21, 22, 23, 24, 25}, {3, 4}};
            int len = 12;
            long[] batch = new long[docs.length * len];
            java.util.Arrays.fill(batch, 1L);
            for (int d = 0; d < docs.length; d++) {
                int l = len - docs[d].length;
                int front = (l / bptt) * bptt;
                System.arraycopy(docs[d], 0, batch, d * len + front, docs[d].length);
            }
            NDArray padded = model.forward(m.create(batch, new Shape(docs.length, len)));
            assertEquals(new Shape(3, 3), padded.getShape());
            for (int d = 0; d < docs.length; d++) {
                NDArray alone = model.forward(m.create(docs[d], new Shape(1, docs[d].length)));
                float diff = padded.get(d).sub(alone.get(0)).abs().max().getFloat();
                assertTrue(diff < 1e-5f, "document " + d + " differs by " + diff);
            }
        }
    }

    @Test
    void concatPoolIsLastMaxAndMeanOverNonPadding() {
        try (NDManager m = NDManager.newBaseManager()) {
            // batch 1, 4 positions, 2 features; position 0 is padding
            NDArray out = m.create(new float[] {100, -100, 1, 2, 3, -1, 2, 5}, new Shape(1, 4, 2));
            NDArray mask = m.create(new boolean[] {true, false, false, false}, new Shape(1, 4));
            float[] pooled = PoolingLinearClassifier.concatPool(out, mask).toFloatArray();
            assertEquals(List.of(2f, 5f, 3f, 5f, 2f, 2f),
                    List.of(pooled[0], pooled[1], pooled[2], pooled[3], pooled[4], pooled[5]));
        }
    }
}

package ai.fastai4j.text.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.fastai4j.nn.LSTM;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The AWD-LSTM's carried hidden state: continuation across calls, reset, batch-size changes, scopes. */
class AwdLstmStateTest {
    static final AwdLstmConfig SMALL = AwdLstmConfig.languageModel().withSizes(6, 10, 3);

    static NDArray tokens(NDManager m, int bs, int sl, int vocab, long seed) {
        java.util.Random r = new java.util.Random(seed);
        long[] t = new long[bs * sl];
        for (int i = 0; i < t.length; i++) {
            t[i] = 2 + r.nextInt(vocab - 2);
        }
        return m.create(t, new Shape(bs, sl));
    }

    static float maxDiff(NDArray a, NDArray b) {
        return a.sub(b).abs().max().getFloat();
    }

    @Test
    void consecutiveCallsContinueTheStreamAndResetStartsAfresh() {
        Engine.getInstance().setRandomSeed(1);
        try (NDManager m = NDManager.newBaseManager(); AwdLstm awd = new AwdLstm(m, 20, SMALL)) {
            awd.eval();
            NDArray a = tokens(m, 2, 5, 20, 1);
            NDArray b = tokens(m, 2, 7, 20, 2);
            NDArray whole = awd.forward(NDArrays.concat(new NDList(a, b), 1));
            awd.reset();
            NDArray first = awd.forward(a);
            NDArray second = awd.forward(b);
            assertTrue(maxDiff(whole.get(new NDIndex(":, :5")), first) < 1e-6f);
            assertTrue(maxDiff(whole.get(new NDIndex(":, 5:")), second) < 1e-6f,
                    "the second call continues from the first one's final state");
            List<LSTM.State> h = awd.hidden();
            assertEquals(3, h.size());
            assertEquals(new Shape(1, 2, 10), h.get(0).h().getShape());
            assertEquals(new Shape(1, 2, 6), h.get(2).c().getShape(), "the last layer has the embedding size");
            assertFalse(h.get(0).h().hasGradient(), "the carried state is detached");

            awd.reset();
            assertNull(awd.hidden());
            NDArray fresh = awd.forward(b);
            assertTrue(maxDiff(fresh, second) > 1e-4f, "after a reset the state starts from zeros");
            awd.reset();
            assertTrue(maxDiff(fresh, awd.forward(b)) < 1e-6f);
        }
    }

    @Test
    void aBatchOfAnotherSizeKeepsTheFirstRowsAndStartsNewRowsFromZero() {
        Engine.getInstance().setRandomSeed(2);
        try (NDManager m = NDManager.newBaseManager(); AwdLstm awd = new AwdLstm(m, 20, SMALL)) {
            awd.eval();
            NDArray a = tokens(m, 2, 4, 20, 3);
            NDArray b = tokens(m, 3, 4, 20, 4);
            awd.forward(a);
            NDArray grown = awd.forward(b);
            awd.reset();
            NDArray alone = awd.forward(b);
            assertTrue(maxDiff(grown.get(new NDIndex("2:")), alone.get(new NDIndex("2:"))) < 1e-6f,
                    "the new row starts from zeros");
            assertTrue(maxDiff(grown.get(new NDIndex(":2")), alone.get(new NDIndex(":2"))) > 1e-4f,
                    "the old rows continue");
            awd.reset();
            awd.forward(a);
            NDArray shrunk = awd.forward(b.get(new NDIndex(":1")));
            awd.reset();
            awd.forward(a);
            NDArray full = awd.forward(b.get(new NDIndex(":2")));
            assertTrue(maxDiff(shrunk, full.get(new NDIndex(":1"))) < 1e-6f, "a smaller batch keeps the first rows");
        }
    }

    @Test
    void theCarriedStateOutlivesTheStepScope() {
        try (NDManager m = NDManager.newBaseManager(); AwdLstm awd = new AwdLstm(m, 20, SMALL)) {
            awd.eval();
            NDArray a = tokens(m, 2, 4, 20, 5);
            try (NDScope scope = new NDScope()) {
                awd.forward(a);
            }
            LSTM.State s = awd.hidden().get(1);
            assertNotNull(s);
            assertTrue(s.h().sum().getFloat() != 0f, "still readable after the scope closed");
            assertEquals(DataType.FLOAT32, s.c().getDataType());
        }
    }
}

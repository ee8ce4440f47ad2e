package ai.fastai4j.text.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.fastai4j.data.DataBlock;
import ai.fastai4j.data.DataException;
import ai.fastai4j.data.DataLoader;
import ai.fastai4j.data.DataLoaderOptions;
import ai.fastai4j.data.DataLoaders;
import ai.fastai4j.data.HostBatch;
import ai.fastai4j.data.HostTensor;
import ai.fastai4j.data.Splitters;
import ai.djl.ndarray.types.DataType;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class LMDataLoaderTest {
    private static final TextBlock BLOCK = TextBlock.languageModel().build();

    private static List<int[]> ranges(int... lens) {
        List<int[]> docs = new ArrayList<>();
        int next = 0;
        for (int len : lens) {
            docs.add(IntStream.range(next, next + len).toArray());
            next += len;
        }
        return docs;
    }

    /** Batch b of the source as {x rows, y rows}. */
    private static int[][][] batch(LMDataLoader src, int b, int bs, int epoch) {
        int[][] x = new int[bs][];
        int[][] y = new int[bs][];
        for (int r = 0; r < bs; r++) {
            List<Object> s = src.sample(b * bs + r, epoch);
            x[r] = (int[]) s.get(0);
            y[r] = (int[]) s.get(1);
        }
        return new int[][][] {x, y};
    }

    @Test
    void fastaisDocumentedExamples() {
        // nbs/31_text.data: LMDataLoader(ints, bs=4, seq_len=3) with documents of 5, 6, 8, 2, 2 tokens
        LMDataLoader dl = new LMDataLoader(ranges(5, 6, 8, 2, 2), 4, 3, false, 0, BLOCK);
        assertEquals(2, dl.numBatches());
        int[][][] b0 = batch(dl, 0, 4, 0);
        assertArrayEquals(new int[][] {{0, 1, 2}, {5, 6, 7}, {10, 11, 12}, {15, 16, 17}}, b0[0]);
        assertArrayEquals(new int[][] {{1, 2, 3}, {6, 7, 8}, {11, 12, 13}, {16, 17, 18}}, b0[1]);
        int[][][] b1 = batch(dl, 1, 4, 0);
        assertArrayEquals(new int[][] {{3, 4}, {8, 9}, {13, 14}, {18, 19}}, b1[0]);
        assertArrayEquals(new int[][] {{4, 5}, {9, 10}, {14, 15}, {19, 20}}, b1[1]);

        LMDataLoader dl2 = new LMDataLoader(ranges(5, 6, 8, 2, 3, 1), 4, 3, false, 0, BLOCK);
        int[][][] c0 = batch(dl2, 0, 4, 0);
        assertArrayEquals(new int[][] {{0, 1, 2}, {6, 7, 8}, {12, 13, 14}, {18, 19, 20}}, c0[0]);
        int[][][] c1 = batch(dl2, 1, 4, 0);
        assertArrayEquals(new int[][] {{3, 4, 5}, {9, 10, 11}, {15, 16, 17}, {21, 22, 23}}, c1[0]);
        assertArrayEquals(new int[][] {{4, 5, 6}, {10, 11, 12}, {16, 17, 18}, {22, 23, 24}}, c1[1]);
    }

    @Test
    void tooSmallCorpusIsAClearError() {
        DataException e = assertThrows(DataException.class,
                () -> new LMDataLoader(ranges(3), 8, 72, false, 0, BLOCK));
        assertEquals(true, e.getMessage().contains("batch size of at most 2"), e.getMessage());
    }

    /**
     * Through the core DataBlock/DataLoaders with shuffling: every row continues, in the next batch, exactly where
     * it stopped (its last y is the next batch's first x), y is x shifted by one, and across an epoch each row is
     * one contiguous stretch of the epoch's (shuffled) concatenation of the documents.
     */
    @Test
    void batchesAreContiguousStreamsThroughTheDataLoaders() {
        Random rng = new Random(3);
        List<String> texts = new ArrayList<>();
        for (int d = 0; d < 40; d++) {
            StringBuilder sb = new StringBuilder("doc" + d);
            int n = 5 + rng.nextInt(60);
            for (int i = 0; i < n; i++) {
                sb.append(' ').append("w").append(rng.nextInt(30));
            }
            texts.add(sb.toString());
        }
        int bs = 4;
        int seqLen = 7;
        TextBlock block = TextBlock.languageModel().seqLen(seqLen).minFreq(1).workers(2).build();
        DataBlock<String> db = DataBlock.<String>builder(List.of(block), 1).splitter(Splitters.random(0.2, 1)).build();
        try (DataLoaders dls = db.dataLoaders(texts, DataLoaderOptions.defaults(bs).withWorkers(2).withSeed(5))) {
            DataLoader train = dls.train();
            List<long[][]> xs0 = new ArrayList<>();
            List<long[][]> xs1 = new ArrayList<>();
            for (int epoch = 0; epoch < 2; epoch++) {
                List<long[][]> xs = epoch == 0 ? xs0 : xs1;
                long[][] prevY = null;
                int batches = 0;
                try (DataLoader.EpochIterator it = train.epoch()) {
                    while (it.hasNext()) {
                        HostBatch hb = it.next();
                        long[][] x = rows(hb.inputs().get(0));
                        long[][] y = rows(hb.targets().get(0));
                        assertEquals(bs, x.length);
                        for (int r = 0; r < bs; r++) {
                            for (int t = 1; t < x[r].length; t++) {
                                assertEquals(x[r][t], y[r][t - 1], "y is x shifted by one");
                            }
                            if (prevY != null) {
                                assertEquals(prevY[r][prevY[r].length - 1], x[r][0],
                                        "row " + r + " continues where the previous batch stopped");
                            }
                        }
                        prevY = y;
                        xs.add(x);
                        batches++;
                    }
                }
                assertEquals(train.numBatches(), batches);
            }
            // the documents are reshuffled each epoch: the streams differ
            assertNotEquals(flatten(xs0), flatten(xs1));
            // each stream starts the epoch with a document's first token where the stream starts at 0
            assertEquals(2, xs0.get(0)[0][0], "the first stream starts with xxbos");
        }
    }

    private static List<Long> flatten(List<long[][]> batches) {
        List<Long> out = new ArrayList<>();
        for (long[][] b : batches) {
            for (long[] r : b) {
                for (long v : r) {
                    out.add(v);
                }
            }
        }
        return out;
    }

    static long[][] rows(HostTensor t) {
        assertEquals(DataType.INT64, t.dataType());
        int n = (int) t.shape().get(0);
        int w = (int) t.shape().get(1);
        LongBuffer lb = t.data().duplicate().rewind().order(java.nio.ByteOrder.nativeOrder()).asLongBuffer();
        long[][] out = new long[n][w];
        for (int r = 0; r < n; r++) {
            lb.get(out[r]);
        }
        return out;
    }
}

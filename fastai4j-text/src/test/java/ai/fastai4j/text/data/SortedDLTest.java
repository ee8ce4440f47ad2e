package ai.fastai4j.text.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.fastai4j.data.CategoryBlock;
import ai.fastai4j.data.DataBlock;
import ai.fastai4j.data.DataLoader;
import ai.fastai4j.data.DataLoaderOptions;
import ai.fastai4j.data.DataLoaders;
import ai.fastai4j.data.HostBatch;
import ai.fastai4j.data.SampleSource;
import ai.fastai4j.data.Splitters;
import ai.fastai4j.text.SpecialTokens;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SortedDLTest {

    @Test
    void padInputChunkAsFastai() {
        // nbs/31_text.data: pad_input_chunk([[1..6], [1,2,3], [1,2]], pad_idx=0, seq_len=2)
        List<int[]> seqs = List.of(new int[] {1, 2, 3, 4, 5, 6}, new int[] {1, 2, 3}, new int[] {1, 2});
        assertArrayEquals(new long[] {1, 2, 3, 4, 5, 6, 0, 0, 1, 2, 3, 0, 0, 0, 0, 0, 1, 2},
                PadInput.chunk(seqs, 0, true, 2));
        assertArrayEquals(new long[] {1, 2, 3, 4, 5, 6, 1, 2, 3, 0, 0, 0, 1, 2, 0, 0, 0, 0},
                PadInput.chunk(seqs, 0, false, 2));
    }

    /** Texts of known lengths through a classification DataBlock: the loaders are SortedDLs. */
    private static DataLoaders loaders(int n, int bs, long seed) {
        Random rng = new Random(seed);
        List<String[]> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int len = 1 + rng.nextInt(150);
            rows.add(new String[] {"w ".repeat(len).trim() + " id" + i, i % 2 == 0 ? "even" : "odd"});
        }
        TextBlock block = TextBlock.classification().minFreq(1).workers(2).build();
        DataBlock<String[]> db = DataBlock.<String[]>builder(block, CategoryBlock.create()).getX(r -> r[0])
                .getY(r -> r[1]).splitter(Splitters.random(0.3, 2)).build();
        return db.dataLoaders(rows, DataLoaderOptions.defaults(bs).withWorkers(2).withSeed(seed));
    }

    @Test
    void validationIsSortedLongestFirstAndPaddedAtTheFrontByChunks() {
        try (DataLoaders dls = loaders(200, 16, 4)) {
            DataLoader valid = dls.valid();
            List<Integer> lengths = new ArrayList<>();
            try (DataLoader.EpochIterator it = valid.epoch()) {
                while (it.hasNext()) {
                    HostBatch hb = it.next();
                    long[][] x = LMDataLoaderTest.rows(hb.inputs().get(0));
                    int width = x[0].length;
                    for (long[] row : x) {
                        int len = realLength(row);
                        lengths.add(len);
                        int missing = width - len;
                        int chunks = missing / 72 * 72;
                        for (int t = 0; t < width; t++) {
                            boolean pad = t < chunks || t >= chunks + len;
                            assertEquals(pad, row[t] == SpecialTokens.PAD_INDEX, "position " + t);
                        }
                        assertEquals(SpecialTokens.BOS_INDEX, row[chunks], "the text starts after the padding");
                    }
                    assertEquals(realLength(x[0]), width, "the first row of a batch is its longest");
                }
            }
            List<Integer> sorted = new ArrayList<>(lengths);
            sorted.sort((a, b) -> b - a);
            assertEquals(sorted, lengths);
            assertEquals(valid.numItems(), lengths.size());
        }
    }

    @Test
    void trainingIsSortishShuffledWithTheLongestFirst() {
        try (DataLoaders dls = loaders(600, 8, 9)) {
            SampleSource src = SortedDL.factory().create(dls.datasets(), dls.datasets().split().train(),
                    ai.fastai4j.data.Split.TRAIN, dls.options());
            int[] lengths = ((SortedDL) src).lengths();
            int max = Arrays.stream(lengths).max().orElseThrow();
            int[] o1 = src.order(0, true, new Random(1));
            int[] o2 = src.order(1, true, new Random(2));
            int[] sortedO1 = o1.clone();
            Arrays.sort(sortedO1);
            assertArrayEquals(SampleSource.identity(lengths.length), sortedO1, "every item exactly once");
            assertEquals(max, lengths[o1[0]], "the longest text comes first");
            // within each batch of bs (all from one chunk of 50 * bs sorted items) lengths never increase
            for (int b = 0; b + 8 <= o1.length; b += 8) {
                for (int i = b + 1; i < b + 8; i++) {
                    assertTrue(lengths[o1[i]] <= lengths[o1[i - 1]]);
                }
            }
            assertTrue(!Arrays.equals(o1, o2), "another epoch, another order");
            // but not globally sorted: the batches are shuffled
            int[] byLength = Arrays.stream(o1).map(i -> lengths[i]).toArray();
            int[] desc = Arrays.stream(lengths).boxed().sorted((a, b) -> b - a).mapToInt(Integer::intValue).toArray();
            assertTrue(!Arrays.equals(byLength, desc));
        }
    }

    @Test
    void labelsFollowTheirTexts() {
        try (DataLoaders dls = loaders(100, 10, 5)) {
            HostBatch hb = dls.train().oneBatch();
            long[][] x = LMDataLoaderTest.rows(hb.inputs().get(0));
            java.nio.LongBuffer y = hb.targets().get(0).data().duplicate().rewind()
                    .order(java.nio.ByteOrder.nativeOrder()).asLongBuffer();
            List<String> vocab = TextBlock.vocab(dls).itos();
            for (int r = 0; r < x.length; r++) {
                String id = vocab.get((int) x[r][chunksEnd(x[r]) - 1]);
                int item = Integer.parseInt(id.substring(2));
                assertEquals(item % 2 == 0 ? "even" : "odd", dls.vocab().get((int) y.get(r)));
            }
        }
    }

    private static int chunksEnd(long[] row) {
        int end = row.length;
        while (row[end - 1] == SpecialTokens.PAD_INDEX) {
            end--;
        }
        return end;
    }

    private static int realLength(long[] row) {
        int n = 0;
        for (long v : row) {
            n += v == SpecialTokens.PAD_INDEX ? 0 : 1;
        }
        return n;
    }
}

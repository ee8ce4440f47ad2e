package ai.fastai4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A block's loader type decides what each epoch draws: count, order and samples (fastai's dl_type). */
class SampleSourceTest {

    /**
     * Draws each training item twice per epoch, in reverse order, as {@code value * 10 + epoch}; validation
     * draws items once as given.
     */
    static final class TwiceReversed implements SampleSource {
        private final Datasets<?> ds;
        private final int[] idx;
        private final Split split;

        TwiceReversed(Datasets<?> ds, int[] idx, Split split) {
            this.ds = ds;
            this.idx = idx.clone();
            this.split = split;
        }

        @Override
        public int numItems() {
            return split == Split.TRAIN ? 2 * idx.length : idx.length;
        }

        @Override
        public int[] order(int epoch, boolean shuffle, Random rng) {
            int[] o = SampleSource.identity(numItems());
            for (int i = 0; i < o.length / 2; i++) {
                int t = o[i];
                o[i] = o[o.length - 1 - i];
                o[o.length - 1 - i] = t;
            }
            return o;
        }

        @Override
        public List<Object> sample(int position, int epoch) {
            List<Object> s = new ArrayList<>(ds.sample(idx[position % idx.length]));
            float v = ((float[]) s.get(0))[0];
            s.set(0, new float[] {v * 10 + epoch});
            return s;
        }

        @Override
        public String describe(int position) {
            return "draw " + position;
        }

        @Override
        public List<TransformBlock> blocks() {
            return ds.blocks();
        }

        @Override
        public int nInputs() {
            return ds.nInputs();
        }
    }

    static final class TwiceBlock implements TransformBlock {
        private final VectorBlock inner = VectorBlock.of(1);

        @Override
        public List<Transform<?, ?>> typeTransforms() {
            return List.of();
        }

        @Override
        public TensorKind kind() {
            return TensorKind.CONTINUOUS;
        }

        @Override
        public HostTensor collate(List<Object> values) {
            return inner.collate(values);
        }

        @Override
        public Optional<SampleSource.Factory> loaderType() {
            return Optional.of((ds, idx, split, options) -> new TwiceReversed(ds, idx, split));
        }
    }

    private static float[] column(HostBatch hb) {
        FloatBuffer fb = hb.inputs().get(0).data().duplicate().rewind().order(java.nio.ByteOrder.nativeOrder())
                .asFloatBuffer();
        float[] out = new float[fb.remaining()];
        fb.get(out);
        return out;
    }

    @Test
    void theFirstBlocksLoaderTypeDrawsTheEpochs() {
        List<float[]> items = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            items.add(new float[] {i});
        }
        DataBlock<float[]> db = DataBlock.<float[]>builder(List.of(new TwiceBlock()), 1)
                .splitter(Splitters.byIndex(3)).build();
        try (DataLoaders dls = db.dataLoaders(items, DataLoaderOptions.defaults(3).withWorkers(1))) {
            DataLoader train = dls.train();
            assertEquals(6, train.numItems(), "the source's count, not the split's 3 items");
            assertEquals(2, train.numBatches());
            for (int epoch = 0; epoch < 2; epoch++) {
                List<Float> seen = new ArrayList<>();
                try (DataLoader.EpochIterator it = train.epoch()) {
                    while (it.hasNext()) {
                        for (float f : column(it.next())) {
                            seen.add(f);
                        }
                    }
                }
                float e = epoch;
                assertEquals(List.of(20 + e, 10 + e, e, 20 + e, 10 + e, e), seen, "epoch " + epoch);
            }
            assertArrayEquals(new float[] {30}, column(dls.valid().oneBatch()));
            assertTrue(train.describe(4).equals("draw 4"));
        }
        // a batch size above what the source draws is refused with the source's count
        DataException e = assertThrows(DataException.class,
                () -> db.dataLoaders(items, DataLoaderOptions.defaults(7).withWorkers(0)));
        assertTrue(e.getMessage().contains("(6 items)"), e.getMessage());
    }
}

package ai.fastai4j.data;

import java.util.List;
import java.util.Random;

/**
 * What one {@link DataLoader} draws in an epoch: how many samples, in which order, and each sample (inputs then
 * targets, before item transforms). By default a loader draws its split's items, shuffled on training; a block's
 * {@link TransformBlock#loaderType()} can supply another kind, as fastai's {@code dl_type}: text uses it for the
 * language-model stream ({@code LMDataLoader}) and for length-sorted batches ({@code SortedDL}).
 * Implementations are called from several loader threads at once.
 */
public interface SampleSource {

    /** Number of samples in one epoch. */
    int numItems();

    /**
     * The positions (0 to {@link #numItems()} - 1) in the order epoch {@code epoch} visits them; consecutive
     * runs of the batch size make the batches. {@code rng} is seeded from the loader's seed and the epoch.
     */
    default int[] order(int epoch, boolean shuffle, Random rng) {
        return shuffle ? Splitters.permutation(numItems(), rng) : identity(numItems());
    }

    /** Sample at {@code position} in epoch {@code epoch}: inputs then targets. */
    List<Object> sample(int position, int epoch);

    /** A readable name of the sample at {@code position} (e.g. its file), for error messages. */
    String describe(int position);

    /** The blocks that collate each element of a sample, inputs first. */
    List<TransformBlock> blocks();

    /** How many of the elements are inputs. */
    int nInputs();

    /** 0, 1, ..., n - 1. */
    static int[] identity(int n) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        return order;
    }

    /** Makes the source of one split; a block's {@link TransformBlock#loaderType()} returns one. */
    @FunctionalInterface
    interface Factory {
        /**
         * The source for the items at {@code indices} of {@code datasets}, of split {@code split}.
         *
         * @param options the loaders' options (batch size, seed, shuffling)
         */
        SampleSource create(Datasets<?> datasets, int[] indices, Split split, DataLoaderOptions options);
    }

    /** The default: the items of a split, one sample each, in item order (shuffled by the loader on training). */
    static Factory items() {
        return (ds, idx, split, options) -> of(ds, idx);
    }

    /** The items at {@code indices} of {@code ds} as a source. */
    static SampleSource of(Datasets<?> ds, int[] indices) {
        int[] idx = indices.clone();
        return new SampleSource() {
            @Override
            public int numItems() {
                return idx.length;
            }

            @Override
            public List<Object> sample(int position, int epoch) {
                return ds.sample(idx[position]);
            }

            @Override
            public String describe(int position) {
                return ds.describeItem(idx[position]);
            }

            @Override
            public List<TransformBlock> blocks() {
                return ds.blocks();
            }

            @Override
            public int nInputs() {
                return ds.nInputs();
            }
        };
    }
}

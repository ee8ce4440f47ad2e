package ai.fastai4j.data;

import ai.djl.ndarray.NDManager;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * Batches of one split. Loader threads read and transform the items of upcoming batches and collate them in
 * Java memory while the model trains on the current one; the training thread only copies each batch to the
 * engine and runs the batch transforms ({@link #toBatch}). The order of each epoch depends only on the seed
 * and the epoch number, so runs repeat exactly.
 */
public final class DataLoader {
    private final SampleSource source;
    private final int numItems;
    private final List<TransformBlock> blocks;
    private final int nInputs;
    private final Split split;
    private final boolean shuffle;
    private final boolean dropLast;
    private final int batchSize;
    private final long seed;
    private final List<ItemTransform> itemTransforms;
    private final List<BatchTransform> batchTransforms;
    private final ExecutorService pool;
    private final int prefetch;
    private int epoch;

    /**
     * Everything a loader is made of: its samples (a {@link SampleSource}), the split whose transforms it runs, whether it shuffles and drops
     * the last partial batch, the options (batch size, seed, prefetch), the transforms and the loader threads
     * (shared with the other loaders of the same {@link DataLoaders}; none to load on the calling thread).
     */
    record Setup(SampleSource items, Split split, boolean shuffle, boolean dropLast, DataLoaderOptions options,
            List<ItemTransform> itemTransforms, List<BatchTransform> batchTransforms, ExecutorService pool) {
        Setup {
            itemTransforms = List.copyOf(itemTransforms);
            batchTransforms = List.copyOf(batchTransforms);
        }

        Setup withSplitMode(Split mode) {
            return new Setup(items, mode, false, false, options, itemTransforms, batchTransforms, pool);
        }

        Setup withTransforms(List<ItemTransform> itemTfms, List<BatchTransform> batchTfms) {
            return new Setup(items, split, shuffle, dropLast, options, itemTfms, batchTfms, pool);
        }
    }

    private final Setup setup;

    DataLoader(Setup setup) {
        this.setup = setup;
        this.source = setup.items();
        this.numItems = source.numItems();
        this.blocks = List.copyOf(source.blocks());
        this.nInputs = source.nInputs();
        this.split = setup.split();
        this.shuffle = setup.shuffle();
        this.dropLast = setup.dropLast();
        this.batchSize = setup.options().batchSize();
        this.seed = setup.options().seed();
        this.itemTransforms = setup.itemTransforms();
        this.batchTransforms = setup.batchTransforms();
        this.pool = setup.pool();
        this.prefetch = setup.options().prefetchBatches();
    }

    /** Number of batches in one epoch. */
    public int numBatches() {
        return dropLast ? numItems / batchSize : (numItems + batchSize - 1) / batchSize;
    }

    public int numItems() {
        return numItems;
    }

    public int batchSize() {
        return batchSize;
    }

    public Split split() {
        return split;
    }

    public List<TransformBlock> blocks() {
        return blocks;
    }

    public int nInputs() {
        return nInputs;
    }

    public List<ItemTransform> itemTransforms() {
        return itemTransforms;
    }

    public List<BatchTransform> batchTransforms() {
        return batchTransforms;
    }

    /**
     * The same items in order, transformed as split {@code mode} would be: with {@link Split#TRAIN} the random
     * augmentations of training run on these items (fastai's {@code dl.dataset.set_split_idx(0)}, used by
     * test-time augmentation). Never shuffled, nothing dropped.
     */
    public DataLoader withSplitMode(Split mode) {
        return new DataLoader(setup.withSplitMode(mode));
    }

    /** This loader with other batch transforms (same items, order, seed and loader threads). */
    DataLoader withBatchTransforms(List<BatchTransform> transforms) {
        return withTransforms(setup.itemTransforms(), transforms);
    }

    /** This loader with other item and batch transforms (same items, order, seed and loader threads). */
    DataLoader withTransforms(List<ItemTransform> items, List<BatchTransform> transforms) {
        DataLoader d = new DataLoader(setup.withTransforms(items, transforms));
        d.epoch = epoch;
        return d;
    }

    /** A new epoch: a fresh (seeded) order, batches prepared ahead by the loader threads. */
    public EpochIterator epoch() {
        return epoch(0);
    }

    /**
     * A new epoch that starts at batch {@code firstBatch} of its order (the batches before it are neither loaded
     * nor returned): how a resumed training continues an epoch where it stopped.
     */
    public EpochIterator epoch(int firstBatch) {
        if (firstBatch < 0 || firstBatch > numBatches()) {
            throw new IllegalArgumentException("first batch " + firstBatch + " is not in 0.." + numBatches());
        }
        int e = epoch++;
        int[] order = source.order(e, shuffle, new Random(mix(seed, e, -1)));
        if (order.length != numItems) {
            throw new IllegalStateException("the sample source ordered " + order.length + " of its " + numItems
                    + " samples");
        }
        EpochIterator it = new EpochIterator(order, e);
        it.submitted = firstBatch;
        it.consumed = firstBatch;
        return it;
    }

    /**
     * How many epochs this loader has started; the next {@link #epoch()} has this number, which (with the seed)
     * decides its order and its items' random augmentations.
     */
    public int epochsStarted() {
        return epoch;
    }

    /** Sets the number the next epoch gets (see {@link #epochsStarted()}), to repeat or continue a run. */
    public void setEpochsStarted(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("epoch number must be >= 0, got " + n);
        }
        epoch = n;
    }

    /** The first batch of a new epoch (for showing and summaries). */
    public HostBatch oneBatch() {
        try (EpochIterator it = epoch()) {
            if (!it.hasNext()) {
                throw new DataException("no batch: " + numItems + " items with batch size " + batchSize
                        + (dropLast ? " and the last partial batch dropped" : ""));
            }
            return it.next();
        }
    }

    /**
     * Loads, transforms and collates the items at the given positions of this loader (0 to
     * {@link #numItems()} - 1), on the calling thread, with the item transforms of this loader's split; for
     * showing chosen items (e.g. the top losses).
     */
    public HostBatch batchOf(int... indices) {
        if (indices.length == 0) {
            throw new IllegalArgumentException("no item indices given");
        }
        for (int i : indices) {
            if (i < 0 || i >= numItems) {
                throw new IndexOutOfBoundsException("item " + i + " is not in this loader (" + numItems + " items)");
            }
        }
        return load(indices.clone(), 0);
    }

    /** A readable name of the item at position {@code i} of this loader (e.g. its file path). */
    public String describe(int i) {
        return source.describe(i);
    }

    /** Copies a host batch to the engine and runs the blocks' and the user's batch transforms. */
    public ai.fastai4j.data.Batch toBatch(HostBatch hostBatch, NDManager manager) {
        ai.fastai4j.data.Batch b = hostBatch.toBatch(manager);
        for (BatchTransform t : batchTransforms) {
            b = t.encode(b, split);
        }
        return b;
    }

    /** Reverses the batch transforms (for showing). */
    public ai.fastai4j.data.Batch decodeBatch(ai.fastai4j.data.Batch batch) {
        ai.fastai4j.data.Batch b = batch;
        for (int i = batchTransforms.size() - 1; i >= 0; i--) {
            b = batchTransforms.get(i).decode(b);
        }
        return b;
    }

    /** Loads, transforms and collates the given items (runs on a loader thread). */
    HostBatch load(int[] idx, int epochNumber) {
        List<List<Object>> rows = new ArrayList<>(idx.length);
        for (int i : idx) {
            List<Object> s;
            try {
                s = source.sample(i, epochNumber);
                Random rng = new Random(mix(seed, epochNumber, i));
                for (ItemTransform t : itemTransforms) {
                    s = t.apply(s, split, rng);
                }
            } catch (DataException e) {
                throw e.getMessage().contains(source.describe(i)) ? e
                        : new DataException("item " + source.describe(i) + ": " + e.getMessage(), e);
            } catch (RuntimeException e) {
                throw new DataException("item " + source.describe(i) + ": " + e, e);
            }
            rows.add(s);
        }
        int width = rows.get(0).size();
        List<HostTensor> xs = new ArrayList<>();
        List<HostTensor> ys = new ArrayList<>();
        for (int j = 0; j < width; j++) {
            List<Object> column = new ArrayList<>(rows.size());
            for (List<Object> r : rows) {
                column.add(r.get(j));
            }
            HostTensor t;
            try {
                t = blocks.get(j).collate(column);
            } catch (DataException e) {
                throw new DataException("collating a batch (" + blocks.get(j).name() + ", first item "
                        + source.describe(idx[0]) + "): " + e.getMessage(), e);
            }
            (j < nInputs ? xs : ys).add(t);
        }
        return new HostBatch(xs, ys, idx);
    }

    static long mix(long seed, int epoch, int index) {
        long h = seed * 0x9E3779B97F4A7C15L + epoch * 0xC2B2AE3D27D4EB4FL + index * 0x165667B19E3779F9L;
        h ^= h >>> 29;
        h *= 0xBF58476D1CE4E5B9L;
        return h ^ (h >>> 32);
    }

    /** Iterates one epoch's batches in order; {@link #close} cancels the batches still being prepared. */
    public final class EpochIterator implements Iterator<HostBatch>, AutoCloseable {
        private final int[] order;
        private final int epochNumber;
        private final int n;
        private final ArrayDeque<Future<HostBatch>> queue = new ArrayDeque<>();
        private int submitted;
        private int consumed;

        EpochIterator(int[] order, int epochNumber) {
            this.order = order;
            this.epochNumber = epochNumber;
            this.n = DataLoader.this.numBatches();
        }

        private int[] indices(int b) {
            int from = b * batchSize;
            int to = Math.min(from + batchSize, order.length);
            int[] idx = new int[to - from];
            System.arraycopy(order, from, idx, 0, idx.length);
            return idx;
        }

        private void fill() {
            if (pool == null) {
                return;
            }
            while (submitted < n && queue.size() < prefetch) {
                int[] idx = indices(submitted++);
                queue.add(pool.submit(() -> load(idx, epochNumber)));
            }
        }

        @Override
        public boolean hasNext() {
            return consumed < n;
        }

        @Override
        public HostBatch next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            if (pool == null) {
                return load(indices(consumed++), epochNumber);
            }
            fill();
            Future<HostBatch> f = queue.poll();
            consumed++;
            try {
                HostBatch b = f.get();
                fill();
                return b;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DataException("interrupted while waiting for a batch", e);
            } catch (ExecutionException e) {
                close();
                Throwable c = e.getCause();
                if (c instanceof DataException d) {
                    throw new DataException(d.getMessage(), d);
                }
                throw new DataException("loading a batch failed: " + c, c);
            } catch (CancellationException e) {
                throw new DataException("batch loading was cancelled", e);
            }
        }

        public int numBatches() {
            return n;
        }

        @Override
        public void close() {
            for (Future<HostBatch> f : queue) {
                f.cancel(true);
            }
            queue.clear();
            consumed = n;
        }
    }

    /** Unmodifiable view used by summaries. */
    List<Object> sampleForSummary(int i) {
        return Collections.unmodifiableList(source.sample(i, 0));
    }
}

package ai.fastai4j.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.fastai4j.plot.ImageGrid;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** The training and validation {@link DataLoader}s of a {@link Datasets}, sharing one pool of loader threads. */
public final class DataLoaders implements AutoCloseable {
    private final Datasets<?> datasets;
    private DataLoader train;
    private DataLoader valid;
    private final DataLoaderOptions options;
    private List<ItemTransform> itemTransforms;
    private List<BatchTransform> batchTransforms;
    private final ExecutorService pool;

    /**
     * Builds the loaders. Item transforms run on loader threads; batch transforms on the training thread, after
     * the blocks' own batch transforms.
     */
    public <I> DataLoaders(Datasets<I> datasets, DataLoaderOptions options, List<ItemTransform> itemTransforms,
            List<BatchTransform> batchTransforms) {
        this.datasets = datasets;
        this.options = options;
        this.itemTransforms = List.copyOf(itemTransforms);
        List<BatchTransform> all = new ArrayList<>();
        for (TransformBlock b : datasets.blocks()) {
            for (BatchTransform t : b.batchTransforms()) {
                addUnlessPresent(all, t);
            }
        }
        all.addAll(batchTransforms);
        this.batchTransforms = List.copyOf(all);
        this.pool = options.numWorkers() == 0 ? null : Executors.newFixedThreadPool(options.numWorkers(), daemonThreads());
        int[] tr = datasets.split().train();
        int[] va = datasets.split().valid();
        if (tr.length == 0) {
            close();
            throw new DataException("the training split is empty");
        }
        SampleSource.Factory type = datasets.blocks().get(0).loaderType().orElse(SampleSource.items());
        SampleSource trainSource;
        SampleSource validSource;
        try {
            trainSource = type.create(datasets, tr, Split.TRAIN, options);
            validSource = type.create(datasets, va, Split.VALID, options);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        int n = trainSource.numItems();
        if (options.dropLastTrain() && n < options.batchSize()) {
            close();
            throw new DataException("batch size " + options.batchSize() + " is larger than the training set ("
                    + n + " items): use a batch size of at most " + n);
        }
        this.train = loader(trainSource, Split.TRAIN, options.shuffleTrain(), options.dropLastTrain());
        this.valid = loader(validSource, Split.VALID, false, false);
    }

    private DataLoader loader(SampleSource source, Split split, boolean shuffle, boolean dropLast) {
        return new DataLoader(new DataLoader.Setup(source, split, shuffle, dropLast, options, itemTransforms,
                batchTransforms, pool));
    }

    /** Adds {@code t} unless a transform of its class is already in {@code list}. */
    private static void addUnlessPresent(List<BatchTransform> list, BatchTransform t) {
        if (list.stream().noneMatch(x -> x.getClass() == t.getClass())) {
            list.add(t);
        }
    }

    private static ThreadFactory daemonThreads() {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "fastai4j-loader-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    public DataLoader train() {
        return train;
    }

    public DataLoader valid() {
        return valid;
    }

    public Datasets<?> datasets() {
        return datasets;
    }

    public DataLoaderOptions options() {
        return options;
    }

    public List<ItemTransform> itemTransforms() {
        return itemTransforms;
    }

    /** All batch transforms, the blocks' first. */
    public List<BatchTransform> batchTransforms() {
        return batchTransforms;
    }

    /**
     * Appends batch transforms to both loaders (fastai's {@code dls.add_tfms(..., 'after_batch')}), skipping any
     * whose class is already there; a pretrained vision learner adds its weights' {@code Normalize} this way.
     *
     * @return true if anything was added
     */
    public boolean addBatchTransforms(BatchTransform... transforms) {
        List<BatchTransform> all = new ArrayList<>(batchTransforms);
        for (BatchTransform t : transforms) {
            addUnlessPresent(all, t);
        }
        if (all.size() == batchTransforms.size()) {
            return false;
        }
        batchTransforms = List.copyOf(all);
        train = train.withBatchTransforms(batchTransforms);
        valid = valid.withBatchTransforms(batchTransforms);
        return true;
    }

    /**
     * Appends an item transform to both loaders (after those there); a vision learner trained without a resize
     * appends one to its images' size this way, so that an exported model resizes its inputs as in training.
     */
    public void addItemTransform(ItemTransform transform) {
        List<ItemTransform> all = new ArrayList<>(itemTransforms);
        all.add(transform);
        itemTransforms = List.copyOf(all);
        train = train.withTransforms(itemTransforms, batchTransforms);
        valid = valid.withTransforms(itemTransforms, batchTransforms);
    }

    /** Class names of the target (empty for regression). */
    public List<String> vocab() {
        return datasets.vocab();
    }

    /** Number of model outputs the target needs: the vocabulary size, or 1 for a single regression target. */
    public int c() {
        List<String> v = vocab();
        return v.isEmpty() ? 1 : v.size();
    }

    /**
     * A loader over new items for inference, with the validation split's (non-random) transforms; items carry
     * no targets.
     */
    @SuppressWarnings("unchecked")
    public DataLoader testDl(List<?> items) {
        Datasets<Object> ds = (Datasets<Object>) datasets;
        List<Object> its = new ArrayList<>(items);
        SampleSource source = new SampleSource() {
            @Override
            public int numItems() {
                return its.size();
            }

            @Override
            public List<Object> sample(int position, int epoch) {
                return ds.encodeInputs(its.get(position));
            }

            @Override
            public String describe(int position) {
                return String.valueOf(its.get(position));
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
        return loader(source, Split.VALID, false, false);
    }

    /** Draws up to {@code maxItems} of a training batch with their labels into a PNG grid (fastai's show_batch). */
    public Path showBatch(Path out, int maxItems) {
        HostBatch hb = train.oneBatch();
        try (NDManager m = NDManager.newBaseManager()) {
            Batch b = train.decodeBatch(train.toBatch(hb, m));
            int n = (int) Math.min(maxItems, b.size());
            List<BufferedImage> images = new ArrayList<>();
            List<String> titles = new ArrayList<>();
            TransformBlock xBlock = datasets.blocks().get(0);
            if (!(xBlock instanceof ImageRenderer r)) {
                throw new UnsupportedOperationException("showBatch draws image inputs; " + xBlock.name() + " is not one");
            }
            for (int i = 0; i < n; i++) {
                images.add(r.render(b.inputs().get(0), i));
                titles.add(targetTitle(b, i));
            }
            return ImageGrid.write(images, titles, (int) Math.ceil(Math.sqrt(n)), 128, out);
        }
    }

    private String targetTitle(Batch b, int i) {
        if (b.targets().isEmpty()) {
            return "";
        }
        int blockIdx = datasets.nInputs();
        TransformBlock yb = datasets.blocks().get(blockIdx);
        NDArray t = b.targets().get(0);
        return yb.show(datasets.decode(blockIdx, yb.fromTensor(t, i)));
    }

    /** Stops the loader threads. */
    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}

package ai.fastai4j.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.function.Function;

/**
 * The recipe for a data set, like fastai's {@code DataBlock}: the blocks (what inputs and targets are), how
 * to get items from a source, how to get each block's raw value from an item, how to split, and item and batch
 * transforms. Immutable; {@link #summary} traces one item through every step and says where it fails.
 *
 * <pre>{@code
 * DataBlock<Path> block = DataBlock.<Path>builder(ImageBlock.grey(), CategoryBlock.create())
 *         .getItems(ImageFiles::recursive)
 *         .getY(Labellers.parentFolder())
 *         .splitter(Splitters.grandparent())
 *         .build();
 * }</pre>
 *
 * @param <I> item type (a file path, a table row, ...)
 */
public final class DataBlock<I> {
    private final List<TransformBlock> blocks;
    private final int nInputs;
    private final Function<Path, List<I>> getItems;
    private final List<Function<I, Object>> getters;
    private final Splitter<I> splitter;
    private final List<ItemTransform> itemTransforms;
    private final List<BatchTransform> batchTransforms;

    private DataBlock(Builder<I> b) {
        this.blocks = List.copyOf(b.blocks);
        this.nInputs = b.nInputs;
        this.getItems = b.getItems;
        List<Function<I, Object>> gs = new ArrayList<>();
        for (int i = 0; i < blocks.size(); i++) {
            Function<I, Object> g = b.getters.get(i);
            gs.add(g == null ? item -> item : g);
        }
        this.getters = List.copyOf(gs);
        this.splitter = b.splitter == null ? Splitters.random(0.2, 42) : b.splitter;
        this.itemTransforms = List.copyOf(b.itemTransforms);
        this.batchTransforms = List.copyOf(b.batchTransforms);
    }

    /** A block with one input block and one target block. */
    public static <I> Builder<I> builder(TransformBlock input, TransformBlock target) {
        return new Builder<>(List.of(input, target), 1);
    }

    /** Any number of blocks, the first {@code nInputs} of which are inputs. */
    public static <I> Builder<I> builder(List<TransformBlock> blocks, int nInputs) {
        return new Builder<>(blocks, nInputs);
    }

    /** Items from a source folder or file, using {@code getItems}. */
    public List<I> items(Path source) {
        if (getItems == null) {
            throw new IllegalStateException("no getItems function: pass the items to datasets(List) instead");
        }
        List<I> items = getItems.apply(source);
        if (items.isEmpty()) {
            throw new DataException("no items found in " + source);
        }
        return items;
    }

    /** Splits and sets up the pipelines on items found in {@code source}. */
    public Datasets<I> datasets(Path source) {
        return datasets(items(source));
    }

    /** Splits and sets up the pipelines on the given items. */
    public Datasets<I> datasets(List<I> items) {
        if (items.isEmpty()) {
            throw new DataException("no items");
        }
        SplitIndices split = splitter.split(items);
        return new Datasets<>(items, split, blocks, getters, nInputs);
    }

    /** Data loaders with fastai's defaults and batch size {@code bs}. */
    public DataLoaders dataLoaders(Path source, int bs) {
        return dataLoaders(source, DataLoaderOptions.defaults(bs));
    }

    public DataLoaders dataLoaders(Path source, DataLoaderOptions options) {
        return new DataLoaders(datasets(source), options, itemTransforms, batchTransforms);
    }

    public DataLoaders dataLoaders(List<I> items, DataLoaderOptions options) {
        return new DataLoaders(datasets(items), options, itemTransforms, batchTransforms);
    }

    public List<TransformBlock> blocks() {
        return blocks;
    }

    public List<ItemTransform> itemTransforms() {
        return itemTransforms;
    }

    public List<BatchTransform> batchTransforms() {
        return batchTransforms;
    }

    /**
     * Walks the first training item of {@code source} through every step (items, split, getters, type transforms,
     * item transforms, collation, batch transforms) and reports each result, or the step that failed and why.
     */
    public String summary(Path source) {
        StringBuilder sb = new StringBuilder();
        List<I> items;
        try {
            items = items(source);
            sb.append("Collecting items from ").append(source).append("\nFound ").append(items.size())
                    .append(" items\n");
        } catch (RuntimeException e) {
            return sb.append("FAILED collecting items from ").append(source).append(": ").append(e.getMessage())
                    .append('\n').toString();
        }
        return summary(items, sb);
    }

    /** {@link #summary(Path)} for items given directly. */
    public String summary(List<I> items) {
        return summary(items, new StringBuilder("Found " + items.size() + " items\n"));
    }

    private String summary(List<I> items, StringBuilder sb) {
        String step = "splitting";
        try {
            SplitIndices split = splitter.split(items);
            sb.append(String.format("2 datasets of sizes %d,%d%n", split.train().length, split.valid().length));
            step = "setting up the pipelines";
            Datasets<I> ds = new Datasets<>(items, split, blocks, getters, nInputs);
            int first = split.train()[0];
            sb.append("Building one sample\n");
            List<Object> sample = new ArrayList<>();
            for (int b = 0; b < blocks.size(); b++) {
                step = "block " + blocks.get(b).name();
                Object value = ds.raw(b, first);
                sb.append("  Pipeline for ").append(blocks.get(b).name()).append(": starting from ")
                        .append(show(items.get(first))).append("\n    getter -> ").append(show(value)).append('\n');
                for (Transform<Object, Object> t : ds.pipelines().get(b).transforms()) {
                    step = t.name() + " (" + blocks.get(b).name() + ")";
                    value = t.encode(value);
                    sb.append("    ").append(t.name()).append(" -> ").append(show(value)).append('\n');
                }
                sample.add(value);
            }
            sb.append("Final sample: ").append(show(sample)).append('\n');
            for (ItemTransform t : itemTransforms) {
                step = "item transform " + t.name();
                sample = t.apply(sample, Split.TRAIN, new Random(0));
                sb.append("Applying item transform ").append(t.name()).append(" -> ").append(show(sample)).append('\n');
            }
            step = "collating a batch of " + Math.min(4, split.train().length);
            try (DataLoaders dls = new DataLoaders(ds, DataLoaderOptions.defaults(1).withWorkers(0), itemTransforms,
                    batchTransforms)) {
                int[] idx = Arrays.copyOf(split.train(), Math.min(4, split.train().length));
                HostBatch hb = dls.train().load(positions(split.train(), idx), 0);
                sb.append("Collated batch: ").append(shapes(hb)).append('\n');
                try (NDManager m = NDManager.newBaseManager()) {
                    Batch b = hb.toBatch(m);
                    for (BatchTransform t : dls.batchTransforms()) {
                        step = "batch transform " + t.name();
                        b = t.encode(b, Split.TRAIN);
                        sb.append("Applying batch transform ").append(t.name()).append(" -> ").append(shapes(b))
                                .append('\n');
                    }
                }
            }
            sb.append("OK: every step ran\n");
        } catch (RuntimeException e) {
            sb.append("FAILED at ").append(step).append(": ").append(e.getMessage()).append('\n');
        }
        return sb.toString();
    }

    private static int[] positions(int[] train, int[] idx) {
        int[] p = new int[idx.length];
        for (int i = 0; i < p.length; i++) {
            p[i] = i;
        }
        return p;
    }

    private static String shapes(HostBatch hb) {
        List<String> s = new ArrayList<>();
        hb.inputs().forEach(t -> s.add(t.kind() + " " + t.shape() + " " + t.dataType()));
        hb.targets().forEach(t -> s.add(t.kind() + " " + t.shape() + " " + t.dataType()));
        return String.join(", ", s);
    }

    private static String shapes(Batch b) {
        List<String> s = new ArrayList<>();
        for (NDArray a : b.inputs()) {
            s.add(a.getShape() + " " + a.getDataType());
        }
        for (NDArray a : b.targets()) {
            s.add(a.getShape() + " " + a.getDataType());
        }
        return String.join(", ", s);
    }

    private static String show(Object o) {
        String s = String.valueOf(o);
        return s.length() > 120 ? s.substring(0, 117) + "..." : s;
    }

    /** Configures a {@link DataBlock}. */
    public static final class Builder<I> {
        private final List<TransformBlock> blocks;
        private final int nInputs;
        private final List<Function<I, Object>> getters;
        private Function<Path, List<I>> getItems;
        private Splitter<I> splitter;
        private final List<ItemTransform> itemTransforms = new ArrayList<>();
        private final List<BatchTransform> batchTransforms = new ArrayList<>();

        Builder(List<TransformBlock> blocks, int nInputs) {
            if (nInputs < 1 || nInputs > blocks.size()) {
                throw new IllegalArgumentException("nInputs must be between 1 and " + blocks.size());
            }
            this.blocks = List.copyOf(blocks);
            this.nInputs = nInputs;
            this.getters = new ArrayList<>();
            for (int i = 0; i < blocks.size(); i++) {
                getters.add(null);
            }
        }

        public Builder<I> getItems(Function<Path, List<I>> fn) {
            this.getItems = Objects.requireNonNull(fn);
            return this;
        }

        /** Getter of the (first) input block's raw value; identity by default. */
        public Builder<I> getX(Function<I, Object> fn) {
            getters.set(0, Objects.requireNonNull(fn));
            return this;
        }

        /** Getter of the (first) target block's raw value. */
        public Builder<I> getY(Function<I, Object> fn) {
            getters.set(nInputs, Objects.requireNonNull(fn));
            return this;
        }

        /** Getter of block {@code index}'s raw value. */
        public Builder<I> getter(int index, Function<I, Object> fn) {
            getters.set(index, Objects.requireNonNull(fn));
            return this;
        }

        /** Random 20% validation with seed 42 if not set. */
        public Builder<I> splitter(Splitter<I> s) {
            this.splitter = Objects.requireNonNull(s);
            return this;
        }

        public Builder<I> itemTfms(ItemTransform... tfms) {
            itemTransforms.addAll(Arrays.asList(tfms));
            return this;
        }

        public Builder<I> batchTfms(BatchTransform... tfms) {
            batchTransforms.addAll(Arrays.asList(tfms));
            return this;
        }

        public Builder<I> batchTfms(List<? extends BatchTransform> tfms) {
            batchTransforms.addAll(tfms);
            return this;
        }

        public DataBlock<I> build() {
            return new DataBlock<>(this);
        }
    }
}

package ai.fastai4j.tabular;

import ai.fastai4j.data.DataLoaderOptions;
import ai.fastai4j.data.Splitter;
import ai.fastai4j.data.Splitters;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The options that {@link TabularDataLoaders.Builder} and {@link ai.fastai4j.collab.CollabDataLoaders.Builder}
 * share: where the rows come from, how they are split (random share, seed, explicit rows or any splitter) and how
 * they are loaded (batch size, shuffle seed, loader threads).
 *
 * @param <B> the concrete builder, returned by every option so that calls chain
 */
public abstract class TableLoadersBuilder<B extends TableLoadersBuilder<B>> {
    private final Supplier<Table> source;
    private Splitter<Table.Row> splitter;
    private double validPct = 0.2;
    private long seed = 42;
    private int batchSize = 64;
    private int workers = 0;

    /** @param source reads the table when {@code build()} runs */
    protected TableLoadersBuilder(Supplier<Table> source) {
        this.source = Objects.requireNonNull(source);
    }

    /** This builder, as its concrete type. */
    protected abstract B self();

    /** Share of random validation rows (0.2), used unless a splitter or validation rows are given. */
    public B validPct(double pct) {
        if (!(pct >= 0 && pct < 1)) {
            throw new IllegalArgumentException("validPct must be in [0, 1), got " + pct);
        }
        this.validPct = pct;
        return self();
    }

    /** Seed of the random split and of shuffling (42). */
    public B seed(long s) {
        this.seed = s;
        return self();
    }

    /** These rows (0-based) validate; the others train (fastai's {@code valid_idx}). */
    public B validIdx(int... idx) {
        this.splitter = Splitters.byIndex(idx.clone());
        return self();
    }

    /** Any splitter over the table's rows. */
    public B splitter(Splitter<Table.Row> s) {
        this.splitter = Objects.requireNonNull(s);
        return self();
    }

    /** Batch size (64), for training and validation. */
    public B batchSize(int bs) {
        if (bs < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + bs);
        }
        this.batchSize = bs;
        return self();
    }

    /** Loader threads (0: batches are made on the training thread, which suits small tabular rows). */
    public B workers(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("workers must be at least 0, got " + n);
        }
        this.workers = n;
        return self();
    }

    /** Reads the table (CSV files are read here, at build time). */
    protected Table readTable() {
        return source.get();
    }

    /** The splitter given, or a random one with {@link #validPct} and {@link #seed}. */
    protected Splitter<Table.Row> resolvedSplitter() {
        return splitter != null ? splitter : Splitters.random(validPct, seed);
    }

    /** Batch size, seed and loader threads as loader options. */
    protected DataLoaderOptions loaderOptions() {
        return DataLoaderOptions.defaults(batchSize).withSeed(seed).withWorkers(workers);
    }

    /** The split and loading options, for {@code toString}. */
    protected String loadingOptions() {
        return "bs " + batchSize + ", " + (splitter != null ? "splitter " + splitter : "valid " + validPct)
                + ", seed " + seed + ", workers " + workers;
    }
}

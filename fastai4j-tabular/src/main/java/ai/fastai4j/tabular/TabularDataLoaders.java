package ai.fastai4j.tabular;

import ai.fastai4j.data.CategoryBlock;
import ai.fastai4j.data.DataBlock;
import ai.fastai4j.data.DataException;
import ai.fastai4j.data.DataLoader;
import ai.fastai4j.data.DataLoaders;
import ai.fastai4j.data.Datasets;
import ai.fastai4j.data.HostBatch;
import ai.fastai4j.data.HostTensor;
import ai.fastai4j.data.RegressionBlock;
import ai.fastai4j.data.TransformBlock;
import java.io.PrintStream;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * fastai's {@code TabularDataLoaders}: a table, its categorical and continuous columns, a target column, procs
 * set up on the training split, and the training and validation loaders. Batches hold (cats INT64 (N, nCat),
 * conts FLOAT32 (N, nCont)) and the target (class index or value).
 *
 * <pre>{@code
 * TabularDataLoaders dls = TabularDataLoaders.fromCsv(Path.of("adult.csv"))
 *         .catNames("workclass", "education").contNames("age", "fnlwgt")
 *         .yNames("salary")
 *         .procs(new Categorify(), new FillMissing(), new Normalize())
 *         .build();
 * System.out.println(dls.showBatch(5));
 * }</pre>
 */
public final class TabularDataLoaders implements AutoCloseable {

    /** What the target is: classes (cross-entropy) or a number (MSE). */
    public enum YBlock { CATEGORY, REGRESSION }

    private final DataLoaders dls;
    private final TabularProcessor processor;
    private final Table table;
    private final String yName;
    private final YBlock yBlock;

    private TabularDataLoaders(DataLoaders dls, TabularProcessor processor, Table table, String yName, YBlock yBlock) {
        this.dls = dls;
        this.processor = processor;
        this.table = table;
        this.yName = yName;
        this.yBlock = yBlock;
    }

    /** Options for the rows of a CSV file (pandas' missing-value markers become missing cells). */
    public static Builder fromCsv(Path csv) {
        return new Builder(() -> Table.readCsv(csv));
    }

    /** Options for the rows of a table. */
    public static Builder fromTable(Table table) {
        Objects.requireNonNull(table);
        return new Builder(() -> table);
    }

    /** Options for the rows of a Tablesaw data frame (see {@link Table#fromTablesaw}; Tablesaw is optional). */
    public static Builder fromTablesaw(tech.tablesaw.api.Table frame) {
        Objects.requireNonNull(frame);
        return new Builder(() -> Table.fromTablesaw(frame));
    }

    /** The core loaders, for {@code Learner.builder} and everything else in fastai4j. */
    public DataLoaders dls() {
        return dls;
    }

    /** The set-up procs and column names (shared with the data set's pipeline). */
    public TabularProcessor processor() {
        return processor;
    }

    /** Categorical columns the model sees, {@code _na} columns included. */
    public List<String> catNames() {
        return processor.catNames();
    }

    public List<String> contNames() {
        return processor.contNames();
    }

    public String yName() {
        return yName;
    }

    public YBlock yBlock() {
        return yBlock;
    }

    /** The table the loaders were built from (after date expansion). */
    public Table table() {
        return table;
    }

    /** Class names of a category target, else empty. */
    public List<String> vocab() {
        return dls.vocab();
    }

    /** Number of model outputs: the number of classes, or 1. */
    public int c() {
        return dls.c();
    }

    /** A loader over new rows (tables rows or maps of column to value), without targets. */
    public DataLoader testDl(List<?> rows) {
        return dls.testDl(rows);
    }

    /**
     * fastai's {@code show_batch}: the first {@code maxN} rows of a training batch as a text table, categories
     * decoded ({@code #na#} for missing or unseen), continuous values de-normalised, the target decoded.
     */
    public String showBatch(int maxN) {
        HostBatch hb = dls.train().oneBatch();
        HostTensor x = hb.inputs().get(0);
        int w = (int) x.shape().get(1);
        int n = Math.min(maxN, hb.size());
        List<String> header = new ArrayList<>(catNames());
        header.addAll(contNames());
        header.add(yName);
        List<List<String>> rows = new ArrayList<>();
        FloatBuffer fb = x.data().rewind().slice().order(x.data().order()).asFloatBuffer();
        HostTensor y = hb.targets().get(0);
        List<String> vocab = vocab();
        for (int i = 0; i < n; i++) {
            float[] enc = new float[w];
            fb.get(i * w, enc);
            List<String> cells = new ArrayList<>(processor.decodeRow(enc).values());
            if (yBlock == YBlock.CATEGORY) {
                LongBuffer lb = y.data().rewind().slice().order(y.data().order()).asLongBuffer();
                cells.add(vocab.get((int) lb.get(i)));
            } else {
                FloatBuffer yb = y.data().rewind().slice().order(y.data().order()).asFloatBuffer();
                cells.add(TabularProcessor.formatNumber(yb.get(i)));
            }
            rows.add(cells);
        }
        return TextTable.format(header, rows);
    }

    /** {@link #showBatch(int)} with fastai's default of 10 rows, printed to {@code out}. */
    public void showBatch(PrintStream out) {
        out.println(showBatch(10));
    }

    /** Stops the loader threads. */
    @Override
    public void close() {
        dls.close();
    }

    /** Configures {@link TabularDataLoaders}. */
    public static final class Builder extends TableLoadersBuilder<Builder> {
        private List<String> catNames;
        private List<String> contNames;
        private String yName;
        private YBlock yBlock;
        private List<TabularProc> procs = List.of(new FillMissing(), new Categorify(), new Normalize());
        private final List<DatePart> dateParts = new ArrayList<>();
        private int maxCard = 20;

        Builder(java.util.function.Supplier<Table> source) {
            super(source);
        }

        @Override
        protected Builder self() {
            return this;
        }

        /** Categorical columns (fastai's {@code cat_names}). */
        public Builder catNames(String... names) {
            this.catNames = List.of(names);
            return this;
        }

        public Builder catNames(List<String> names) {
            this.catNames = List.copyOf(names);
            return this;
        }

        /** Continuous columns (fastai's {@code cont_names}). */
        public Builder contNames(String... names) {
            this.contNames = List.of(names);
            return this;
        }

        public Builder contNames(List<String> names) {
            this.contNames = List.copyOf(names);
            return this;
        }

        /** The target column (fastai's {@code y_names}; one column). */
        public Builder yNames(String name) {
            this.yName = Objects.requireNonNull(name);
            return this;
        }

        /** The target's kind; by default regression when every target is a number, else category (as fastai). */
        public Builder yBlock(YBlock b) {
            this.yBlock = Objects.requireNonNull(b);
            return this;
        }

        /**
         * The procs, run in fastai's order whatever the order given. Default: FillMissing, Categorify, Normalize
         * (fastai passes none by default, which only works when there is no categorical column and no missing
         * value; this is the recipe every fastai example uses).
         */
        public Builder procs(TabularProc... ps) {
            this.procs = List.of(ps);
            return this;
        }

        /**
         * Expands date column {@code column} with fastai's {@code add_datepart} (prefix: the name without a trailing
         * "Date"; the date column is dropped). Rows given later for prediction may hold the date column instead of
         * the parts. Name the parts in {@link #catNames}/{@link #contNames}, or leave both unset to split by type.
         */
        public Builder datePart(String column) {
            dateParts.add(DatePart.of(column));
            return this;
        }

        public Builder datePart(DatePart dp) {
            dateParts.add(Objects.requireNonNull(dp));
            return this;
        }

        /** {@code max_card} of the automatic {@link Table#contCatSplit} (20). */
        public Builder maxCard(int n) {
            this.maxCard = n;
            return this;
        }

        /** Reads the table, sets the procs up on the training split and encodes every row. */
        public TabularDataLoaders build() {
            if (yName == null) {
                throw new IllegalStateException("no target column: call yNames(...)");
            }
            Table table = readTable();
            for (DatePart dp : dateParts) {
                table.requireColumns(List.of(dp.column()));
                table = DatePart.add(table, dp.column(), dp.prefix(), true, dp.time());
            }
            table.requireColumns(List.of(yName));
            List<String> cats = catNames;
            List<String> conts = contNames;
            if (cats == null && conts == null) {
                Table.ContCatSplit s = table.contCatSplit(maxCard, yName);
                cats = s.catNames();
                conts = s.contNames();
            } else if (cats == null) {
                cats = List.of();
            } else if (conts == null) {
                Set<String> used = new HashSet<>(cats);
                used.add(yName);
                conts = table.columns().stream().filter(c -> !used.contains(c)).toList();
            }
            table.requireColumns(cats);
            table.requireColumns(conts);
            checkDisjoint(cats, conts, yName);
            YBlock yb = yBlock != null ? yBlock : inferYBlock(table, yName);
            TransformBlock target = yb == YBlock.CATEGORY ? CategoryBlock.create() : RegressionBlock.create();
            String y = yName;
            Function<Table.Row, Object> getY = yb == YBlock.CATEGORY ? r -> requireTarget(r, y) : r -> {
                String v = requireTarget(r, y);
                try {
                    return Float.parseFloat(v.trim());
                } catch (NumberFormatException e) {
                    throw new DataException("target column '" + y + "': '" + v + "' is not a number (a regression "
                            + "target must be numeric)");
                }
            };
            TabularBlock xb = TabularBlock.of(cats, conts, procs, dateParts);
            DataBlock<Table.Row> block = DataBlock.<Table.Row>builder(List.of(xb, target), 1)
                    .getX(r -> r).getY(getY::apply)
                    .splitter(resolvedSplitter())
                    .build();
            Datasets<Table.Row> ds = block.datasets(table.rows());
            TabularProcessor proc = (TabularProcessor) (Object) ds.pipelines().get(0).transforms().get(0);
            proc.precompute(table);
            DataLoaders dls = new DataLoaders(ds, loaderOptions(), List.of(),
                    List.of(new ReadTabBatch(proc.catNames().size(), proc.contNames().size())));
            return new TabularDataLoaders(dls, proc, table, yName, yb);
        }

        private static void checkDisjoint(List<String> cats, List<String> conts, String y) {
            Set<String> seen = new LinkedHashSet<>();
            for (String c : cats) {
                if (!seen.add(c)) {
                    throw new IllegalArgumentException("column '" + c + "' is listed twice");
                }
            }
            for (String c : conts) {
                if (!seen.add(c)) {
                    throw new IllegalArgumentException("column '" + c + "' is both categorical and continuous"
                            + " (or listed twice)");
                }
            }
            if (seen.contains(y)) {
                throw new IllegalArgumentException("the target column '" + y + "' is also an input column");
            }
        }

        private static String requireTarget(Table.Row r, String y) {
            String v = r.get(y);
            if (v == null) {
                throw new DataException("target column '" + y + "' is missing (empty, NA or NaN): every row needs a "
                        + "target");
            }
            return v;
        }

        static YBlock inferYBlock(Table table, String y) {
            for (String v : table.column(y)) {
                if (v != null && !Table.isDouble(v.trim())) {
                    return YBlock.CATEGORY;
                }
            }
            return YBlock.REGRESSION;
        }

        @Override
        public String toString() {
            return "TabularDataLoaders.Builder(cats " + catNames + ", conts " + contNames + ", y " + yName + ", procs "
                    + procs + ", dates " + dateParts + ", " + loadingOptions() + ")";
        }
    }
}

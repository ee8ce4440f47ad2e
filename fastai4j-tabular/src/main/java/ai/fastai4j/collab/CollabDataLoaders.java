package ai.fastai4j.collab;

import ai.fastai4j.data.DataBlock;
import ai.fastai4j.data.DataException;
import ai.fastai4j.data.DataLoaders;
import ai.fastai4j.data.Datasets;
import ai.fastai4j.data.RegressionBlock;
import ai.fastai4j.tabular.Table;
import ai.fastai4j.tabular.TableLoadersBuilder;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * fastai's {@code CollabDataLoaders}: ratings given as (user, item, rating) rows. Users and items are categorified
 * on the training split; batches hold INT64 (N, 2) (user, item) codes and FLOAT32 ratings.
 *
 * <pre>{@code
 * CollabDataLoaders dls = CollabDataLoaders.fromCsv(Path.of("ratings.csv"))
 *         .userName("userId").itemName("movieId").ratingName("rating").build();
 * }</pre>
 */
public final class CollabDataLoaders implements AutoCloseable {
    private final DataLoaders dls;
    private final CollabEncoder encoder;
    private final Table table;
    private final String ratingName;
    private volatile Map<String, Set<String>> rated;

    private CollabDataLoaders(DataLoaders dls, CollabEncoder encoder, Table table, String ratingName) {
        this.dls = dls;
        this.encoder = encoder;
        this.table = table;
        this.ratingName = ratingName;
    }

    /** Ratings in a CSV file (columns default to the first three: user, item, rating). */
    public static Builder fromCsv(Path csv) {
        return new Builder(() -> Table.readCsv(csv));
    }

    /** Ratings in a table (columns default to the first three: user, item, rating). */
    public static Builder fromTable(Table table) {
        Objects.requireNonNull(table);
        return new Builder(() -> table);
    }

    /**
     * Ratings in a Tablesaw data frame (see {@link Table#fromTablesaw}; Tablesaw is optional; columns default to the
     * first three: user, item, rating).
     */
    public static Builder fromTablesaw(tech.tablesaw.api.Table frame) {
        Objects.requireNonNull(frame);
        return new Builder(() -> Table.fromTablesaw(frame));
    }

    /** The core loaders. */
    public DataLoaders dls() {
        return dls;
    }

    /** Users' and items' vocabularies. */
    public CollabEncoder encoder() {
        return encoder;
    }

    /** Users, {@code #na#} first. */
    public List<String> users() {
        return encoder.users();
    }

    /** Items, {@code #na#} first. */
    public List<String> items() {
        return encoder.items();
    }

    public String userName() {
        return encoder.userName();
    }

    public String itemName() {
        return encoder.itemName();
    }

    public String ratingName() {
        return ratingName;
    }

    /** The ratings table. */
    public Table table() {
        return table;
    }

    /** Whether {@code user} has an embedding (appears in the training split). */
    public boolean isKnownUser(String user) {
        return encoder.userCode(user) != 0;
    }

    public boolean isKnownItem(String item) {
        return encoder.itemCode(item) != 0;
    }

    /** The items {@code user} rated anywhere in the table (training and validation rows). */
    public Set<String> ratedBy(String user) {
        Map<String, Set<String>> r = rated;
        if (r == null) {
            r = new HashMap<>();
            String[] u = table.column(encoder.userName());
            String[] it = table.column(encoder.itemName());
            for (int i = 0; i < u.length; i++) {
                r.computeIfAbsent(u[i], k -> new HashSet<>()).add(it[i]);
            }
            rated = r;
        }
        return Collections.unmodifiableSet(r.getOrDefault(user, Set.of()));
    }

    /** The number of training ratings of each item code (index 0, {@code #na#}, has none). */
    public int[] itemRatingCounts() {
        int[] counts = new int[encoder.items().size()];
        for (int i : dls.datasets().split().train()) {
            counts[encoder.itemCode(table.get(i, encoder.itemName()))]++;
        }
        counts[0] = 0;
        return counts;
    }

    @Override
    public void close() {
        dls.close();
    }

    /** Configures {@link CollabDataLoaders}. */
    public static final class Builder extends TableLoadersBuilder<Builder> {
        private String userName;
        private String itemName;
        private String ratingName;

        Builder(Supplier<Table> source) {
            super(source);
        }

        @Override
        protected Builder self() {
            return this;
        }

        /** The user column (default: the first column). */
        public Builder userName(String n) {
            this.userName = Objects.requireNonNull(n);
            return this;
        }

        /** The item column (default: the second column). */
        public Builder itemName(String n) {
            this.itemName = Objects.requireNonNull(n);
            return this;
        }

        /** The rating column (default: the third column). */
        public Builder ratingName(String n) {
            this.ratingName = Objects.requireNonNull(n);
            return this;
        }

        /** Reads the table, learns the users' and items' vocabularies on the training split and encodes every row. */
        public CollabDataLoaders build() {
            Table t = readTable();
            List<String> cols = t.columns();
            String u = userName != null ? userName : column(cols, 0, t);
            String it = itemName != null ? itemName : column(cols, 1, t);
            String r = ratingName != null ? ratingName : column(cols, 2, t);
            t.requireColumns(List.of(u, it, r));
            DataBlock<Table.Row> block = DataBlock.<Table.Row>builder(List.of(CollabBlock.of(u, it),
                    RegressionBlock.create()), 1)
                    .getX(row -> row)
                    .getY(row -> rating(row, r))
                    .splitter(resolvedSplitter())
                    .build();
            Datasets<Table.Row> ds = block.datasets(t.rows());
            CollabEncoder enc = (CollabEncoder) (Object) ds.pipelines().get(0).transforms().get(0);
            enc.precompute(t);
            return new CollabDataLoaders(new DataLoaders(ds, loaderOptions(), List.of(), List.of()), enc, t, r);
        }

        private static String column(List<String> cols, int i, Table t) {
            if (cols.size() <= i) {
                throw new DataException(t.source() + " has " + cols.size() + " columns: name the user, item and "
                        + "rating columns");
            }
            return cols.get(i);
        }

        private static Object rating(Table.Row row, String r) {
            String v = row.get(r);
            if (v == null) {
                throw new DataException("rating column '" + r + "' is missing (empty, NA or NaN): every row needs a "
                        + "rating");
            }
            try {
                return Float.parseFloat(v.trim());
            } catch (NumberFormatException e) {
                throw new DataException("rating column '" + r + "': '" + v + "' is not a number");
            }
        }
    }
}

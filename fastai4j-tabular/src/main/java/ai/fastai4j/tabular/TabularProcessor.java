package ai.fastai4j.tabular;

import ai.fastai4j.data.DataException;
import ai.fastai4j.data.Transform;
import ai.fastai4j.export.Params;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The type transform of a {@link TabularBlock}: turns a row ({@link Table.Row}, {@link ai.fastai4j.data.CsvTable.Row}
 * or a {@code Map} of column to value) into the model's inputs, like a {@code TabularPandas} with its procs. It is
 * set up on the training rows (the procs learn their state there) and encodes a row as one {@code float[]}: the
 * {@link #catNames()} codes, then the {@link #contNames()} values (see {@link ReadTabBatch}).
 *
 * <p>The rows of the table a data set was built from are encoded once, in bulk, by {@link #precompute}; other rows
 * (such as a row to predict) are encoded on demand.
 */
public final class TabularProcessor implements Transform<Object, float[]>, ai.fastai4j.data.UnseenValues {
    private final List<String> inCatNames;
    private final List<String> inContNames;
    private final List<DatePart> dateParts;
    private final List<TabularProc> procs;
    private List<String> catNames;
    private List<String> contNames;
    private volatile Cache cache;

    private record Cache(Table table, float[][] rows) {}

    /**
     * @param catNames categorical input columns
     * @param contNames continuous input columns
     * @param procs procs (fresh or already set up), run in their {@link TabularProc#order()}
     * @param dateParts date columns whose parts a row may lack (computed from the date at inference)
     */
    public TabularProcessor(List<String> catNames, List<String> contNames, List<TabularProc> procs,
            List<DatePart> dateParts) {
        this.inCatNames = List.copyOf(catNames);
        this.inContNames = List.copyOf(contNames);
        List<TabularProc> ps = new ArrayList<>(procs);
        ps.sort(Comparator.comparingInt(TabularProc::order));
        this.procs = List.copyOf(ps);
        this.dateParts = List.copyOf(dateParts);
        if (!this.procs.isEmpty() && this.procs.stream().allMatch(TabularProc::isSetUp)) {
            adopt();
        }
    }

    private void setNames(TabularFrame f) {
        this.catNames = List.copyOf(f.catNames());
        this.contNames = List.copyOf(f.contNames());
    }

    @Override
    public void setup(List<Object> trainRows) {
        if (catNames != null) {
            return; // state given (e.g. an exported model): nothing to learn
        }
        if (!inCatNames.isEmpty() && categorify() == null) {
            throw new DataException("categorical columns " + inCatNames + " need Categorify in the procs");
        }
        if (trainRows.isEmpty()) {
            throw new DataException("no training rows: the procs cannot be set up");
        }
        TabularFrame f = TabularFrame.fromRows(trainRows, inCatNames, inContNames, dateParts);
        for (TabularProc p : procs) {
            p.setup(f);
            p.apply(f);
        }
        checkComplete(f);
        setNames(f);
    }

    private static void checkComplete(TabularFrame f) {
        for (String c : f.contNames()) {
            double[] v = f.cont(c);
            for (int i = 0; i < v.length; i++) {
                if (Double.isNaN(v[i])) {
                    throw new DataException(f.rowName(i) + ", column '" + c + "': missing value in a continuous "
                            + "column (add FillMissing to the procs)");
                }
            }
        }
    }

    /** Encodes one row (see the class comment for the layout). */
    @Override
    public float[] encode(Object row) {
        Cache c = cache;
        if (c != null && row instanceof Table.Row r && r.table() == c.table()) {
            return c.rows()[r.index()];
        }
        return encodeRows(List.of(row))[0];
    }

    /** Encodes rows in bulk, column by column. */
    public float[][] encodeRows(List<?> rows) {
        requireSetUp();
        TabularFrame f = TabularFrame.fromRows(rows, inCatNames, inContNames, dateParts);
        for (TabularProc p : procs) {
            p.apply(f);
        }
        checkComplete(f);
        int nc = catNames.size();
        float[][] out = new float[rows.size()][nc + contNames.size()];
        for (int j = 0; j < nc; j++) {
            int[] codes = f.codes(catNames.get(j));
            for (int i = 0; i < out.length; i++) {
                out[i][j] = codes[i];
            }
        }
        for (int j = 0; j < contNames.size(); j++) {
            double[] v = f.cont(contNames.get(j));
            for (int i = 0; i < out.length; i++) {
                out[i][nc + j] = (float) v[i];
            }
        }
        return out;
    }

    /**
     * The categorical input columns of {@code row} whose value is present but not in the training vocabulary
     * (Categorify encodes it as {@code #na#}).
     */
    @Override
    public List<String> unseenColumns(Object row) {
        requireSetUp();
        Categorify cat = categorify();
        if (cat == null || inCatNames.isEmpty()) {
            return List.of();
        }
        TabularFrame f = TabularFrame.fromRows(List.of(row), inCatNames, List.of(), dateParts);
        List<String> out = new ArrayList<>();
        for (String c : inCatNames) {
            String v = f.cat(c)[0];
            if (v != null && cat.code(c, v) == 0) {
                out.add(c);
            }
        }
        return out;
    }

    /**
     * Encodes every row of {@code table} now, so that errors (a non-numeric continuous cell) show at once with
     * their row and column, and batches only copy numbers.
     */
    public void precompute(Table table) {
        cache = new Cache(table, encodeRows(table.rows()));
    }

    /** A row as the model saw it: categories by name ({@code #na#} for missing or unseen), numbers de-normalised. */
    @Override
    public Object decode(float[] encoded) {
        return decodeRow(encoded);
    }

    /** See {@link #decode}. */
    public Map<String, String> decodeRow(float[] encoded) {
        requireSetUp();
        Categorify cat = categorify();
        Normalize norm = normalize();
        Map<String, String> out = new LinkedHashMap<>();
        int nc = catNames.size();
        for (int j = 0; j < nc; j++) {
            int code = Math.round(encoded[j]);
            out.put(catNames.get(j), cat == null ? Integer.toString(code) : cat.vocab(catNames.get(j)).get(code));
        }
        for (int j = 0; j < contNames.size(); j++) {
            String c = contNames.get(j);
            double v = encoded[nc + j];
            out.put(c, formatNumber(norm == null ? v : norm.decode(c, v)));
        }
        return out;
    }

    /** A number as a short string: integers without a decimal point, others to 6 significant digits. */
    public static String formatNumber(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return Double.toString(v);
        }
        double r = Math.rint(v);
        if (Math.abs(v - r) <= 1e-4 * Math.max(1, Math.abs(v)) && Math.abs(r) < 1e15) {
            return Long.toString((long) r);
        }
        return new BigDecimal(v).round(new MathContext(6)).stripTrailingZeros().toPlainString();
    }

    private void requireSetUp() {
        if (catNames == null) {
            throw new IllegalStateException("TabularProcessor used before setup");
        }
    }

    /** Whether the procs have their state. */
    public boolean isSetUp() {
        return catNames != null;
    }

    /** Categorical columns the model sees: the input ones, then the {@code _na} columns of {@link FillMissing}. */
    public List<String> catNames() {
        requireSetUp();
        return catNames;
    }

    /** Continuous columns the model sees. */
    public List<String> contNames() {
        requireSetUp();
        return contNames;
    }

    /** Categorical input columns as configured. */
    public List<String> inputCatNames() {
        return inCatNames;
    }

    /** Continuous input columns as configured. */
    public List<String> inputContNames() {
        return inContNames;
    }

    public List<DatePart> dateParts() {
        return dateParts;
    }

    /** The procs, in running order. */
    public List<TabularProc> procs() {
        return procs;
    }

    /** The Categorify proc, or null. */
    public Categorify categorify() {
        return find(Categorify.class);
    }

    /** The Normalize proc, or null. */
    public Normalize normalize() {
        return find(Normalize.class);
    }

    /** The FillMissing proc, or null. */
    public FillMissing fillMissing() {
        return find(FillMissing.class);
    }

    private <P extends TabularProc> P find(Class<P> type) {
        for (TabularProc p : procs) {
            if (type.isInstance(p)) {
                return type.cast(p);
            }
        }
        return null;
    }

    /** Vocabulary sizes ({@code #na#} included) of {@link #catNames()}, in order. */
    public int[] cardinalities() {
        Categorify c = categorify();
        int[] out = new int[catNames().size()];
        for (int j = 0; j < out.length; j++) {
            out[j] = c.vocab(catNames.get(j)).size();
        }
        return out;
    }

    /** Everything needed to rebuild this processor with its learned state ({@link #fromState}), as JSON values. */
    public Map<String, Object> state() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cat_names", inCatNames);
        m.put("cont_names", inContNames);
        List<Object> dates = new ArrayList<>();
        for (DatePart d : dateParts) {
            Map<String, Object> dm = new LinkedHashMap<>();
            dm.put("column", d.column());
            dm.put("prefix", d.prefix());
            dm.put("time", d.time());
            dates.add(dm);
        }
        m.put("date_parts", dates);
        List<Object> ps = new ArrayList<>();
        for (TabularProc p : procs) {
            ps.add(p.state());
        }
        m.put("procs", ps);
        return m;
    }

    /**
     * Rebuilds a set-up processor from {@link #state()}. Every field is checked: a missing or mistyped value, a
     * vocabulary that does not start with {@code #na#}, a standard deviation that is not positive or a column
     * without its statistics is an {@link IllegalArgumentException} naming it.
     */
    public static TabularProcessor fromState(Map<String, Object> state) {
        List<String> cats = Params.getStringList(state, "cat_names");
        List<String> conts = Params.getStringList(state, "cont_names");
        List<DatePart> dates = new ArrayList<>();
        List<?> dl = state.containsKey("date_parts") ? Params.getList(state, "date_parts") : List.of();
        for (int i = 0; i < dl.size(); i++) {
            Map<String, Object> d = object(dl.get(i), "date_parts[" + i + "]");
            dates.add(new DatePart(Params.getString(d, "column"), Params.getString(d, "prefix"),
                    Params.getBoolean(d, "time")));
        }
        List<TabularProc> procs = new ArrayList<>();
        List<?> pl = Params.getList(state, "procs");
        for (int i = 0; i < pl.size(); i++) {
            Map<String, Object> p = object(pl.get(i), "procs[" + i + "]");
            try {
                procs.add(proc(p));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("procs[" + i + "]: " + e.getMessage(), e);
            }
        }
        if (!cats.isEmpty() && procs.stream().noneMatch(Categorify.class::isInstance)) {
            throw new IllegalArgumentException("categorical columns " + cats + " need a Categorify in 'procs'");
        }
        TabularProcessor tp;
        try {
            tp = new TabularProcessor(cats, conts, procs, dates);
            if (!tp.isSetUp()) {
                tp.adopt(); // no procs at all: nothing to learn
            }
        } catch (DataException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return tp;
    }

    /** Takes the given procs' state as final (they must all be set up) and computes the column names. */
    private void adopt() {
        TabularFrame empty = TabularFrame.fromRows(List.of(), inCatNames, inContNames, dateParts);
        for (TabularProc p : procs) {
            p.apply(empty);
        }
        setNames(empty);
    }

    private static TabularProc proc(Map<String, Object> p) {
        String type = Params.getString(p, "type");
        switch (type) {
            case "Categorify" -> {
                Map<String, List<String>> vocabs = new LinkedHashMap<>();
                Map<String, Object> classes = object(p.get("classes"), "parameter 'classes'");
                for (String col : classes.keySet()) {
                    List<String> v = Params.getStringList(classes, col);
                    if (new java.util.HashSet<>(v).size() != v.size()) {
                        throw new IllegalArgumentException("the vocabulary of '" + col + "' has duplicates");
                    }
                    vocabs.put(col, v);
                }
                return Categorify.withVocabs(vocabs);
            }
            case "Normalize" -> {
                Map<String, Double> stds = numbers(p, "stds");
                stds.forEach((c, v) -> {
                    if (!(v > 0)) {
                        throw new IllegalArgumentException("the standard deviation of '" + c + "' must be positive, got "
                                + v);
                    }
                });
                return Normalize.withStats(numbers(p, "means"), stds);
            }
            case "FillMissing" -> {
                String strategy = Params.getString(p, "fill_strategy");
                FillMissing.Strategy st;
                try {
                    st = FillMissing.Strategy.valueOf(strategy.toUpperCase(java.util.Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("parameter 'fill_strategy' is '" + strategy
                            + "', not one of median, mode, constant");
                }
                return FillMissing.withState(st, Params.getDouble(p, "fill_val"), Params.getBoolean(p, "add_col"),
                        numbers(p, "na_dict"), numbers(p, "fill_values"));
            }
            default -> throw new IllegalArgumentException("unknown tabular proc '" + type
                    + "' (known: Categorify, FillMissing, Normalize)");
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Object o, String what) {
        if (!(o instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException(what + " must be an object, got " + (o == null ? "nothing" : o));
        }
        for (Object k : m.keySet()) {
            if (!(k instanceof String)) {
                throw new IllegalArgumentException(what + " has a key that is not a string: " + k);
            }
        }
        return (Map<String, Object>) m;
    }

    /** A map of column to finite number. */
    private static Map<String, Double> numbers(Map<String, Object> p, String key) {
        Map<String, Object> m = object(p.get(key), "parameter '" + key + "'");
        Map<String, Double> out = new LinkedHashMap<>();
        for (String col : m.keySet()) {
            try {
                out.put(col, Params.getDouble(m, col));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("parameter '" + key + "': " + e.getMessage(), e);
            }
        }
        return out;
    }

    @Override
    public String name() {
        return "TabularProcessor";
    }

    @Override
    public String toString() {
        return "TabularProcessor(cats " + (catNames == null ? inCatNames : catNames) + ", conts " + inContNames
                + ", procs " + procs + ")";
    }
}

package ai.fastai4j.tabular;

import ai.fastai4j.data.DataException;
import ai.fastai4j.data.Transform;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The type transform of a {@link TabularBlock}: turns a row ({@link Table.Row}, {@link ai.fastai4j.data.CsvTable.Row}
 * or a {@code Map} of column to value) into the model's inputs, like a {@code TabularPandas} with its procs. It is
 * set up on the training rows (the procs learn their state there) and encodes a row as one {@code float[]}: the
 * {@link #catNames()} codes, then the {@link #contNames()} values (see {@link ReadTabBatch}).
 *
 * <p>The rows of the table a data set was built from are encoded once, in bulk, by {@link #precompute}; other rows
 * (such as a row to predict) are encoded on demand.
 */
public final class TabularProcessor implements Transform<Object, float[]> {
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
            TabularFrame empty = TabularFrame.fromRows(List.of(), inCatNames, inContNames, this.dateParts);
            for (TabularProc p : this.procs) {
                p.apply(empty);
            }
            setNames(empty);
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

    /** Rebuilds a set-up processor from {@link #state()}. */
    @SuppressWarnings("unchecked")
    public static TabularProcessor fromState(Map<String, Object> state) {
        List<String> cats = (List<String>) state.get("cat_names");
        List<String> conts = (List<String>) state.get("cont_names");
        List<DatePart> dates = new ArrayList<>();
        for (Object o : (List<Object>) state.getOrDefault("date_parts", List.of())) {
            Map<String, Object> d = (Map<String, Object>) o;
            dates.add(new DatePart((String) d.get("column"), (String) d.get("prefix"),
                    Boolean.TRUE.equals(d.get("time"))));
        }
        List<TabularProc> procs = new ArrayList<>();
        for (Object o : (List<Object>) state.get("procs")) {
            Map<String, Object> p = (Map<String, Object>) o;
            String type = Objects.requireNonNull((String) p.get("type"), "proc without a type");
            switch (type) {
                case "Categorify" -> procs.add(Categorify.withVocabs((Map<String, List<String>>) p.get("classes")));
                case "Normalize" -> procs.add(Normalize.withStats(doubles(p.get("means")), doubles(p.get("stds"))));
                case "FillMissing" -> procs.add(FillMissing.withState(
                        FillMissing.Strategy.valueOf(((String) p.get("fill_strategy")).toUpperCase(java.util.Locale.ROOT)),
                        ((Number) p.get("fill_val")).doubleValue(), Boolean.TRUE.equals(p.get("add_col")),
                        doubles(p.get("na_dict")), doubles(p.get("fill_values"))));
                default -> throw new IllegalArgumentException("unknown tabular proc '" + type + "'");
            }
        }
        TabularProcessor tp = new TabularProcessor(cats, conts, procs, dates);
        if (!tp.isSetUp()) {
            throw new IllegalArgumentException("the state has no procs: nothing to rebuild");
        }
        return tp;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Double> doubles(Object o) {
        Map<String, Double> out = new LinkedHashMap<>();
        ((Map<String, Object>) o).forEach((k, v) -> out.put(k, ((Number) v).doubleValue()));
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

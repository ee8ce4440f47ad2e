package ai.fastai4j.tabular;

import ai.fastai4j.data.DataException;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * fastai's {@code FillMissing}: each continuous column that has missing values in the training rows is filled
 * with the training median (or the mode, or a constant) and, with {@code addCol} (the default), gets a boolean
 * categorical column {@code <col>_na} ({@code True} where the value was missing).
 *
 * <p>fastai fails when a column had no missing value in training but has one later; here that value is filled with
 * the same statistic of the training rows (no {@code _na} column is added, so the model's inputs do not change).
 */
public final class FillMissing implements TabularProc {

    /** How the fill value is chosen (fastai's {@code FillStrategy}). */
    public enum Strategy { MEDIAN, MODE, CONSTANT }

    private final Strategy strategy;
    private final double constant;
    private final boolean addCol;
    private Map<String, Double> naDict;
    private Map<String, Double> fallback;

    /** Median, with {@code _na} columns (fastai's defaults). */
    public FillMissing() {
        this(Strategy.MEDIAN, 0, true);
    }

    public FillMissing(Strategy strategy, double constant, boolean addCol) {
        this.strategy = strategy;
        this.constant = constant;
        this.addCol = addCol;
    }

    /** A FillMissing with given fill values (e.g. from an exported model). */
    public static FillMissing withState(Strategy strategy, double constant, boolean addCol, Map<String, Double> naDict,
            Map<String, Double> fallback) {
        FillMissing f = new FillMissing(strategy, constant, addCol);
        f.naDict = new LinkedHashMap<>(naDict);
        f.fallback = new LinkedHashMap<>(fallback);
        return f;
    }

    @Override
    public int order() {
        return 0;
    }

    @Override
    public void setup(TabularFrame train) {
        Map<String, Double> na = new LinkedHashMap<>();
        Map<String, Double> all = new LinkedHashMap<>();
        for (String c : train.contNames()) {
            double[] v = train.cont(c);
            boolean missing = false;
            for (double x : v) {
                missing |= Double.isNaN(x);
            }
            double fill = fillValue(v);
            if (Double.isNaN(fill)) {
                throw new DataException("column '" + c + "' has no value in the training split: FillMissing cannot "
                        + "choose a fill value");
            }
            all.put(c, fill);
            if (missing) {
                na.put(c, fill);
            }
        }
        naDict = na;
        fallback = all;
    }

    private double fillValue(double[] v) {
        double[] present = Arrays.stream(v).filter(x -> !Double.isNaN(x)).toArray();
        if (strategy == Strategy.CONSTANT) {
            return constant;
        }
        if (present.length == 0) {
            return Double.NaN;
        }
        if (strategy == Strategy.MEDIAN) {
            return median(present);
        }
        TreeMap<Double, Integer> counts = new TreeMap<>();
        for (double x : present) {
            counts.merge(x, 1, Integer::sum);
        }
        double best = Double.NaN;
        int bestCount = -1;
        for (Map.Entry<Double, Integer> e : counts.entrySet()) {
            if (e.getValue() > bestCount) {
                best = e.getKey();
                bestCount = e.getValue();
            }
        }
        return best;
    }

    /** pandas' median: the middle value, or the mean of the two middle values. */
    static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    @Override
    public void apply(TabularFrame frame) {
        if (naDict == null) {
            throw new IllegalStateException("FillMissing used before setup");
        }
        for (String c : frame.contNames()) {
            double[] v = frame.cont(c);
            Double fill = naDict.containsKey(c) ? naDict.get(c) : fallback.get(c);
            if (fill == null) {
                throw new DataException("FillMissing has no fill value for column '" + c + "'");
            }
            String[] flag = addCol && naDict.containsKey(c) ? new String[v.length] : null;
            for (int i = 0; i < v.length; i++) {
                boolean miss = Double.isNaN(v[i]);
                if (miss) {
                    v[i] = fill;
                }
                if (flag != null) {
                    flag[i] = miss ? "True" : "False";
                }
            }
            if (flag != null) {
                frame.putCat(c + "_na", flag);
            }
        }
    }

    /** Fill values of the columns that had missing values in training (these get a {@code _na} column). */
    public Map<String, Double> naDict() {
        return naDict == null ? Map.of() : Collections.unmodifiableMap(naDict);
    }

    /** Fill values of every continuous column. */
    public Map<String, Double> fillValues() {
        return fallback == null ? Map.of() : Collections.unmodifiableMap(fallback);
    }

    public Strategy strategy() {
        return strategy;
    }

    public boolean addCol() {
        return addCol;
    }

    @Override
    public boolean isSetUp() {
        return naDict != null;
    }

    @Override
    public TabularProc fresh() {
        return new FillMissing(strategy, constant, addCol);
    }

    @Override
    public Map<String, Object> state() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "FillMissing");
        m.put("fill_strategy", strategy.name().toLowerCase(java.util.Locale.ROOT));
        m.put("fill_val", constant);
        m.put("add_col", addCol);
        if (naDict != null) {
            m.put("na_dict", new LinkedHashMap<>(naDict));
            m.put("fill_values", new LinkedHashMap<>(fallback));
        }
        return m;
    }

    @Override
    public String toString() {
        return "FillMissing(" + strategy + (naDict == null ? ")" : ") " + naDict);
    }
}

package ai.fastai4j.tabular;

import ai.fastai4j.data.DataException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * fastai's tabular {@code Normalize}: each continuous column becomes {@code (x - mean) / std} with the mean and
 * the population standard deviation (ddof 0) plus 1e-7 of the training rows.
 */
public final class Normalize implements TabularProc {
    private Map<String, Double> means;
    private Map<String, Double> stds;

    public Normalize() {}

    /** A Normalize with given statistics (e.g. from an exported model). */
    public static Normalize withStats(Map<String, Double> means, Map<String, Double> stds) {
        if (!means.keySet().equals(stds.keySet())) {
            throw new IllegalArgumentException("means and stds name different columns");
        }
        Normalize n = new Normalize();
        n.means = new LinkedHashMap<>(means);
        n.stds = new LinkedHashMap<>(stds);
        return n;
    }

    @Override
    public int order() {
        return 99;
    }

    @Override
    public void setup(TabularFrame train) {
        Map<String, Double> m = new LinkedHashMap<>();
        Map<String, Double> s = new LinkedHashMap<>();
        for (String c : train.contNames()) {
            double[] v = train.cont(c);
            double sum = 0;
            for (int i = 0; i < v.length; i++) {
                if (Double.isNaN(v[i])) {
                    throw new DataException(train.rowName(i) + ", column '" + c + "': missing value in a continuous "
                            + "column (add FillMissing to the procs)");
                }
                sum += v[i];
            }
            double mean = sum / v.length;
            double ss = 0;
            for (double x : v) {
                ss += (x - mean) * (x - mean);
            }
            m.put(c, mean);
            s.put(c, Math.sqrt(ss / v.length) + 1e-7);
        }
        means = m;
        stds = s;
    }

    @Override
    public void apply(TabularFrame frame) {
        if (means == null) {
            throw new IllegalStateException("Normalize used before setup");
        }
        for (String c : frame.contNames()) {
            Double mean = means.get(c);
            if (mean == null) {
                throw new DataException("Normalize has no statistics for column '" + c + "'");
            }
            double std = stds.get(c);
            double[] v = frame.cont(c);
            for (int i = 0; i < v.length; i++) {
                v[i] = (v[i] - mean) / std;
            }
        }
    }

    /** Undoes the normalisation of one value of {@code column}. */
    public double decode(String column, double value) {
        return value * stds.get(column) + means.get(column);
    }

    /** Training means by column. */
    public Map<String, Double> means() {
        return means == null ? Map.of() : Collections.unmodifiableMap(means);
    }

    /** Training standard deviations (ddof 0, plus 1e-7) by column. */
    public Map<String, Double> stds() {
        return stds == null ? Map.of() : Collections.unmodifiableMap(stds);
    }

    @Override
    public boolean isSetUp() {
        return means != null;
    }

    @Override
    public TabularProc fresh() {
        return new Normalize();
    }

    @Override
    public Map<String, Object> state() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "Normalize");
        if (means != null) {
            m.put("means", new LinkedHashMap<>(means));
            m.put("stds", new LinkedHashMap<>(stds));
        }
        return m;
    }

    @Override
    public String toString() {
        return "Normalize" + (means == null ? "" : " " + means.keySet());
    }
}

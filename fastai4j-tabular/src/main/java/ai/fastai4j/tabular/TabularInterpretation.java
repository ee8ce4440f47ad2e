package ai.fastai4j.tabular;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.fastai4j.data.Batch;
import ai.fastai4j.data.BatchTransform;
import ai.fastai4j.data.Datasets;
import ai.fastai4j.data.Split;
import ai.fastai4j.data.TensorKind;
import ai.fastai4j.interpret.ReportSection;
import ai.fastai4j.nn.Module;
import ai.fastai4j.plot.Plots;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * What drives a tabular model's predictions, on its validation rows (fastbook chapter 9, for a neural net):
 *
 * <ul>
 *   <li>{@link #permutationImportance}: how much the validation metric worsens when one input column's values are
 *       shuffled among the validation rows (Breiman's permutation importance, as scikit-learn's
 *       {@code permutation_importance}): RMSE after minus RMSE before for regression, accuracy before minus
 *       accuracy after for classification; the mean and standard deviation of a few seeded shuffles. A column and
 *       its {@code _na} indicator move together, as one input column.
 *   <li>{@link #partialDependence}: the mean prediction over the validation rows when one column is set to each
 *       value of a grid (its categories, or quantiles of its validation values), every other column as it is
 *       (Friedman's partial dependence, as scikit-learn's {@code partial_dependence} with {@code kind="average"}).
 *   <li>{@link #explain}: each column's contribution to one prediction, by <b>Shapley sampling</b> (Štrumbelj and
 *       Kononenko 2014): for each of {@code samples} random column orders and random background rows {@code z}
 *       from the validation set, the columns are switched from {@code z}'s value to the row's value one at a time
 *       in that order, and each column is credited with the change of the prediction at its switch. The
 *       contributions add up exactly to the prediction minus the mean prediction of the background rows used.
 * </ul>
 *
 * The prediction explained or averaged is the model's output for regression and the probability of a class for
 * classification ({@link #targetClass()}: the second class of two, as scikit-learn's positive class, else the
 * class predicted most often on the validation rows). Everything is computed on encoded rows (after the procs),
 * in evaluation mode, in batches.
 *
 * <pre>{@code
 * TabularInterpretation interp = TabularInterpretation.fromLearner(learn);
 * for (TabularInterpretation.FeatureImportance f : interp.permutationImportance(5, 42)) {
 *     System.out.println(f);
 * }
 * TrainingReport.builder(learn).section(interp.reportSection(dir, 10, 3)).build().write(dir);
 * }</pre>
 */
public final class TabularInterpretation {
    private static final int BATCH = 4096;

    private final TabularLearner learn;
    private final TabularProcessor proc;
    private final boolean classification;
    private final float[][] x;
    private final double[] y;
    private final List<String> columns;
    private final Map<String, int[]> groups;
    private final int targetClass;
    private final float[][] baseOutputs;

    /**
     * One input column's permutation importance.
     *
     * @param column the input column
     * @param importance mean worsening of the metric over the shuffles (positive: the model relies on it)
     * @param std standard deviation of the worsening over the shuffles (population, as scikit-learn's)
     * @param repeats the worsening of each shuffle
     */
    public record FeatureImportance(String column, double importance, double std, double[] repeats) {
        public FeatureImportance {
            repeats = repeats.clone();
        }

        @Override
        public double[] repeats() {
            return repeats.clone();
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%s %.5f +- %.5f", column, importance, std);
        }
    }

    /**
     * A partial dependence curve.
     *
     * @param column the column set to each grid value
     * @param categorical whether the grid is categories (labels only) or numbers ({@code xs} too)
     * @param labels the grid values as written
     * @param xs the grid values as numbers (NaN for categories)
     * @param mean the mean prediction over the validation rows at each grid value
     */
    public record PartialDependence(String column, boolean categorical, List<String> labels, double[] xs,
            double[] mean) {}

    /**
     * Contributions of the columns to one prediction.
     *
     * @param output what is explained: "prediction" (regression) or "P(class)" of the row's predicted class
     * @param prediction the explained output for the row
     * @param baseline the mean output of the background rows drawn (contributions sum to prediction - baseline)
     * @param contributions column to contribution, largest magnitude first
     * @param row the row as the model saw it (decoded)
     * @param samples the number of sampled column orders
     */
    public record Explanation(String output, double prediction, double baseline, Map<String, Double> contributions,
            Map<String, String> row, int samples) {}

    private TabularInterpretation(TabularLearner learn) {
        this.learn = learn;
        this.proc = learn.processor();
        Datasets<?> ds = learn.dls().datasets();
        int[] valid = ds.split().valid();
        if (valid.length == 0) {
            throw new IllegalArgumentException("the learner's data has no validation rows to interpret on");
        }
        this.x = new float[valid.length][];
        this.y = new double[valid.length];
        for (int i = 0; i < valid.length; i++) {
            List<Object> s = ds.sample(valid[i]);
            x[i] = (float[]) s.get(0);
            y[i] = ((Number) s.get(1)).doubleValue();
        }
        this.classification = !learn.dls().vocab().isEmpty();
        this.columns = new ArrayList<>(proc.inputCatNames());
        columns.addAll(proc.inputContNames());
        this.groups = groupsOf(proc, columns);
        this.baseOutputs = outputs(x);
        int c = 0;
        if (classification) {
            int k = learn.dls().vocab().size();
            if (k == 2) {
                c = 1;
            } else {
                int[] counts = new int[k];
                for (float[] o : baseOutputs) {
                    counts[argmax(o)]++;
                }
                c = argmax(counts);
            }
        }
        this.targetClass = c;
    }

    /** Interprets {@code learn} on its validation rows (the rows are encoded and predicted once, here). */
    public static TabularInterpretation fromLearner(TabularLearner learn) {
        return new TabularInterpretation(learn);
    }

    /** The input columns, categorical then continuous, as the model was given them. */
    public List<String> columns() {
        return List.copyOf(columns);
    }

    /** The validation rows, encoded (copies), in the order of the data's validation split. */
    float[][] encodedRows() {
        float[][] out = new float[x.length][];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i].clone();
        }
        return out;
    }

    /** The encoded positions of each input column. */
    Map<String, int[]> groups() {
        return groups;
    }

    /** Number of validation rows. */
    public int size() {
        return x.length;
    }

    /** Whether the target is a class. */
    public boolean isClassification() {
        return classification;
    }

    /** The class whose probability partial dependence and explanations show (0 for regression). */
    public int targetClass() {
        return targetClass;
    }

    /** What the explained output is, in words: the target's name or "P(class)". */
    public String outputName() {
        return classification ? "P(" + learn.dls().vocab().get(targetClass) + ")" : "prediction";
    }

    /** The metric permutation importance worsens: "rmse" or "accuracy". */
    public String metricName() {
        return classification ? "accuracy" : "rmse";
    }

    /** The metric on the validation rows as they are. */
    public double baselineScore() {
        return score(baseOutputs, y);
    }

    // ---------------------------------------------------------------- permutation importance

    /**
     * Permutation importance of every input column, most important first: {@code repeats} shuffles of the
     * validation rows per column; the shuffles of each column come from {@code new Random(seed)}, so each column
     * sees the same permutations (as scikit-learn seeds each column alike).
     */
    public List<FeatureImportance> permutationImportance(int repeats, long seed) {
        if (repeats < 1) {
            throw new IllegalArgumentException("repeats must be at least 1, got " + repeats);
        }
        int n = x.length;
        double base = baselineScore();
        List<FeatureImportance> out = new ArrayList<>();
        for (String col : columns) {
            int[] pos = groups.get(col);
            Random r = new Random(seed);
            float[][] rows = new float[n * repeats][];
            for (int k = 0; k < repeats; k++) {
                int[] perm = permutation(n, r);
                for (int i = 0; i < n; i++) {
                    float[] v = x[i].clone();
                    for (int p : pos) {
                        v[p] = x[perm[i]][p];
                    }
                    rows[k * n + i] = v;
                }
            }
            float[][] o = outputs(rows);
            double[] drops = new double[repeats];
            for (int k = 0; k < repeats; k++) {
                double s = score(Arrays.copyOfRange(o, k * n, (k + 1) * n), y);
                drops[k] = classification ? base - s : s - base;
            }
            double mean = Arrays.stream(drops).average().orElse(0);
            double var = Arrays.stream(drops).map(d -> (d - mean) * (d - mean)).average().orElse(0);
            out.add(new FeatureImportance(col, mean, Math.sqrt(var), drops));
        }
        out.sort(Comparator.comparingDouble(FeatureImportance::importance).reversed());
        return out;
    }

    /** A uniformly random permutation of 0..n-1 (Fisher-Yates). */
    static int[] permutation(int n, Random r) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    // ---------------------------------------------------------------- partial dependence

    /**
     * Partial dependence on {@code column}: its categories (the {@code gridSize} most frequent in the validation
     * rows, in vocabulary order) or up to {@code gridSize} distinct quantiles of its validation values.
     */
    public PartialDependence partialDependence(String column, int gridSize) {
        int[] pos = groups.get(column);
        if (pos == null) {
            throw new IllegalArgumentException("no input column '" + column + "' (columns: " + columns + ")");
        }
        if (gridSize < 2) {
            throw new IllegalArgumentException("gridSize must be at least 2, got " + gridSize);
        }
        boolean cat = proc.inputCatNames().contains(column);
        List<String> labels = new ArrayList<>();
        List<float[]> settings = new ArrayList<>(); // the encoded values of the column's positions
        List<Double> xs = new ArrayList<>();
        int nc = proc.catNames().size();
        if (cat) {
            int j = pos[0];
            List<String> vocab = proc.categorify().vocab(column);
            int[] counts = new int[vocab.size()];
            for (float[] r : x) {
                counts[Math.round(r[j])]++;
            }
            List<Integer> codes = new ArrayList<>();
            for (int k = 1; k < vocab.size(); k++) {
                codes.add(k);
            }
            codes.sort(Comparator.comparingInt((Integer k) -> -counts[k]).thenComparingInt(k -> k));
            codes = new ArrayList<>(codes.subList(0, Math.min(gridSize, codes.size())));
            codes.sort(Integer::compare);
            for (int k : codes) {
                labels.add(vocab.get(k));
                settings.add(new float[] {k});
                xs.add(Double.NaN);
            }
        } else {
            int j = pos[0];
            String c = column;
            Normalize norm = proc.normalize();
            double mean = norm == null ? 0 : norm.means().get(c);
            double std = norm == null ? 1 : norm.stds().get(c);
            double[] raw = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                raw[i] = x[i][j] * std + mean;
            }
            Arrays.sort(raw);
            double prev = Double.NaN;
            for (int g = 0; g < gridSize; g++) {
                double q = quantile(raw, g / (double) (gridSize - 1));
                if (q == prev) {
                    continue;
                }
                prev = q;
                float[] s = new float[pos.length];
                s[0] = (float) ((q - mean) / std);
                if (pos.length > 1) {
                    s[1] = proc.categorify().code(c + "_na", "False");
                }
                labels.add(TabularProcessor.formatNumber(q));
                settings.add(s);
                xs.add(q);
            }
        }
        int n = x.length;
        float[][] rows = new float[n * settings.size()][];
        for (int g = 0; g < settings.size(); g++) {
            float[] s = settings.get(g);
            for (int i = 0; i < n; i++) {
                float[] v = x[i].clone();
                for (int k = 0; k < pos.length; k++) {
                    v[pos[k]] = s[k];
                }
                rows[g * n + i] = v;
            }
        }
        float[][] o = outputs(rows);
        double[] means = new double[settings.size()];
        for (int g = 0; g < settings.size(); g++) {
            double sum = 0;
            for (int i = 0; i < n; i++) {
                sum += o[g * n + i][targetClass];
            }
            means[g] = sum / n;
        }
        return new PartialDependence(column, cat, labels, xs.stream().mapToDouble(Double::doubleValue).toArray(),
                means);
    }

    /** numpy's default (linear) quantile of sorted values. */
    static double quantile(double[] sorted, double q) {
        double h = (sorted.length - 1) * q;
        int lo = (int) Math.floor(h);
        int hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }

    // ---------------------------------------------------------------- one prediction

    /** Explains validation row {@code i} (0-based among the validation rows). */
    public Explanation explain(int validRow, int samples, long seed) {
        if (validRow < 0 || validRow >= x.length) {
            throw new IndexOutOfBoundsException("validation row " + validRow + " of " + x.length);
        }
        return explainEncoded(x[validRow], samples, seed);
    }

    /**
     * Explains a new row (column to value, as for {@code predictRow}) with {@code samples} sampled column orders
     * and background rows; the same seed gives the same contributions.
     */
    public Explanation explain(Map<String, ?> row, int samples, long seed) {
        return explainEncoded(proc.encodeRows(List.of(new LinkedHashMap<>(row)))[0], samples, seed);
    }

    private Explanation explainEncoded(float[] row, int samples, long seed) {
        if (samples < 1) {
            throw new IllegalArgumentException("samples must be at least 1, got " + samples);
        }
        int g = columns.size();
        Random r = new Random(seed);
        int[][] orders = new int[samples][];
        float[][] chain = new float[samples * (g + 1)][];
        for (int s = 0; s < samples; s++) {
            float[] v = x[r.nextInt(x.length)].clone();
            orders[s] = permutation(g, r);
            chain[s * (g + 1)] = v.clone();
            for (int k = 0; k < g; k++) {
                for (int p : groups.get(columns.get(orders[s][k]))) {
                    v[p] = row[p];
                }
                chain[s * (g + 1) + k + 1] = v.clone();
            }
        }
        float[][] o = outputs(chain);
        int c = classification ? argmax(outputs(new float[][] {row})[0]) : 0;
        double[] phi = new double[g];
        double base = 0;
        for (int s = 0; s < samples; s++) {
            base += o[s * (g + 1)][c];
            for (int k = 0; k < g; k++) {
                phi[orders[s][k]] += o[s * (g + 1) + k + 1][c] - o[s * (g + 1) + k][c];
            }
        }
        double pred = o[g][c];
        Integer[] idx = new Integer[g];
        for (int k = 0; k < g; k++) {
            idx[k] = k;
        }
        Arrays.sort(idx, Comparator.comparingDouble((Integer k) -> -Math.abs(phi[k])));
        Map<String, Double> contrib = new LinkedHashMap<>();
        for (int k : idx) {
            contrib.put(columns.get(k), phi[k] / samples);
        }
        String what = classification ? "P(" + learn.dls().vocab().get(c) + ")" : "prediction";
        return new Explanation(what, pred, base / samples, contrib, proc.decodeRow(row), samples);
    }

    // ---------------------------------------------------------------- report

    /**
     * A {@link ReportSection} with the permutation importance of every column (table, and a bar chart with error
     * bars of the {@code topK} first, {@code importance.png}), partial dependence plots of the {@code topPdp} most
     * important columns ({@code pdp_<n>.png}) and the explanation of the first validation row
     * ({@code explanation.png}). Fixed settings: 5 shuffles with seed 42, grids of 20, 100 Shapley samples with
     * seed 42; {@link #permutationImportance(int, long)} with the same arguments gives the same numbers.
     */
    public ReportSection reportSection(Path dir, int topK, int topPdp) {
        List<FeatureImportance> imp = permutationImportance(5, 42);
        ReportSection.Builder b = ReportSection.builder("What drives the predictions");
        b.paragraph(String.format(Locale.ROOT, "Permutation importance on the %,d validation rows: how much the "
                + "validation %s %s when a column's values are shuffled among the rows (mean and standard deviation "
                + "of 5 shuffles, seed 42). Validation %s as is: %.5f.", x.length, metricName(),
                classification ? "drops" : "rises", metricName(), baselineScore()));
        List<FeatureImportance> top = imp.subList(0, Math.min(topK, imp.size()));
        b.image(Plots.barPlot(top.stream().map(FeatureImportance::column).toList(),
                top.stream().mapToDouble(FeatureImportance::importance).toArray(),
                top.stream().mapToDouble(FeatureImportance::std).toArray(),
                "Permutation importance (top " + top.size() + ")", metricName() + (classification ? " drop" : " rise"),
                dir.resolve("importance.png")), "permutation importance");
        List<List<String>> rows = new ArrayList<>();
        for (int i = 0; i < imp.size(); i++) {
            FeatureImportance f = imp.get(i);
            rows.add(List.of(Integer.toString(i + 1), f.column(), fmt(f.importance()), fmt(f.std())));
        }
        b.table(List.of("rank", "column", "importance", "std"), rows);
        b.subtitle("Partial dependence");
        b.paragraph("The mean " + outputName() + " over the validation rows when one column is set to each value, "
                + "the other columns as they are, for the " + Math.min(topPdp, imp.size()) + " most important columns.");
        for (int i = 0; i < Math.min(topPdp, imp.size()); i++) {
            PartialDependence pd = partialDependence(imp.get(i).column(), 20);
            Path png = dir.resolve("pdp_" + (i + 1) + ".png");
            if (pd.categorical()) {
                Plots.barPlot(pd.labels(), pd.mean(), null, "Partial dependence on " + pd.column(), outputName(), png);
            } else {
                Plots.linePlot(pd.xs(), pd.mean(), "Partial dependence on " + pd.column(), pd.column(), outputName(), png);
            }
            b.image(png, "partial dependence on " + pd.column());
        }
        Explanation e = explain(0, 100, 42);
        b.subtitle("One prediction explained");
        b.paragraph(String.format(Locale.ROOT, "The first validation row: %s %.5f against a mean of %.5f over the "
                + "background rows. Contributions by Shapley sampling (100 random column orders and background rows "
                + "from the validation set, seed 42); they add up to the difference, %.5f.", e.output(),
                e.prediction(), e.baseline(), e.prediction() - e.baseline()));
        List<String> names = new ArrayList<>(e.contributions().keySet()).subList(0, Math.min(topK,
                e.contributions().size()));
        b.image(Plots.barPlot(names, names.stream().mapToDouble(e.contributions()::get).toArray(), null,
                "Contributions to one prediction (top " + names.size() + ")", "contribution",
                dir.resolve("explanation.png")), "contributions to one prediction");
        List<List<String>> er = new ArrayList<>();
        e.contributions().forEach((col, v) -> er.add(List.of(col, e.row().getOrDefault(col, ""), fmt(v))));
        b.table(List.of("column", "value", "contribution"), er.subList(0, Math.min(topK, er.size())));
        return b.build();
    }

    static String fmt(double v) {
        return String.format(Locale.ROOT, "%.5f", v);
    }

    // ---------------------------------------------------------------- model

    /** The activated outputs (probabilities or value) of encoded rows, in evaluation mode. */
    float[][] outputs(float[][] rows) {
        Module model = learn.model();
        boolean wasTraining = model.isTraining();
        model.eval();
        int w = rows.length == 0 ? 0 : rows[0].length;
        float[][] out = new float[rows.length][];
        try {
            for (int from = 0; from < rows.length; from += BATCH) {
                int n = Math.min(BATCH, rows.length - from);
                float[] flat = new float[n * w];
                for (int i = 0; i < n; i++) {
                    System.arraycopy(rows[from + i], 0, flat, i * w, w);
                }
                try (NDManager m = learn.manager().newSubManager()) {
                    NDArray xb = m.create(flat, new Shape(n, w));
                    Batch b = new Batch(List.of(xb), List.of(TensorKind.OTHER), List.of(), List.of());
                    for (BatchTransform t : learn.dls().batchTransforms()) {
                        b = t.encode(b, Split.VALID);
                    }
                    NDArray act = learn.lossFunction().activation(model.forward(b.xb()));
                    float[] a = act.toFloatArray();
                    int k = a.length / n;
                    for (int i = 0; i < n; i++) {
                        out[from + i] = Arrays.copyOfRange(a, i * k, (i + 1) * k);
                    }
                }
            }
        } finally {
            model.train(wasTraining);
        }
        return out;
    }

    private double score(float[][] out, double[] target) {
        if (classification) {
            int ok = 0;
            for (int i = 0; i < out.length; i++) {
                if (argmax(out[i]) == (int) target[i]) {
                    ok++;
                }
            }
            return ok / (double) out.length;
        }
        double s = 0;
        for (int i = 0; i < out.length; i++) {
            double d = out[i][0] - target[i];
            s += d * d;
        }
        return Math.sqrt(s / out.length);
    }

    private static int argmax(float[] v) {
        int b = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[b]) {
                b = i;
            }
        }
        return b;
    }

    private static int argmax(int[] v) {
        int b = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[b]) {
                b = i;
            }
        }
        return b;
    }

    /** The encoded positions of each input column: its own, and its {@code _na} indicator's if FillMissing added one. */
    static Map<String, int[]> groupsOf(TabularProcessor proc, List<String> columns) {
        List<String> cats = proc.catNames();
        List<String> conts = proc.contNames();
        Map<String, int[]> out = new HashMap<>();
        for (String c : columns) {
            List<Integer> pos = new ArrayList<>();
            if (cats.contains(c)) {
                pos.add(cats.indexOf(c));
            } else {
                pos.add(cats.size() + conts.indexOf(c));
                if (cats.contains(c + "_na") && !proc.inputCatNames().contains(c + "_na")) {
                    pos.add(cats.indexOf(c + "_na"));
                }
            }
            out.put(c, pos.stream().mapToInt(Integer::intValue).toArray());
        }
        return out;
    }
}

package ai.fastai4j.cli;

import ai.fastai4j.data.DataException;
import ai.fastai4j.data.Splitters;
import ai.fastai4j.learner.Learner;
import ai.fastai4j.learner.SuggestedLrs;
import ai.fastai4j.metrics.Metric;
import ai.fastai4j.metrics.Metrics;
import ai.fastai4j.tabular.Categorify;
import ai.fastai4j.tabular.FillMissing;
import ai.fastai4j.tabular.Normalize;
import ai.fastai4j.tabular.Table;
import ai.fastai4j.tabular.TabularConfig;
import ai.fastai4j.tabular.TabularDataLoaders;
import ai.fastai4j.tabular.TabularLearner;
import ai.fastai4j.tabular.TabularLearners;
import ai.fastai4j.tabular.TabularProc;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import picocli.CommandLine;

/**
 * Builds the tabular loaders and learner of the command line from a CSV file and {@link TabularOptions}. Columns
 * named on the command line that the file lacks are usage errors (exit 2); a file that cannot be read, a target with
 * one class or a non-numeric regression target are data errors (exit 3).
 */
final class TabularSetup {
    private TabularSetup() {}

    /** The data, the task it was given or inferred, and the regression y_range (null for none or classification). */
    record Data(TabularDataLoaders dls, boolean regression, double[] yRange) implements AutoCloseable {
        @Override
        public void close() {
            dls.close();
        }
    }

    static Data load(Path csv, TabularOptions t, Double validPct, String validCol, int bs, long seed,
            CommandLine cmd) {
        if (t.y == null) {
            throw new CommandLine.ParameterException(cmd, "a table needs its target column: --y COL");
        }
        Table table = Table.readCsv(csv);
        if (table.nRows() == 0) {
            throw new DataException(csv + " has no rows");
        }
        List<String> named = new ArrayList<>();
        named.add(t.y);
        if (t.cat != null) {
            named.addAll(t.cat);
        }
        if (t.cont != null) {
            named.addAll(t.cont);
        }
        if (validCol != null) {
            named.add(validCol);
        }
        for (String c : named) {
            if (!table.hasColumn(c)) {
                throw new CommandLine.ParameterException(cmd, csv + " has no column '" + c + "' (columns: "
                        + table.columns() + ")");
            }
        }
        if (validPct != null && validCol != null) {
            throw new CommandLine.ParameterException(cmd, "give --valid-pct or --valid-col, not both");
        }
        String[] target = table.column(t.y);
        int missing = 0;
        Set<String> distinct = new LinkedHashSet<>();
        boolean numeric = true;
        for (String v : target) {
            if (v == null) {
                missing++;
            } else {
                distinct.add(v);
                numeric &= isNumber(v);
            }
        }
        if (missing > 0) {
            throw new DataException(csv + ": target column '" + t.y + "' is missing in " + missing + " rows (every "
                    + "row needs a target)");
        }
        boolean regression = switch (t.task.toLowerCase(Locale.ROOT)) {
            case "auto" -> numeric && distinct.size() > t.maxCard;
            case "regression" -> true;
            case "classification" -> false;
            default -> throw new CommandLine.ParameterException(cmd, "--task must be auto, regression or "
                    + "classification, got '" + t.task + "'");
        };
        if (regression && !numeric) {
            throw new DataException(csv + ": target column '" + t.y + "' has values that are not numbers (e.g. '"
                    + distinct.stream().filter(v -> !isNumber(v)).findFirst().orElse("") + "'): a regression target "
                    + "must be numeric");
        }
        if (!regression && distinct.size() < 2) {
            throw new DataException(csv + ": target column '" + t.y + "' has one class only (" + distinct + "): "
                    + "a classifier needs at least two");
        }
        if (t.logY) {
            if (!regression) {
                throw new CommandLine.ParameterException(cmd, "--log-y applies to regression only");
            }
            for (int i = 0; i < target.length; i++) {
                if (!(Double.parseDouble(target[i].trim()) > 0)) {
                    throw new DataException(csv + " row " + (i + 1) + ": --log-y needs positive targets, '" + t.y
                            + "' is " + target[i]);
                }
            }
            table = table.withDoubleColumn(t.y, t.y, Math::log);
        }
        Set<String> exclude = new HashSet<>(List.of(t.y));
        TabularDataLoaders.Builder b = TabularDataLoaders.fromTable(table).yNames(t.y)
                .yBlock(regression ? TabularDataLoaders.YBlock.REGRESSION : TabularDataLoaders.YBlock.CATEGORY)
                .procs(procs(t.procs, cmd)).maxCard(t.maxCard).batchSize(bs).seed(seed);
        if (validCol != null) {
            exclude.add(validCol);
            b.validIdx(validRows(table, validCol));
        } else {
            b.validPct(validPct == null ? 0.2 : validPct);
        }
        List<String> cats = t.cat;
        List<String> conts = t.cont;
        if (cats == null && conts == null) {
            String[] deps = exclude.toArray(String[]::new);
            Table.ContCatSplit s = table.contCatSplit(t.maxCard, deps);
            cats = s.catNames();
            conts = s.contNames();
        } else {
            Set<String> used = new HashSet<>(exclude);
            used.addAll(cats == null ? List.of() : cats);
            used.addAll(conts == null ? List.of() : conts);
            List<String> rest = table.columns().stream().filter(c -> !used.contains(c)).toList();
            cats = cats == null ? rest : cats;
            conts = conts == null ? rest : conts;
        }
        b.catNames(cats).contNames(conts);
        TabularDataLoaders dls;
        try {
            dls = b.build();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cmd, e.getMessage());
        }
        try {
            double[] yRange = regression
                    ? yRange(t.yRange, table.column(t.y), dls.dls().datasets().split().train(), cmd) : null;
            return new Data(dls, regression, yRange);
        } catch (RuntimeException e) {
            dls.close();
            throw e;
        }
    }

    /** Rows whose cell in {@code col} is true, 1, yes or valid (case-insensitive) validate. */
    static int[] validRows(Table table, String col) {
        String[] v = table.column(col);
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < v.length; i++) {
            String s = v[i] == null ? "" : v[i].trim().toLowerCase(Locale.ROOT);
            if (s.equals("true") || s.equals("1") || s.equals("yes") || s.equals("valid")) {
                idx.add(i);
            }
        }
        if (idx.isEmpty()) {
            throw new DataException(table.source() + ": no row is marked for validation in column '" + col
                    + "' (true, 1, yes or valid)");
        }
        if (idx.size() == v.length) {
            throw new DataException(table.source() + ": every row is marked for validation in column '" + col + "'");
        }
        return idx.stream().mapToInt(Integer::intValue).toArray();
    }

    /** auto: the training targets' range widened by 5% of it on each side; none; or "low,high". */
    static double[] yRange(String spec, String[] y, int[] trainIdx, CommandLine cmd) {
        String s = spec.trim().toLowerCase(Locale.ROOT);
        if (s.equals("none")) {
            return null;
        }
        if (!s.equals("auto")) {
            String[] p = s.split(",");
            try {
                if (p.length == 2) {
                    double lo = Double.parseDouble(p[0]);
                    double hi = Double.parseDouble(p[1]);
                    if (lo < hi) {
                        return new double[] {lo, hi};
                    }
                }
            } catch (NumberFormatException e) {
                // below
            }
            throw new CommandLine.ParameterException(cmd, "--y-range must be auto, none or LOW,HIGH with LOW < HIGH, got '"
                    + spec + "'");
        }
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (int i : trainIdx) {
            double v = Double.parseDouble(y[i].trim());
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        double pad = Math.max(0.05 * (hi - lo), 1e-3 * Math.max(1, Math.abs(hi)));
        return new double[] {lo - pad, hi + pad};
    }

    static TabularProc[] procs(List<String> names, CommandLine cmd) {
        List<TabularProc> out = new ArrayList<>();
        for (String n : names) {
            switch (n.trim().toLowerCase(Locale.ROOT)) {
                case "fillmissing" -> out.add(new FillMissing());
                case "categorify" -> out.add(new Categorify());
                case "normalize" -> out.add(new Normalize());
                case "", "none" -> { }
                default -> throw new CommandLine.ParameterException(cmd, "unknown proc '" + n
                        + "' (known: FillMissing, Categorify, Normalize)");
            }
        }
        return out.toArray(TabularProc[]::new);
    }

    static List<Metric> metrics(List<String> names, boolean regression, CommandLine cmd) {
        List<Metric> out = new ArrayList<>();
        List<String> ns = names == null || names.isEmpty() ? List.of(regression ? "rmse" : "accuracy") : names;
        for (String n : ns) {
            out.add(switch (n.trim().toLowerCase(Locale.ROOT)) {
                case "accuracy" -> Metrics.accuracy();
                case "error_rate" -> Metrics.errorRate();
                case "f1" -> Metrics.f1();
                case "f1_macro" -> Metrics.f1Macro();
                case "rmse" -> Metrics.rmse();
                case "mae" -> Metrics.mae();
                case "r2" -> Metrics.r2();
                default -> throw new CommandLine.ParameterException(cmd, "unknown metric '" + n + "' (known: accuracy, "
                        + "error_rate, f1, f1_macro, rmse, mae, r2)");
            });
            boolean forRegression = Set.of("rmse", "mae", "r2").contains(n.trim().toLowerCase(Locale.ROOT));
            if (forRegression != regression) {
                throw new CommandLine.ParameterException(cmd, "metric '" + n + "' does not fit a "
                        + (regression ? "regression" : "classification") + " target");
            }
        }
        return out;
    }

    static TabularLearner learner(Data d, TabularOptions t, List<Metric> metrics, Consumer<Learner.Builder> configure) {
        TabularConfig cfg = TabularConfig.defaults();
        if (d.yRange() != null) {
            cfg = cfg.withYRange(d.yRange()[0], d.yRange()[1]);
        }
        TabularLearner learn = TabularLearners.create(d.dls(), t.layers, cfg, Map.of(), configure,
                metrics.toArray(Metric[]::new));
        learn.provenance().put("target", t.y);
        learn.provenance().put("target_transform", t.logY ? "log" : "none");
        return learn;
    }

    /**
     * The learning rate {@code --lr auto} picks for a table: lr_find's {@code minimum} suggestion (the rate at the
     * lowest smoothed loss, divided by 10: fastai's former {@code lr_min}), or its valley when that is higher. The
     * valley alone is cautious on tables: on Ames it gave a log-price RMSE of 0.169-0.176 in 10 epochs against
     * 0.128-0.145 at the minimum suggestion and 0.128-0.143 at 1e-2 (bench/tabular/README.md, lr_study.py).
     */
    static double autoLr(SuggestedLrs s) {
        return Math.max(s.valley(), s.minimum());
    }

    static boolean isNumber(String v) {
        try {
            double d = Double.parseDouble(v.trim());
            return !Double.isNaN(d);
        } catch (NumberFormatException e) {
            return false;
        }
    }
}

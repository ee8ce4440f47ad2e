package ai.fastai4j.cli;

import ai.djl.engine.Engine;
import ai.fastai4j.export.ModelExport;
import ai.fastai4j.interpret.TrainingReport;
import ai.fastai4j.learner.SuggestedLrs;
import ai.fastai4j.plot.Plots;
import ai.fastai4j.tabular.TabularInterpretation;
import ai.fastai4j.tabular.TabularLearner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code fastai4j train-tabular}: a tabular model from a CSV file, exported with its report. */
@Command(name = "train-tabular", mixinStandardHelpOptions = true,
        description = {"Train fastai's tabular model on a CSV file with fit_one_cycle, then export it (model.fai) and "
                + "write report.html next to it: epochs, plots, permutation importance with error bars, partial "
                + "dependence of the top columns and one prediction explained.",
            "Regression when the target is numeric with more than --max-card distinct values, classification "
                + "otherwise (--task overrides). Columns named here that the file lacks: exit 2; a file that cannot "
                + "be read, a target with one class or missing targets: exit 3."})
final class TrainTabularCommand implements Callable<Integer> {
    @Option(names = "--csv", required = true, paramLabel = "FILE", description = "CSV file with a header row.")
    Path csv;

    @Mixin
    TabularOptions tab;

    @Option(names = "--valid-pct", description = "Share of rows for validation, at random (default: 0.2).")
    Double validPct;

    @Option(names = "--valid-col", paramLabel = "COL",
            description = "Column marking validation rows (true, 1, yes or valid); not an input.")
    String validCol;

    @Option(names = "--epochs", defaultValue = "5", description = "Epochs of one-cycle training (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--lr", defaultValue = "auto",
            description = "Maximum learning rate, or 'auto': lr_find, then the table rule: its 'minimum' suggestion "
                    + "(the rate at the lowest loss / 10), or its valley if higher (default: ${DEFAULT-VALUE}).")
    String lr;

    @Option(names = "--wd", defaultValue = "0.01", description = "Weight decay (default: ${DEFAULT-VALUE}).")
    double wd;

    @Option(names = "--metric", split = ",", paramLabel = "NAME",
            description = "Metrics: accuracy, error_rate, f1, f1_macro (classification), rmse, mae, r2 (regression); "
                    + "default accuracy or rmse.")
    List<String> metric;

    @Option(names = "--bs", defaultValue = "64", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the split, shuffling and weights (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", defaultValue = "model", paramLabel = "DIR",
            description = "Folder for model.fai, report.html and the plots (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--no-report", description = "Skip report.html.")
    boolean noReport;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (epochs < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--epochs must be at least 1");
        }
        Files.createDirectories(out);
        Engine.getInstance().setRandomSeed((int) seed);
        try (TabularSetup.Data d = TabularSetup.load(csv, tab, validPct, validCol, batchSize, seed, spec.commandLine());
                TabularLearner learn = TabularSetup.learner(d, tab, TabularSetup.metrics(metric, d.regression(),
                        spec.commandLine()), b -> b.path(out).wd(wd))) {
            System.out.printf(Locale.ROOT, "%d training and %d validation rows; %s; %d categorical %s, %d continuous %s%n",
                    d.dls().dls().train().numItems(), d.dls().dls().valid().numItems(),
                    d.regression() ? "regression on " + (tab.logY ? "log(" + tab.y + ")" : tab.y)
                            + (d.yRange() == null ? "" : String.format(Locale.ROOT, ", y_range (%.4g, %.4g)",
                                    d.yRange()[0], d.yRange()[1]))
                            : "classification of " + tab.y + " " + d.dls().vocab(),
                    d.dls().catNames().size(), d.dls().catNames(), d.dls().contNames().size(), d.dls().contNames());
            double lrMax = resolveLr(learn, lr, out, spec.commandLine());
            learn.provenance().put("lr", lrMax);
            learn.fitOneCycle(epochs, lrMax);
            checkFinite(learn);
            Path model = out.resolve("model.fai");
            ModelExport.export(learn, model);
            System.out.println("exported model: " + model + " (use: fastai4j predict " + model + " ROWS.csv)");
            if (!noReport && d.dls().dls().valid().numItems() > 0) {
                TabularInterpretation interp = TabularInterpretation.fromLearner(learn);
                printImportance(interp);
                System.out.println("report: " + TrainingReport.builder(learn).title("Training report: " + tab.y)
                        .section(interp.reportSection(out, 10, 3)).build().write(out));
            }
        }
        return 0;
    }

    static void printImportance(TabularInterpretation interp) {
        List<TabularInterpretation.FeatureImportance> imp = interp.permutationImportance(5, 42);
        System.out.printf(Locale.ROOT, "permutation importance (%s %s when shuffled, 5 repeats):%n",
                interp.metricName(), interp.isClassification() ? "drop" : "rise");
        for (TabularInterpretation.FeatureImportance f : imp.subList(0, Math.min(10, imp.size()))) {
            System.out.printf(Locale.ROOT, "  %-24s %.5f +- %.5f%n", f.column(), f.importance(), f.std());
        }
    }

    /** A diverged training exports nothing. */
    static void checkFinite(ai.fastai4j.learner.Learner learn) {
        List<List<Double>> v = learn.recorder().values();
        if (v.isEmpty()) {
            return;
        }
        for (double x : v.get(v.size() - 1)) {
            if (!Double.isFinite(x)) {
                throw new IllegalStateException("training diverged (a loss or metric is " + x + "): nothing exported; "
                        + "try a smaller --lr");
            }
        }
    }

    /** Parses {@code --lr}; "auto" runs lr_find and applies the table rule ({@link TabularSetup#autoLr}). */
    static double resolveLr(ai.fastai4j.learner.Learner learn, String lr, Path out, CommandLine cmd) {
        if (!"auto".equalsIgnoreCase(lr)) {
            try {
                double v = Double.parseDouble(lr);
                if (v > 0 && Double.isFinite(v)) {
                    return v;
                }
            } catch (NumberFormatException e) {
                // below
            }
            throw new CommandLine.ParameterException(cmd, "--lr must be a positive number or 'auto', got '" + lr + "'");
        }
        SuggestedLrs s = learn.lrFind();
        Path plot = Plots.lrFindPlot(s.lrs(), s.losses(), s.asMap(), out.resolve("lr_find.png"));
        double pick = TabularSetup.autoLr(s);
        System.out.printf(Locale.ROOT, "%s%nlr_find plot: %s%n--lr auto: %.3g (table rule)%n", s, plot, pick);
        return pick;
    }
}

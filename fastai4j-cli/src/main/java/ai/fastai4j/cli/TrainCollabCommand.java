package ai.fastai4j.cli;

import ai.djl.engine.Engine;
import ai.fastai4j.collab.CollabDataLoaders;
import ai.fastai4j.collab.CollabLearner;
import ai.fastai4j.collab.CollabLearners;
import ai.fastai4j.data.DataException;
import ai.fastai4j.export.ModelExport;
import ai.fastai4j.interpret.ReportSection;
import ai.fastai4j.interpret.TrainingReport;
import ai.fastai4j.metrics.Metrics;
import ai.fastai4j.tabular.Table;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code fastai4j train-collab}: collaborative filtering (fastai's collab_learner) on a CSV of ratings. */
@Command(name = "train-collab", mixinStandardHelpOptions = true,
        description = {"Train fastai's EmbeddingDotBias on (user, item, rating) rows with fit_one_cycle, export it "
                + "(model.fai) and write report.html: epochs, plots, the items with the highest and lowest bias and "
                + "the principal components of the item factors, as in fastbook's collab chapter.",
            "Columns the file lacks: exit 2; a file that cannot be read or ratings that are not numbers: exit 3."})
final class TrainCollabCommand implements Callable<Integer> {
    @Option(names = "--csv", required = true, paramLabel = "FILE", description = "CSV file of ratings with a header row.")
    Path csv;

    @Option(names = "--user", required = true, paramLabel = "COL", description = "User column.")
    String user;

    @Option(names = "--item", required = true, paramLabel = "COL", description = "Item column.")
    String item;

    @Option(names = "--rating", required = true, paramLabel = "COL", description = "Rating column (numbers).")
    String rating;

    @Option(names = "--title-col", paramLabel = "COL", description = "Column naming the items in the report (e.g. title).")
    String titleCol;

    @Option(names = "--n-factors", defaultValue = "50", description = "Latent factors (default: ${DEFAULT-VALUE}).")
    int nFactors;

    @Option(names = "--y-range", defaultValue = "auto", paramLabel = "auto|none|LOW,HIGH",
            description = "Output range. auto: (min(0, lowest rating), 1.1 x highest rating), fastai's (0, 5.5) "
                    + "for 0.5-5 stars (default: ${DEFAULT-VALUE}).")
    String yRange;

    @Option(names = "--epochs", defaultValue = "5", description = "Epochs of one-cycle (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--lr", defaultValue = "5e-3", description = "Maximum learning rate, or 'auto' for lr_find's "
            + "valley (default: ${DEFAULT-VALUE}, fastbook's).")
    String lr;

    @Option(names = "--wd", defaultValue = "0.1", description = "Weight decay (default: ${DEFAULT-VALUE}, fastbook's).")
    double wd;

    @Option(names = "--valid-pct", defaultValue = "0.2", description = "Share of ratings for validation (default: ${DEFAULT-VALUE}).")
    double validPct;

    @Option(names = "--min-ratings", defaultValue = "20",
            description = "Report biases and components of items with at least this many training ratings (default: ${DEFAULT-VALUE}).")
    int minRatings;

    @Option(names = "--bs", defaultValue = "64", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the split, shuffling and weights (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", defaultValue = "model", paramLabel = "DIR", description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        CommandLine cmd = spec.commandLine();
        if (nFactors < 1 || epochs < 1) {
            throw new CommandLine.ParameterException(cmd, "--n-factors and --epochs must be at least 1");
        }
        Table table = Table.readCsv(csv);
        for (String c : titleCol == null ? List.of(user, item, rating) : List.of(user, item, rating, titleCol)) {
            if (!table.hasColumn(c)) {
                throw new CommandLine.ParameterException(cmd, csv + " has no column '" + c + "' (columns: "
                        + table.columns() + ")");
            }
        }
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        String[] r = table.column(rating);
        for (int i = 0; i < r.length; i++) {
            if (r[i] == null || !TabularSetup.isNumber(r[i])) {
                throw new DataException(csv + " row " + (i + 1) + ": rating '" + rating + "' is "
                        + (r[i] == null ? "missing" : "'" + r[i] + "', not a number"));
            }
            double v = Double.parseDouble(r[i].trim());
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        double[] range = range(yRange, lo, hi, cmd);
        Files.createDirectories(out);
        Engine.getInstance().setRandomSeed((int) seed);
        try (CollabDataLoaders dls = CollabDataLoaders.fromTable(table).userName(user).itemName(item).ratingName(rating)
                .validPct(validPct).seed(seed).batchSize(batchSize).build();
                CollabLearner learn = CollabLearners.create(dls, nFactors, range, false, b -> b.wd(wd).path(out),
                        Metrics.rmse())) {
            System.out.printf(Locale.ROOT, "%d training and %d validation ratings, %d users, %d items; y_range %s%n",
                    dls.dls().train().numItems(), dls.dls().valid().numItems(), dls.users().size() - 1,
                    dls.items().size() - 1, range == null ? "none" : "(" + range[0] + ", " + range[1] + ")");
            double lrMax = TrainCommand.resolveLr(learn, lr, out);
            learn.provenance().put("target", rating);
            learn.provenance().put("lr", lrMax);
            learn.fitOneCycle(epochs, lrMax);
            TrainTabularCommand.checkFinite(learn);
            Path model = out.resolve("model.fai");
            ModelExport.export(learn, model);
            System.out.println("exported model: " + model + " (use: fastai4j recommend " + model + " --user U)");
            Map<String, String> titles = titles(table);
            ReportSection s = section(learn, titles, minRatings);
            s.parts().stream().filter(p -> p instanceof ReportSection.Table).findFirst()
                    .ifPresent(p -> printTable("items by bias", (ReportSection.Table) p));
            System.out.println("report: " + TrainingReport.builder(learn).title("Collaborative filtering: " + rating)
                    .section(s).build().write(out));
        }
        return 0;
    }

    static double[] range(String spec, double lo, double hi, CommandLine cmd) {
        String s = spec.trim().toLowerCase(Locale.ROOT);
        if (s.equals("none")) {
            return null;
        }
        if (s.equals("auto")) {
            double high = hi > 0 ? 1.1 * hi : hi + 0.1 * (hi - lo) + 1e-3;
            return new double[] {Math.min(0, lo), high};
        }
        String[] p = s.split(",");
        try {
            if (p.length == 2 && Double.parseDouble(p[0]) < Double.parseDouble(p[1])) {
                return new double[] {Double.parseDouble(p[0]), Double.parseDouble(p[1])};
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new CommandLine.ParameterException(cmd, "--y-range must be auto, none or LOW,HIGH with LOW < HIGH, got '"
                + spec + "'");
    }

    private Map<String, String> titles(Table table) {
        Map<String, String> t = new HashMap<>();
        if (titleCol != null) {
            String[] ids = table.column(item);
            String[] names = table.column(titleCol);
            for (int i = 0; i < ids.length; i++) {
                if (ids[i] != null && names[i] != null) {
                    t.putIfAbsent(ids[i], names[i]);
                }
            }
        }
        return t;
    }

    /** Biases (highest and lowest 10) and the first three principal components of the item factors. */
    static ReportSection section(CollabLearner learn, Map<String, String> titles, int minRatings) {
        ReportSection.Builder b = ReportSection.builder("Items");
        List<CollabLearner.Scored> biases = learn.itemBiases(minRatings);
        b.paragraph(String.format(Locale.ROOT, "Item biases of the %,d items with at least %d training ratings: "
                + "the highest are liked more than their users' tastes predict, the lowest less.", biases.size(),
                minRatings));
        List<List<String>> rows = new ArrayList<>();
        int k = Math.min(10, biases.size());
        for (int i = 0; i < k; i++) {
            rows.add(List.of("highest " + (i + 1), name(biases.get(i).key(), titles), fmt(biases.get(i).score())));
        }
        for (int i = 0; i < k; i++) {
            CollabLearner.Scored s = biases.get(biases.size() - 1 - i);
            rows.add(List.of("lowest " + (i + 1), name(s.key(), titles), fmt(s.score())));
        }
        b.table(List.of("rank", "item", "bias"), rows);
        if (biases.size() >= 3) {
            int nc = Math.min(3, biases.size() - 1);
            List<List<CollabLearner.Scored>> pcs = learn.itemFactorComponents(nc, minRatings);
            b.subtitle("Principal components of the item factors");
            b.paragraph("The items at each end of the first " + nc + " principal components of the item factors "
                    + "(same items as above): what a direction of taste separates.");
            List<List<String>> pr = new ArrayList<>();
            for (int c = 0; c < pcs.size(); c++) {
                List<CollabLearner.Scored> pc = pcs.get(c);
                int m = Math.min(5, pc.size());
                for (int i = 0; i < m; i++) {
                    pr.add(List.of("PC" + (c + 1), "+" + (i + 1), name(pc.get(i).key(), titles), fmt(pc.get(i).score())));
                }
                for (int i = 0; i < m; i++) {
                    CollabLearner.Scored s = pc.get(pc.size() - 1 - i);
                    pr.add(List.of("PC" + (c + 1), "-" + (i + 1), name(s.key(), titles), fmt(s.score())));
                }
            }
            b.table(List.of("component", "end", "item", "coordinate"), pr);
        }
        return b.build();
    }

    static String name(String key, Map<String, String> titles) {
        String t = titles.get(key);
        return t == null ? key : key + " " + t;
    }

    static String fmt(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }

    static void printTable(String title, ReportSection.Table t) {
        System.out.println(title + ":");
        for (List<String> r : t.rows()) {
            System.out.println("  " + String.join("  ", r));
        }
    }
}

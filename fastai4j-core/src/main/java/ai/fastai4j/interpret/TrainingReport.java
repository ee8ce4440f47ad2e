package ai.fastai4j.interpret;

import ai.fastai4j.data.CategoryBlock;
import ai.fastai4j.data.Datasets;
import ai.fastai4j.data.ImageRenderer;
import ai.fastai4j.io.AtomicFiles;
import ai.fastai4j.learner.Learner;
import ai.fastai4j.learner.Recorder;
import ai.fastai4j.learner.SuggestedLrs;
import ai.fastai4j.plot.EpochTable;
import ai.fastai4j.plot.Plots;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A self-contained HTML page about a learner, written next to its model: the epoch table of the last fit, the loss
 * and schedule plots, the lr_find plot when one ran, for a single-label classification the confusion matrix, the
 * most confused classes, the classification report, the top losses and a grid of results (images only), and the
 * model summary. The page links its PNGs by relative name and loads nothing else: no scripts, no external files.
 *
 * <pre>{@code
 * Path page = TrainingReport.builder(learn).build().write(Path.of("runs/pets"));  // runs/pets/report.html
 * }</pre>
 */
public final class TrainingReport {
    /** The page's file name. */
    public static final String FILE_NAME = "report.html";

    private final Learner learn;
    private final String title;
    private final ClassificationInterpretation interpretation;
    private final int topLosses;
    private final int results;
    private final boolean summary;
    private final Map<String, Object> facts;
    private final List<ReportSection> sections;

    private final int refreshSeconds;
    private final boolean trainingOnly;

    private TrainingReport(Builder b) {
        this.learn = b.learn;
        this.title = b.title;
        this.interpretation = b.interpretation;
        this.topLosses = b.topLosses;
        this.results = b.results;
        this.summary = b.summary;
        this.facts = new LinkedHashMap<>(b.facts);
        this.sections = List.copyOf(b.sections);
        this.refreshSeconds = b.refreshSeconds;
        this.trainingOnly = b.trainingOnly;
    }

    /** Starts configuring a report on {@code learn}. */
    public static Builder builder(Learner learn) {
        return new Builder(learn);
    }

    /**
     * Writes {@value #FILE_NAME} and its PNGs into {@code dir} (created if missing; files of the same names are
     * replaced) and returns the page's path.
     */
    public Path write(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir + ": " + e.getMessage(), e);
        }
        Html h = new Html(title, refreshSeconds);
        Datasets<?> ds = learn.dls().datasets();
        h.p(String.format(Locale.ROOT, "%s, %,d parameters. Data: %,d training and %,d validation items%s.",
                learn.model().typeName(), learn.model().parameterCount(), ds.split().train().length,
                ds.split().valid().length, learn.dls().vocab().isEmpty() ? ""
                        : ", " + learn.dls().vocab().size() + " classes: " + String.join(", ", learn.dls().vocab())));
        if (!facts.isEmpty()) {
            h.h2("About this model");
            List<List<String>> rows = new ArrayList<>();
            facts.forEach((k, v) -> rows.add(List.of(k, String.valueOf(v))));
            h.table(List.of("", ""), rows, false);
        }
        training(h, dir);
        learn.lrFindResult().ifPresent(s -> lrFind(h, dir, s));
        ClassificationInterpretation interp = interpretation != null ? interpretation
                : trainingOnly ? null : autoInterpretation();
        if (interp != null) {
            classification(h, dir, interp);
        }
        if (isSegmentation()) {
            segmentation(h, dir);
        }
        if (results > 0 && canShowResults()) {
            h.h2("Results");
            h.p("Validation items with their target and, below it, the prediction: green when right, red when wrong.");
            h.img(learn.showResults(results, dir.resolve("results.png")), "results");
        }
        sections.forEach(h::section);
        if (summary) {
            h.h2("Model");
            h.pre(learn.summary().toString());
        }
        Path page = dir.resolve(FILE_NAME);
        try {
            AtomicFiles.write(page, h.finish().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + page + ": " + e.getMessage(), e);
        }
        return page;
    }

    private void training(Html h, Path dir) {
        h.h2("Training");
        Recorder r = learn.hasCallback(Recorder.class) ? learn.recorder() : null;
        if (r == null || r.values().isEmpty()) {
            h.p("No training was recorded in this session.");
            return;
        }
        List<String> cols = r.metricNames(learn);
        List<List<String>> rows = new ArrayList<>();
        for (int e = 0; e < r.values().size(); e++) {
            List<String> row = new ArrayList<>();
            row.add(Integer.toString(e));
            for (int c = 0; c < r.values().get(e).size(); c++) {
                row.add(EpochTable.formatValue(cols.get(c + 1), r.values().get(e).get(c)));
            }
            row.add(EpochTable.formatTime(r.epochSeconds().get(e)));
            rows.add(row);
        }
        h.table(cols, rows, true);
        if (!r.losses().isEmpty()) {
            h.img(r.plotLoss(dir.resolve("loss.png")), "training and validation loss");
        }
        if (!r.lrs().isEmpty()) {
            h.p("Learning rate and momentum schedule (last parameter group):");
            h.img(r.plotSchedule(dir.resolve("schedule.png")), "learning rate and momentum schedule");
        }
    }

    private static void lrFind(Html h, Path dir, SuggestedLrs s) {
        h.h2("Learning rate finder");
        h.img(Plots.lrFindPlot(s.lrs(), s.losses(), s.asMap(), dir.resolve("lr_find.png")), "lr_find");
        List<List<String>> rows = new ArrayList<>();
        s.asMap().forEach((k, v) -> rows.add(List.of(k, String.format(Locale.ROOT, "%.2e", v))));
        h.table(List.of("suggestion", "learning rate"), rows, false);
    }

    private ClassificationInterpretation autoInterpretation() {
        Datasets<?> ds = learn.dls().datasets();
        boolean category = ds.blocks().size() == ds.nInputs() + 1 && ds.blocks().get(ds.nInputs()) instanceof CategoryBlock;
        return category && learn.dls().valid().numItems() > 0 ? ClassificationInterpretation.fromLearner(learn) : null;
    }

    private boolean isSegmentation() {
        Datasets<?> ds = learn.dls().datasets();
        return ds.blocks().size() == ds.nInputs() + 1 && ds.blocks().get(ds.nInputs()).kind()
                == ai.fastai4j.data.TensorKind.MASK && learn.dls().valid().numItems() > 0;
    }

    private void segmentation(Html h, Path dir) {
        h.h2("Segmentation");
        SegmentationInterpretation si = SegmentationInterpretation.fromLearner(learn);
        if (topLosses > 0) {
            h.h3("Top losses");
            h.p("Each image with its target mask (left) and the predicted mask (right).");
            h.img(si.plotTopLosses(Math.min(topLosses, 6), dir.resolve("top_losses_masks.png")), "top losses");
            List<List<String>> rows = new ArrayList<>();
            for (SegmentationInterpretation.TopLoss t : si.topLosses(topLosses)) {
                rows.add(List.of(t.item(), String.format(Locale.ROOT, "%.4f", t.loss()),
                        String.format(Locale.ROOT, "%.2f%%", 100 * t.pixelAccuracy())));
            }
            h.table(List.of("item", "loss", "pixels right"), rows, true);
        }
    }

    private boolean canShowResults() {
        Datasets<?> ds = learn.dls().datasets();
        return ds.blocks().get(0) instanceof ImageRenderer && ds.blocks().size() > ds.nInputs()
                && learn.dls().valid().numItems() > 0;
    }

    private void classification(Html h, Path dir, ClassificationInterpretation interp) {
        h.h2("Classification");
        ClassificationReport report = interp.classificationReport();
        h.p(String.format(Locale.ROOT, "Accuracy %.4f on %,d items.", report.accuracy(), interp.size()));
        h.img(interp.plotConfusionMatrix(dir.resolve("confusion_matrix.png"), false), "confusion matrix");
        List<Confusion> confused = interp.mostConfused(1);
        h.h3("Most confused");
        if (confused.isEmpty()) {
            h.p("No item was predicted as another class.");
        } else {
            List<List<String>> rows = new ArrayList<>();
            for (Confusion c : confused.subList(0, Math.min(20, confused.size()))) {
                rows.add(List.of(c.actual(), c.predicted(), Long.toString(c.count())));
            }
            h.table(List.of("actual", "predicted", "count"), rows, true);
        }
        h.h3("Classification report");
        h.pre(report.toString());
        if (topLosses > 0 && interp.size() > 0) {
            h.h3("Top losses");
            if (interp.canDrawItems()) {
                h.p("Titles: predicted/actual, then loss / probability of the prediction.");
                h.img(interp.plotTopLosses(topLosses, dir.resolve("top_losses.png")), "top losses");
                if (learn.model().children().containsKey("0") && learn.model().children().size() > 1) {
                    try {
                        Path cam = interp.plotTopLossesCam(learn, topLosses, dir.resolve("top_losses_gradcam.png"));
                        h.p("Where the model looked: Grad-CAM of the predicted class over the body's activations.");
                        h.img(cam, "top losses with Grad-CAM");
                    } catch (IllegalArgumentException e) {
                        h.p("No Grad-CAM: " + e.getMessage()); // a body without (N, C, H, W) activations
                    }
                }
            }
            List<List<String>> rows = new ArrayList<>();
            for (TopLoss t : interp.topLosses(topLosses)) {
                rows.add(List.of(t.item(), t.predicted(), t.actual(), String.format(Locale.ROOT, "%.4f", t.loss()),
                        String.format(Locale.ROOT, "%.4f", t.probability())));
            }
            h.table(List.of("item", "predicted", "actual", "loss", "probability"), rows, true);
        }
    }

    /** Configures a {@link TrainingReport}. */
    public static final class Builder {
        private final Learner learn;
        private String title = "Training report";
        private ClassificationInterpretation interpretation;
        private int topLosses = 9;
        private int results = 9;
        private boolean summary = true;
        private final Map<String, Object> facts = new LinkedHashMap<>();
        private final List<ReportSection> sections = new ArrayList<>();
        private int refreshSeconds;
        private boolean trainingOnly;

        private Builder(Learner learn) {
            this.learn = Objects.requireNonNull(learn, "learn");
        }

        /** The page's heading ("Training report"). */
        public Builder title(String t) {
            this.title = Objects.requireNonNull(t, "title");
            return this;
        }

        /**
         * The interpretation to show; by default one is made on the validation set when the target is a single
         * category.
         */
        public Builder interpretation(ClassificationInterpretation i) {
            this.interpretation = i;
            return this;
        }

        /** How many top losses to show (9; 0 for none). */
        public Builder topLosses(int k) {
            this.topLosses = nonNegative(k, "topLosses");
            return this;
        }

        /** How many validation items to show with their predictions when the inputs are images (9; 0 for none). */
        public Builder results(int n) {
            this.results = nonNegative(n, "results");
            return this;
        }

        /** Whether to include the model summary (true); it runs one item through the model. */
        public Builder summary(boolean on) {
            this.summary = on;
            return this;
        }

        /**
         * A live page for a running training (fastai's ShowGraph): the browser reloads it every
         * {@code seconds}; only the training part (epoch table, loss and schedule plots) is written, nothing that
         * runs the model.
         */
        public Builder live(int seconds) {
            if (seconds < 1) {
                throw new IllegalArgumentException("refresh seconds must be at least 1, got " + seconds);
            }
            this.refreshSeconds = seconds;
            return trainingOnly();
        }

        /** Only the training part: epoch table, loss and schedule plots (nothing runs the model). */
        public Builder trainingOnly() {
            this.trainingOnly = true;
            this.results = 0;
            this.topLosses = 0;
            this.summary = false;
            return this;
        }

        /** Extra facts shown in a table at the top (e.g. the provenance of a loaded model file). */
        public Builder facts(Map<String, ?> f) {
            facts.putAll(f);
            return this;
        }

        /** A section added after the built-in ones, before the model summary (e.g. a tabular interpretation). */
        public Builder section(ReportSection s) {
            sections.add(Objects.requireNonNull(s, "section"));
            return this;
        }

        private static int nonNegative(int v, String what) {
            if (v < 0) {
                throw new IllegalArgumentException(what + " must not be negative, got " + v);
            }
            return v;
        }

        public TrainingReport build() {
            return new TrainingReport(this);
        }
    }

    /** A tiny HTML writer: escaped text, relative image links, inline style. */
    private static final class Html {
        private final StringBuilder sb = new StringBuilder();

        Html(String title, int refreshSeconds) {
            sb.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
            if (refreshSeconds > 0) {
                sb.append("<meta http-equiv=\"refresh\" content=\"").append(refreshSeconds).append("\">\n");
            }
            sb.append("<title>")
                    .append(esc(title)).append("</title>\n<style>\n")
                    .append("body{font-family:sans-serif;margin:2em auto;max-width:1000px;padding:0 1em;color:#222}\n")
                    .append("table{border-collapse:collapse;margin:0.5em 0}\n")
                    .append("th,td{padding:3px 10px;border-bottom:1px solid #ddd;text-align:left}\n")
                    .append("td.n{text-align:right;font-family:monospace}\n")
                    .append("pre{background:#f6f6f6;padding:0.8em;overflow-x:auto;font-size:13px}\n")
                    .append("img{max-width:100%;display:block;margin:0.5em 0}\n")
                    .append("</style>\n</head>\n<body>\n<h1>").append(esc(title)).append("</h1>\n");
        }

        void h2(String s) {
            sb.append("<h2>").append(esc(s)).append("</h2>\n");
        }

        void h3(String s) {
            sb.append("<h3>").append(esc(s)).append("</h3>\n");
        }

        void p(String s) {
            sb.append("<p>").append(esc(s)).append("</p>\n");
        }

        void pre(String s) {
            sb.append("<pre>").append(esc(s)).append("</pre>\n");
        }

        /** Links {@code png}, which lies in the page's folder, by its file name. */
        void img(Path png, String alt) {
            sb.append("<img src=\"").append(esc(png.getFileName().toString())).append("\" alt=\"").append(esc(alt))
                    .append("\">\n");
        }

        /** A table; with {@code numbersRight}, cells that parse as numbers are right-aligned. */
        void table(List<String> header, List<List<String>> rows, boolean numbersRight) {
            sb.append("<table>\n");
            if (header.stream().anyMatch(s -> !s.isEmpty())) {
                sb.append("<tr>");
                header.forEach(c -> sb.append("<th>").append(esc(c)).append("</th>"));
                sb.append("</tr>\n");
            }
            for (List<String> r : rows) {
                sb.append("<tr>");
                for (String c : r) {
                    sb.append(numbersRight && isNumber(c) ? "<td class=\"n\">" : "<td>").append(esc(c)).append("</td>");
                }
                sb.append("</tr>\n");
            }
            sb.append("</table>\n");
        }

        private static boolean isNumber(String s) {
            return s.matches("-?[0-9][0-9,]*(\\.[0-9]+)?(e[-+]?[0-9]+)?|nan|-?inf|[0-9]+:[0-9]{2}(:[0-9]{2})?");
        }

        void section(ReportSection s) {
            h2(s.title());
            for (ReportSection.Part p : s.parts()) {
                if (p instanceof ReportSection.Paragraph x) {
                    p(x.text());
                } else if (p instanceof ReportSection.Subtitle x) {
                    h3(x.text());
                } else if (p instanceof ReportSection.Pre x) {
                    pre(x.text());
                } else if (p instanceof ReportSection.Table x) {
                    table(x.header(), x.rows(), true);
                } else if (p instanceof ReportSection.Image x) {
                    img(x.png(), x.alt());
                }
            }
        }

        String finish() {
            return sb.append("</body>\n</html>\n").toString();
        }

        static String esc(String s) {
            StringBuilder out = new StringBuilder(s.length());
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '&' -> out.append("&amp;");
                    case '<' -> out.append("&lt;");
                    case '>' -> out.append("&gt;");
                    case '"' -> out.append("&quot;");
                    case '\'' -> out.append("&#39;");
                    default -> out.append(c);
                }
            }
            return out.toString();
        }
    }
}

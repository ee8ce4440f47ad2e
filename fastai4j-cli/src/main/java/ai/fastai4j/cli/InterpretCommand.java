package ai.fastai4j.cli;

import ai.djl.engine.Engine;
import ai.fastai4j.data.DataException;
import ai.fastai4j.interpret.ClassificationInterpretation;
import ai.fastai4j.interpret.Confusion;
import ai.fastai4j.interpret.TopLoss;
import ai.fastai4j.interpret.TrainingReport;
import ai.fastai4j.vision.models.Arch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code fastai4j interpret}: what a trained classifier gets right and wrong on the validation set. */
@Command(name = "interpret", mixinStandardHelpOptions = true,
        description = {"Look at a trained image classifier on the validation images of your data: print the "
                + "confusion matrix, the most confused classes and the classification report, and write the "
                + "confusion matrix and top losses as PNGs and an HTML report into --out.",
            "A tabular model (.fai from 'fastai4j train-tabular') is interpreted on --csv FILE with its target column:"
                + " permutation importance, partial dependence and one prediction explained, on the validation rows"
                + " train-tabular used (same --valid-pct or --valid-col and --seed).",
            "MODEL is an exported model (.fai, e.g. from 'fastai4j train'), which knows how it loads images "
                + "(leave out --size and --grey), or a training checkpoint (.safetensors, from learn.save), which "
                + "needs --arch and the data options it was trained with."})
final class InterpretCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = "Exported model (.fai) or training checkpoint (.safetensors).")
    Path modelFile;

    @Mixin
    DataOptions data;

    @Option(names = "--arch", defaultValue = "SMALL_RESNET",
            description = "Architecture of a checkpoint: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Arch arch;

    @Option(names = "--out", defaultValue = "interpret", paramLabel = "DIR",
            description = "Folder for report.html and its PNGs (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--top-losses", defaultValue = "9", paramLabel = "K",
            description = "How many of the worst-predicted images to show (default: ${DEFAULT-VALUE}).")
    int topLosses;

    @Option(names = "--min-confused", defaultValue = "1", paramLabel = "N",
            description = "List pairs of classes confused at least N times (default: ${DEFAULT-VALUE}).")
    int minConfused;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (topLosses < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--top-losses must not be negative");
        }
        Files.createDirectories(out);
        Engine.getInstance().setRandomSeed((int) data.seed);
        if (modelFile.toString().endsWith(".fai") && TabularInterpret.isTabular(modelFile)) {
            return TabularInterpret.run(modelFile, data, out, spec.commandLine());
        }
        try (LoadedLearner loaded = LoadedLearner.load(modelFile, data, arch, out, spec.commandLine())) {
            if (loaded.dls().valid().numItems() == 0) {
                throw new DataException("the data has no validation images (give a valid/ folder, --valid-col or "
                        + "--valid-pct)");
            }
            ClassificationInterpretation interp = ClassificationInterpretation.fromLearner(loaded.learn());
            System.out.printf(Locale.ROOT, "%d validation images, %d classes: %s%n%n", interp.size(),
                    interp.vocab().size(), interp.vocab());
            System.out.println(confusionMatrixText(interp.confusionMatrix(), interp.vocab()));
            List<Confusion> confused = interp.mostConfused(minConfused);
            System.out.println("Most confused (actual, predicted, count):");
            if (confused.isEmpty()) {
                System.out.println("  none");
            }
            confused.forEach(c -> System.out.println("  " + c));
            System.out.println();
            System.out.println(interp.classificationReport());
            if (topLosses > 0) {
                System.out.println("Top losses (predicted/actual / loss / probability):");
                for (TopLoss t : interp.topLosses(topLosses)) {
                    System.out.println("  " + t.title() + "  " + t.item());
                }
                System.out.println();
            }
            Path page = TrainingReport.builder(loaded.learn()).title("Interpretation of " + modelFile.getFileName())
                    .interpretation(interp).topLosses(topLosses).facts(loaded.provenance()).build().write(out);
            System.out.println("report: " + page);
        }
        return 0;
    }

    /** The matrix as text: one row per actual class, one column per predicted class. */
    static String confusionMatrixText(long[][] cm, List<String> vocab) {
        int w = "actual\\predicted".length();
        int cw = 1;
        for (String v : vocab) {
            w = Math.max(w, v.length());
            cw = Math.max(cw, v.length());
        }
        for (long[] row : cm) {
            for (long v : row) {
                cw = Math.max(cw, Long.toString(v).length());
            }
        }
        StringBuilder sb = new StringBuilder("Confusion matrix (rows: actual, columns: predicted)\n");
        sb.append(String.format(Locale.ROOT, "%-" + w + "s", "actual\\predicted"));
        for (String v : vocab) {
            sb.append("  ").append(String.format(Locale.ROOT, "%" + cw + "s", v));
        }
        sb.append('\n');
        for (int i = 0; i < cm.length; i++) {
            sb.append(String.format(Locale.ROOT, "%-" + w + "s", vocab.get(i)));
            for (long v : cm[i]) {
                sb.append("  ").append(String.format(Locale.ROOT, "%" + cw + "d", v));
            }
            sb.append('\n');
        }
        return sb.toString();
    }
}

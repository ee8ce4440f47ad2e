package ai.fastai4j.cli;

import ai.djl.engine.Engine;
import ai.fastai4j.data.DataLoaders;
import ai.fastai4j.export.ModelExport;
import ai.fastai4j.interpret.TrainingReport;
import ai.fastai4j.learner.Learner;
import ai.fastai4j.learner.SuggestedLrs;
import ai.fastai4j.metrics.Metrics;
import ai.fastai4j.plot.Plots;
import ai.fastai4j.vision.VisionLearners;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code fastai4j train}: train an image classifier with one-cycle and save it. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train an image classifier on a folder or CSV of images with fit_one_cycle, then export it "
                + "(model.fai) and write report.html next to it.")
final class TrainCommand implements Callable<Integer> {
    @Mixin
    DataOptions data;

    @Mixin
    ModelOptions model;

    @Option(names = "--epochs", defaultValue = "3",
            description = "Epochs of one-cycle training, or of fine_tune after one frozen epoch when pretrained"
                    + " (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--lr", defaultValue = "auto",
            description = "Maximum learning rate, or 'auto' to use lr_find's valley suggestion (default: ${DEFAULT-VALUE}).")
    String lr;

    @Option(names = "--out", defaultValue = "model", paramLabel = "DIR",
            description = "Folder for the exported model and plots (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--no-report", negatable = false,
            description = "Skip report.html (epoch table, plots, confusion matrix, top losses, model summary) in --out.")
    boolean noReport;

    @Override
    public Integer call() throws Exception {
        Files.createDirectories(out);
        Engine.getInstance().setRandomSeed((int) data.seed);
        try (DataLoaders dls = data.build();
                Learner learn = data.segmentation()
                        ? model.learner(dls, true, b -> b.path(out), Metrics.foregroundAcc(), Metrics.diceMulti())
                        : model.learner(dls, b -> b.path(out), Metrics.accuracy())) {
            System.out.printf("%d training and %d validation images, %d %s: %s%n", dls.train().numItems(),
                    dls.valid().numItems(), dls.c(), data.segmentation() ? "mask codes" : "classes", dls.vocab());
            double lrMax = resolveLr(learn, lr, out);
            Object pretrained = learn.provenance().get(VisionLearners.PRETRAINED_WEIGHTS);
            if (pretrained != null) {
                System.out.println("pretrained: " + pretrained + "; fine_tune(" + epochs + ", " + lrMax + ")");
                learn.fineTune(epochs, lrMax);
            } else {
                learn.fitOneCycle(epochs, lrMax);
            }
            System.out.println("loss plot: " + learn.recorder().plotLoss(out.resolve("loss.png")));
            Path model = out.resolve("model.fai");
            ModelExport.export(learn, model);
            System.out.println("exported model: " + model + " (use: fastai4j predict " + model + " IMAGE...)");
            if (!noReport) {
                System.out.println("report: " + TrainingReport.builder(learn).build().write(out));
            }
        }
        return 0;
    }

    /** Parses {@code --lr}, running lr_find for "auto". */
    static double resolveLr(Learner learn, String lr, Path out) {
        if (!"auto".equalsIgnoreCase(lr)) {
            try {
                double v = Double.parseDouble(lr);
                if (!(v > 0)) {
                    throw new NumberFormatException();
                }
                return v;
            } catch (NumberFormatException e) {
                throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(new TrainCommand()),
                        "--lr must be a positive number or 'auto', got '" + lr + "'");
            }
        }
        SuggestedLrs s = learn.lrFind();
        Path plot = Plots.lrFindPlot(s.lrs(), s.losses(), s.asMap(), out.resolve("lr_find.png"));
        System.out.println(s + "\nlr_find plot: " + plot);
        return s.valley();
    }
}

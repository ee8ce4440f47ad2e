package ai.fastai4j.cli;

import ai.fastai4j.Fastai4j;
import ai.fastai4j.callback.CsvLogger;
import ai.fastai4j.callback.EarlyStoppingCallback;
import ai.fastai4j.callback.GradientAccumulation;
import ai.fastai4j.callback.GradientClip;
import ai.fastai4j.callback.LiveReport;
import ai.fastai4j.callback.MixUp;
import ai.fastai4j.callback.SaveModelCallback;
import ai.fastai4j.data.DataLoaders;
import ai.fastai4j.export.ModelExport;
import ai.fastai4j.interpret.TrainingReport;
import ai.fastai4j.learner.Callback;
import ai.fastai4j.learner.Checkpoint;
import ai.fastai4j.learner.CheckpointCallback;
import ai.fastai4j.learner.Learner;
import ai.fastai4j.learner.SuggestedLrs;
import ai.fastai4j.metrics.Metrics;
import ai.fastai4j.optim.Slice;
import ai.fastai4j.plot.Plots;
import ai.fastai4j.vision.VisionLearners;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
    DeviceOption device;

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

    @Option(names = "--resume", paramLabel = "DIR",
            description = "Continue the training whose checkpoint is in DIR (e.g. model/checkpoint), exactly where it"
                    + " stopped: same epochs and learning rate as then; give the same data options again.")
    Path resume;

    @Option(names = "--checkpoint-every", defaultValue = "0", paramLabel = "N",
            description = "Also write the checkpoint (DIR/checkpoint, always written after each epoch and when"
                    + " stopped by Ctrl-C/SIGTERM) every N training batches (default: ${DEFAULT-VALUE}: off).")
    int checkpointEvery;

    @Option(names = "--save-best", negatable = false,
            description = "Keep the model of the epoch with the lowest valid_loss (OUT/models/best.safetensors) and"
                    + " export that one (fastai's SaveModelCallback).")
    boolean saveBest;

    @Option(names = "--early-stop", paramLabel = "N", defaultValue = "0",
            description = "Stop when valid_loss has not improved for N epochs (default: ${DEFAULT-VALUE}: off).")
    int earlyStop;

    @Option(names = "--clip", paramLabel = "X", description = "Clip the global gradient norm to X (GradientClip).")
    Double clip;

    @Option(names = "--mixup", paramLabel = "ALPHA", arity = "0..1", fallbackValue = "0.4",
            description = "Train with MixUp (alpha 0.4 when not given).")
    Double mixup;

    @Option(names = "--accumulate", paramLabel = "N", defaultValue = "0",
            description = "Accumulate gradients over N samples before each step (default: ${DEFAULT-VALUE}: off).")
    int accumulate;

    @Option(names = "--csv-log", negatable = false, description = "Write the epoch table to OUT/history.csv.")
    boolean csvLog;

    @Option(names = "--no-report", negatable = false,
            description = "Skip report.html (epoch table, plots, confusion matrix, top losses, model summary) in --out.")
    boolean noReport;

    @Override
    public Integer call() throws Exception {
        UsageException.atLeast("--epochs", epochs, 1);
        data.validate();
        if (!VerifyCommand.allGood(data.source.folder)) {
            return Main.EXIT_DATA;
        }
        if (!"auto".equalsIgnoreCase(lr)) {
            resolveLr(null, lr, out); // a bad --lr is refused before any data is read
        }
        Files.createDirectories(out);
        if (checkpointEvery < 0) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "--checkpoint-every must be >= 0, got " + checkpointEvery);
        }
        Checkpoint.Meta resumed = resume == null ? null : readCheckpoint(resume);
        Fastai4j.setSeed(data.seed);
        try (DataLoaders dls = data.build();
                Learner learn = data.segmentation()
                        ? model.learner(dls, true, b -> b.path(out), Metrics.foregroundAcc(), Metrics.diceMulti())
                        : model.learner(dls, b -> b.path(out), Metrics.accuracy())) {
            System.out.printf("%d training and %d validation images, %d %s: %s%n", dls.train().numItems(),
                    dls.valid().numItems(), dls.c(), data.segmentation() ? "mask codes" : "classes", dls.vocab());
            Object pretrained = learn.provenance().get(VisionLearners.PRETRAINED_WEIGHTS);
            int nEpochs = resumed == null ? epochs : resumed.nEpoch();
            double lrMax = resumed == null ? resolveLr(learn, lr, out)
                    : ((Number) resumed.extra().get(LR_KEY)).doubleValue();
            CheckpointCallback checkpoints = new CheckpointCallback(out.resolve("checkpoint"), checkpointEvery)
                    .extra(LR_KEY, lrMax);
            List<Callback> list = new ArrayList<>(List.of(checkpoints));
            if (resume != null) {
                list.add(Checkpoint.resumeFrom(resume));
            }
            list.addAll(trainingCallbacks());
            Callback[] cbs = list.toArray(Callback[]::new);
            if (pretrained != null) {
                if (resume != null) {
                    throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                            "--resume continues one-cycle training; fine_tune of pretrained weights cannot be resumed");
                }
                System.out.println("pretrained: " + pretrained + "; fine_tune(" + epochs + ", " + lrMax + ")");
                learn.addCallbacks(cbs); // both phases of fine_tune
                learn.fineTune(epochs, lrMax);
            } else {
                if (resumed != null) {
                    System.out.printf("resuming %s at epoch %d, batch %d of %d epochs (lr %s)%n", resume,
                            resumed.epoch(), resumed.nextIter(), nEpochs, lrMax);
                }
                learn.fitOneCycle(nEpochs, Slice.all(lrMax), 25, 1e5, 0.25, cbs);
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

    /** The callbacks the options ask for. */
    List<Callback> trainingCallbacks() {
        picocli.CommandLine cl = new picocli.CommandLine(this);
        List<Callback> cbs = new ArrayList<>();
        if (saveBest) {
            cbs.add(SaveModelCallback.best("valid_loss", "best", false));
        }
        if (earlyStop < 0 || accumulate < 0) {
            throw new picocli.CommandLine.ParameterException(cl, "--early-stop and --accumulate must be >= 0");
        }
        if (earlyStop > 0) {
            cbs.add(new EarlyStoppingCallback("valid_loss", 0, earlyStop));
        }
        if (clip != null) {
            if (!(clip > 0)) {
                throw new picocli.CommandLine.ParameterException(cl, "--clip must be positive, got " + clip);
            }
            cbs.add(new GradientClip(clip));
        }
        if (mixup != null) {
            if (!(mixup > 0)) {
                throw new picocli.CommandLine.ParameterException(cl, "--mixup alpha must be positive, got " + mixup);
            }
            cbs.add(new MixUp(mixup));
        }
        if (accumulate > 0) {
            cbs.add(new GradientAccumulation(accumulate));
        }
        if (csvLog) {
            cbs.add(new CsvLogger());
        }
        if (!noReport) {
            cbs.add(new LiveReport(out)); // report.html after every epoch; the full report replaces it at the end
        }
        return cbs;
    }

    /** Key of the maximum learning rate in the checkpoint's extra facts. */
    static final String LR_KEY = "cli.lr_max";

    private Checkpoint.Meta readCheckpoint(Path dir) {
        Path f = Checkpoint.file(dir);
        if (!Files.isRegularFile(f)) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "--resume: no checkpoint at " + f);
        }
        try {
            Checkpoint.Meta m = Checkpoint.readMeta(f);
            if (!(m.extra().get(LR_KEY) instanceof Number)) {
                throw new ModelFileException(f + " was not written by fastai4j train (no learning rate in it)", null);
            }
            return m;
        } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
            throw new ModelFileException("--resume: " + e.getMessage(), e);
        }
    }

    /** Parses {@code --lr}, running lr_find for "auto". */
    static double resolveLr(Learner learn, String lr, Path out) {
        if (!"auto".equalsIgnoreCase(lr)) {
            try {
                double v = Double.parseDouble(lr);
                if (!(v > 0) || Double.isInfinite(v)) {
                    throw new NumberFormatException();
                }
                return v;
            } catch (NumberFormatException e) {
                throw new UsageException("--lr must be a positive number or 'auto', got '" + lr + "'");
            }
        }
        SuggestedLrs s = learn.lrFind();
        Path plot = Plots.lrFindPlot(s.lrs(), s.losses(), s.asMap(), out.resolve("lr_find.png"));
        System.out.println(s + "\nlr_find plot: " + plot);
        return s.valley();
    }
}

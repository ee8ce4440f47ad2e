package ai.fastai4j.cli;

import ai.djl.engine.Engine;
import ai.fastai4j.data.DataLoaders;
import ai.fastai4j.data.external.ExternalData;
import ai.fastai4j.data.external.URLs;
import ai.fastai4j.export.InferenceModel;
import ai.fastai4j.export.ModelExport;
import ai.fastai4j.interpret.TrainingReport;
import ai.fastai4j.learner.Learner;
import ai.fastai4j.learner.Prediction;
import ai.fastai4j.learner.SuggestedLrs;
import ai.fastai4j.metrics.Metrics;
import ai.fastai4j.plot.Plots;
import ai.fastai4j.vision.ImageDataLoaders;
import ai.fastai4j.vision.ImageFiles;
import ai.fastai4j.vision.VisionLearners;
import ai.fastai4j.vision.models.Arch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fastai4j quickstart}: fastai's first lesson on the embedded Fashion-MNIST sample: look at the data,
 * find a learning rate, train with one-cycle, plot, export, and predict with the exported model.
 */
@Command(name = "quickstart", mixinStandardHelpOptions = true,
        description = "Train, show, export and predict on the embedded Fashion-MNIST sample (5,000 training images).")
final class QuickstartCommand implements Callable<Integer> {
    @Option(names = "--epochs", defaultValue = "5", description = "Epochs of one-cycle training (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--out", defaultValue = "runs/quickstart", paramLabel = "DIR",
            description = "Folder for plots and the exported model (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--seed", defaultValue = "42", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws Exception {
        Files.createDirectories(out);
        Engine.getInstance().setRandomSeed((int) seed);
        Path data = ExternalData.untarData(URLs.FASHION_MNIST_SAMPLE);
        System.out.println("data: " + data);
        Path modelFile = out.resolve("fashion_mnist.fai");
        try (DataLoaders dls = ImageDataLoaders.fromFolder(data).grey().batchSize(64).seed(seed).build();
                Learner learn = VisionLearners.create(dls, Arch.SMALL_RESNET, b -> b.path(out), Metrics.accuracy())) {
            System.out.printf("%d training and %d validation images, %d classes: %s%n", dls.train().numItems(),
                    dls.valid().numItems(), dls.c(), dls.vocab());
            System.out.println("show_batch: " + dls.showBatch(out.resolve("show_batch.png"), 16));

            SuggestedLrs lrs = learn.lrFind();
            System.out.println(lrs);
            System.out.println("lr_find plot: " + Plots.lrFindPlot(lrs.lrs(), lrs.losses(), lrs.asMap(),
                    out.resolve("lr_find.png")));

            // valley is a safe choice; from scratch a small ResNet takes a larger rate well
            double lr = Math.max(lrs.valley(), 3e-3);
            System.out.printf("fit_one_cycle(%d, %.1e)%n", epochs, lr);
            learn.fitOneCycle(epochs, lr);
            System.out.println("loss plot: " + learn.recorder().plotLoss(out.resolve("loss.png")));
            System.out.println("schedule plot: " + learn.recorder().plotSchedule(out.resolve("schedule.png")));
            ModelExport.export(learn, modelFile);
            System.out.println("exported: " + modelFile + " (" + Files.size(modelFile) / 1024 + " KiB)");
            System.out.println("report (confusion matrix, top losses, model summary): "
                    + TrainingReport.builder(learn).build().write(out));
        }
        List<Path> valid = ImageFiles.recursive(data.resolve("valid"));
        Path image = valid.get(valid.size() / 2);
        try (InferenceModel model = InferenceModel.load(modelFile)) {
            Prediction p = model.predict(image);
            System.out.printf("predict %s -> %s (probability %.3f); actual: %s%n", data.relativize(image), p.label(),
                    p.maxProb(), image.getParent().getFileName());
        }
        return 0;
    }
}

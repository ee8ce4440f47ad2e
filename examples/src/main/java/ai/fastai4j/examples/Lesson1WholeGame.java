package ai.fastai4j.examples;

import ai.djl.engine.Engine;
import ai.fastai4j.data.DataLoaders;
import ai.fastai4j.data.external.ExternalData;
import ai.fastai4j.data.external.URLs;
import ai.fastai4j.export.InferenceModel;
import ai.fastai4j.export.ModelExport;
import ai.fastai4j.interpret.ClassificationInterpretation;
import ai.fastai4j.learner.Learner;
import ai.fastai4j.learner.Prediction;
import ai.fastai4j.learner.SuggestedLrs;
import ai.fastai4j.metrics.Metrics;
import ai.fastai4j.vision.ImageDataLoaders;
import ai.fastai4j.vision.VisionLearners;
import ai.fastai4j.vision.models.Arch;
import java.nio.file.Path;

/**
 * Lesson 1, the whole game: an image classifier on real data in a few lines. Run it with
 * {@code ./mvnw -q -pl examples -am package -DskipTests} and then
 * {@code java -cp ... ai.fastai4j.examples.Lesson1WholeGame}, or simply {@code ./fastai4j quickstart}, which
 * runs the same steps and prints where every picture went.
 */
public final class Lesson1WholeGame {
    private Lesson1WholeGame() {}

    public static void main(String[] args) throws Exception {
        Engine.getInstance().setRandomSeed(42);
        // 1. Data: 5,000 Fashion-MNIST images in train/<class>/ and valid/<class>/ folders, shipped with fastai4j.
        Path path = ExternalData.untarData(URLs.FASHION_MNIST_SAMPLE);
        try (DataLoaders dls = ImageDataLoaders.fromFolder(path).grey().batchSize(64).build();
                // 2. A learner: a small ResNet, fastai's head, Adam, the accuracy metric.
                Learner learn = VisionLearners.create(dls, Arch.SMALL_RESNET, Metrics.accuracy())) {
            dls.showBatch(Path.of("show_batch.png"), 16);          // look at the data first
            SuggestedLrs lrs = learn.lrFind();                       // 3. find a learning rate
            learn.fitOneCycle(5, Math.max(lrs.valley(), 3e-3));    // 4. train with one cycle
            learn.recorder().plotLoss(Path.of("loss.png"));
            // 5. see what it gets wrong: the most confused classes and the worst-predicted images
            ClassificationInterpretation interp = ClassificationInterpretation.fromLearner(learn);
            interp.mostConfused(5).forEach(System.out::println);
            interp.plotTopLosses(9, Path.of("top_losses.png"));
            ModelExport.export(learn, Path.of("fashion.fai"));      // 6. export: weights + JSON, no code
        }
        // 7. Use it: load the exported model and predict one image.
        try (InferenceModel model = InferenceModel.load(Path.of("fashion.fai"))) {
            Prediction p = model.predict(path.resolve("valid/sneaker/9.png"));
            System.out.printf("valid/sneaker/9.png is a %s (probability %.3f)%n", p.label(), p.maxProb());
        }
    }
}

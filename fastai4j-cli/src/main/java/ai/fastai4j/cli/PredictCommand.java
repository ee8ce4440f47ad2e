package ai.fastai4j.cli;

import ai.fastai4j.data.DataException;
import ai.fastai4j.export.InferenceModel;
import ai.fastai4j.learner.Prediction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code fastai4j predict}: classify images with an exported model. */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = "Predict the class of images with an exported model (.fai file).")
final class PredictCommand implements Callable<Integer> {
    @Mixin
    DeviceOption device;

    @Parameters(index = "0", paramLabel = "MODEL", description = "Exported model file (.fai).")
    Path modelFile;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "IMAGE", description = "Image files (CSV files for a table model).")
    List<Path> images;

    @Option(names = "--top", defaultValue = "1", description = "How many classes to show per image (default: ${DEFAULT-VALUE}).")
    int top;

    @Option(names = "--out", paramLabel = "FILE", description = "Table models: the CSV file to write (default: standard output).")
    Path out;

    @Override
    public Integer call() {
        if (!Files.isRegularFile(modelFile)) {
            throw new ModelFileException("model file " + modelFile + " does not exist", null);
        }
        InferenceModel model;
        try {
            model = InferenceModel.load(modelFile);
        } catch (RuntimeException e) {
            throw new ModelFileException("cannot load " + modelFile + ": " + e.getMessage(), e);
        }
        int failed = 0;
        try (model) {
            if (RowPredictor.takesRows(model)) {
                if (out != null && images.size() > 1) {
                    throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                            "--out takes the predictions of one CSV file, got " + images.size());
                }
                for (Path csv : images) {
                    System.err.println(csv + ": " + RowPredictor.describeUnseen(RowPredictor.predictCsv(model, csv,
                            out, System.out)));
                }
                if (out != null) {
                    System.err.println("predictions: " + out);
                }
                return 0;
            }
            List<String> vocab = model.vocab();
            for (Path image : images) {
                try {
                    Prediction p = model.predict(image);
                    StringBuilder sb = new StringBuilder(image + "\t" + p.label());
                    float[] probs = p.probs();
                    Integer[] order = new Integer[probs.length];
                    for (int i = 0; i < order.length; i++) {
                        order[i] = i;
                    }
                    java.util.Arrays.sort(order, (a, b) -> Float.compare(probs[b], probs[a]));
                    for (int k = 0; k < Math.min(top, order.length); k++) {
                        String name = vocab.isEmpty() ? String.valueOf(order[k]) : vocab.get(order[k]);
                        sb.append(String.format("\t%s %.4f", name, probs[order[k]]));
                    }
                    System.out.println(sb);
                } catch (DataException e) {
                    System.err.println(image + "\terror: " + e.getMessage());
                    failed++;
                }
            }
        }
        return failed == 0 ? 0 : Main.EXIT_DATA;
    }
}

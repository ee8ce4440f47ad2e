package com.example;

import ai.djl.engine.Engine;
import ai.fastai4j.data.DataLoaders;
import ai.fastai4j.export.InferenceModel;
import ai.fastai4j.export.ModelExport;
import ai.fastai4j.learner.Learner;
import ai.fastai4j.tabular.Table;
import ai.fastai4j.tabular.TabularConfig;
import ai.fastai4j.tabular.TabularDataLoaders;
import ai.fastai4j.tabular.TabularLearner;
import ai.fastai4j.tabular.TabularLearners;
import ai.fastai4j.vision.ImageDataLoaders;
import ai.fastai4j.vision.VisionLearners;
import ai.fastai4j.vision.models.Arch;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * What a new user's first program does: train a tabular model and a small image model for a few steps, export
 * one and predict with it. Exits non-zero (an exception) when a test library is on the runtime class path or when
 * training did not lower the loss.
 */
public final class TrainAFewSteps {
    private TrainAFewSteps() {
    }

    public static void main(String[] args) throws IOException {
        noTestLibraries();
        Path work = Files.createTempDirectory("fastai4j-user");
        tabular(work);
        vision(work);
        System.out.println("fastai4j user project: OK");
    }

    static void noTestLibraries() {
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String name = Path.of(entry).getFileName().toString();
            if (name.matches("(?i).*(junit|opentest4j|apiguardian|hamcrest|mockito|selenium|archunit).*")) {
                throw new IllegalStateException("a test library is on the runtime class path: " + entry);
            }
        }
        System.out.println("runtime class path: no test library");
    }

    static void tabular(Path work) {
        Random r = new Random(1);
        List<Map<String, String>> rows = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            String color = List.of("red", "green", "blue").get(r.nextInt(3));
            double x = r.nextGaussian();
            double score = (color.equals("red") ? 1.5 : color.equals("blue") ? -1.5 : 0) + 2 * x;
            Map<String, String> row = new LinkedHashMap<>();
            row.put("color", color);
            row.put("x", String.format(Locale.ROOT, "%.4f", x));
            row.put("label", score > 0 ? "yes" : "no");
            rows.add(row);
        }
        Engine.getInstance().setRandomSeed(1);
        Path file = work.resolve("rows.fai");
        try (TabularDataLoaders dls = TabularDataLoaders.fromTable(Table.fromRows("rows", rows)).catNames("color")
                .contNames("x").yNames("label").batchSize(32).build();
                TabularLearner learn = TabularLearners.create(dls, List.of(16), TabularConfig.defaults(), Map.of(),
                        b -> b.progress(false))) {
            learn.fitOneCycle(3, 1e-2);
            lowered("tabular", learn);
            ModelExport.export(learn, file);
        }
        try (InferenceModel model = InferenceModel.load(file)) {
            Object label = model.predict(Map.of("color", "red", "x", "1.5")).label();
            if (!"yes".equals(label)) {
                throw new IllegalStateException("the exported tabular model predicts " + label + " for an obvious yes");
            }
            System.out.println("tabular: exported and reloaded, predicts " + label);
        }
    }

    static void vision(Path work) throws IOException {
        Path root = work.resolve("images");
        Random r = new Random(2);
        for (String split : List.of("train", "valid")) {
            for (String cls : List.of("red", "blue")) {
                Path dir = Files.createDirectories(root.resolve(split).resolve(cls));
                for (int i = 0; i < (split.equals("train") ? 32 : 8); i++) {
                    BufferedImage img = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
                    for (int y = 0; y < 16; y++) {
                        for (int x = 0; x < 16; x++) {
                            int noise = r.nextInt(60);
                            img.setRGB(x, y, cls.equals("red") ? (190 + noise) << 16 | noise << 8 | noise
                                    : noise << 16 | noise << 8 | (190 + noise));
                        }
                    }
                    ImageIO.write(img, "png", dir.resolve(i + ".png").toFile());
                }
            }
        }
        Engine.getInstance().setRandomSeed(2);
        try (DataLoaders dls = ImageDataLoaders.fromFolder(root).batchSize(8).build();
                Learner learn = VisionLearners.builder(dls, Arch.SIMPLE_CNN).pretrained(false)
                        .learner(b -> b.progress(false)).build()) {
            learn.fitOneCycle(2, 1e-2);
            lowered("vision", learn);
        }
    }

    /** The mean loss of the last three training batches is below that of the first three. */
    static void lowered(String what, Learner learn) {
        List<Double> losses = learn.recorder().losses();
        if (losses.size() < 6) {
            throw new IllegalStateException(what + ": only " + losses.size() + " training batches recorded");
        }
        double first = (losses.get(0) + losses.get(1) + losses.get(2)) / 3;
        int n = losses.size();
        double last = (losses.get(n - 1) + losses.get(n - 2) + losses.get(n - 3)) / 3;
        if (!(last < first)) {
            throw new IllegalStateException(what + ": training did not lower the loss (" + first + " -> " + last + ")");
        }
        System.out.printf(Locale.ROOT, "%s: training loss %.4f -> %.4f over %d batches%n", what, first, last, n);
    }
}

package ai.fastai4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.fastai4j.data.DataLoaders;
import ai.fastai4j.export.InferenceModel;
import ai.fastai4j.export.ModelExport;
import ai.fastai4j.learner.Learner;
import ai.fastai4j.learner.Prediction;
import ai.fastai4j.vision.ImageDataLoaders;
import ai.fastai4j.vision.VisionLearners;
import ai.fastai4j.vision.models.Arch;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fastai4j interpret} and {@code fastai4j export} on a tiny folder of 16x16 grey images. */
class InterpretExportCommandTest {
    @TempDir
    static Path dir;
    static Path data;
    static Path modelFile;
    static Path checkpoint;
    static final List<String> CLASSES = List.of("cat", "dog");

    /** A grey 16x16 PNG of noise around {@code level}. */
    static void png(Path f, int level, Random r) throws Exception {
        Files.createDirectories(f.getParent());
        BufferedImage img = new BufferedImage(16, 16, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                img.getRaster().setSample(x, y, 0, Math.max(0, Math.min(255, level + r.nextInt(81) - 40)));
            }
        }
        ImageIO.write(img, "png", f.toFile());
    }

    /** cat images are dark and dog images bright, except one bright cat in valid/ to be confused. */
    @BeforeAll
    static void trainAndSave() throws Exception {
        data = dir.resolve("data");
        Random r = new Random(3);
        for (int i = 0; i < 8; i++) {
            png(data.resolve("train/cat/c" + i + ".png"), 60, r);
            png(data.resolve("train/dog/d" + i + ".png"), 190, r);
        }
        for (int i = 0; i < 3; i++) {
            png(data.resolve("valid/cat/c" + i + ".png"), i == 2 ? 200 : 60, r);
            png(data.resolve("valid/dog/d" + i + ".png"), 190, r);
        }
        Engine.getInstance().setRandomSeed(1);
        try (DataLoaders dls = ImageDataLoaders.fromFolder(data).grey().batchSize(4).workers(0).build();
                Learner learn = VisionLearners.create(dls, Arch.SIMPLE_CNN, b -> b.progress(false).path(dir))) {
            learn.fit(2, 1e-2);
            modelFile = ModelExport.export(learn, dir.resolve("model.fai"));
            checkpoint = learn.save("ckpt", false);
        }
    }

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = Main.execute(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    /** The confusion matrix from the exported model's own predictions, one image at a time. */
    static long[][] expectedMatrix() throws Exception {
        long[][] cm = new long[2][2];
        try (InferenceModel m = InferenceModel.load(modelFile)) {
            for (int actual = 0; actual < 2; actual++) {
                for (int i = 0; i < 3; i++) {
                    String name = (actual == 0 ? "cat/c" : "dog/d") + i + ".png";
                    Prediction p = m.predict(data.resolve("valid").resolve(name));
                    cm[actual][CLASSES.indexOf((String) p.label())]++;
                }
            }
        }
        return cm;
    }

    @Test
    void interpretAModelFilePrintsTheMatrixAndWritesTheReport() throws Exception {
        Path out = dir.resolve("interp");
        Run r = run("interpret", modelFile.toString(), "--data", data.toString(), "--bs", "4", "--top-losses", "4",
                "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        String matrix = InterpretCommand.confusionMatrixText(expectedMatrix(), CLASSES);
        assertTrue(r.out().contains(matrix), "expected\n" + matrix + "in\n" + r.out());
        assertTrue(r.out().contains("6 validation images, 2 classes: [cat, dog]"), r.out());
        assertTrue(r.out().contains("precision    recall  f1-score   support"), r.out());
        assertTrue(r.out().contains("Most confused (actual, predicted, count):"), r.out());
        assertEquals(4, r.out().lines().filter(l -> l.contains("valid/")).count(), "four top losses name their files");
        for (String f : List.of("report.html", "confusion_matrix.png", "top_losses.png", "results.png")) {
            assertTrue(Files.size(out.resolve(f)) > 0, f);
        }
        String html = Files.readString(out.resolve("report.html"));
        assertTrue(html.contains("Interpretation of model.fai"), "title");
        assertTrue(html.contains("<td>final_metrics</td>"), "the model file's provenance");
    }

    @Test
    void interpretACheckpointGivesTheSameMatrix() throws Exception {
        Run r = run("interpret", checkpoint.toString(), "--arch", "SIMPLE_CNN", "--grey", "--data", data.toString(),
                "--bs", "4", "--out", dir.resolve("interp-ckpt").toString());
        assertEquals(0, r.code(), r.err());
        String matrix = InterpretCommand.confusionMatrixText(expectedMatrix(), CLASSES);
        assertTrue(r.out().contains(matrix), "expected\n" + matrix + "in\n" + r.out());
    }

    @Test
    void exportTurnsACheckpointIntoAModelThatPredictsTheSame() throws Exception {
        Path fai = dir.resolve("exported/from-ckpt.fai");
        Run r = run("export", checkpoint.toString(), "--arch", "SIMPLE_CNN", "--grey", "--data", data.toString(),
                "--bs", "4", "--out", fai.toString());
        assertEquals(0, r.code(), r.err());
        Path image = data.resolve("valid/cat/c2.png");
        try (InferenceModel a = InferenceModel.load(modelFile); InferenceModel b = InferenceModel.load(fai)) {
            assertEquals(CLASSES, b.vocab());
            assertArrayEquals(a.predict(image).probs(), b.predict(image).probs(), 1e-6f);
        }
    }

    @Test
    void badModelsAndDataGiveTheirExitCodes() throws Exception {
        assertEquals(Main.EXIT_MODEL, run("interpret", dir.resolve("missing.fai").toString(), "--data",
                data.toString()).code());
        Run size = run("interpret", modelFile.toString(), "--size", "16", "--data", data.toString());
        assertEquals(2, size.code());
        assertTrue(size.err().contains("--size and --grey do not apply"), size.err());
        assertEquals(2, run("export", modelFile.toString(), "--data", data.toString(), "--out",
                dir.resolve("x.fai").toString()).code());
        // a checkpoint that does not fit the architecture
        Run arch = run("interpret", checkpoint.toString(), "--arch", "SMALL_RESNET", "--grey", "--data",
                data.toString(), "--bs", "4", "--out", dir.resolve("bad").toString());
        assertEquals(Main.EXIT_MODEL, arch.code(), arch.err());
        assertTrue(arch.err().contains("does not fit a SMALL_RESNET model"), arch.err());
        // data with other classes than the model's
        Path other = dir.resolve("other");
        Random r = new Random(5);
        for (String c : List.of("bird", "cat", "dog")) {
            png(other.resolve("train/" + c + "/a.png"), 100, r);
            png(other.resolve("valid/" + c + "/b.png"), 100, r);
        }
        Run classes = run("interpret", modelFile.toString(), "--data", other.toString(), "--bs", "2", "--out",
                dir.resolve("other-out").toString());
        assertEquals(Main.EXIT_DATA, classes.code(), classes.err());
        assertTrue(classes.err().contains("[bird, cat, dog] are not the model's [cat, dog]"), classes.err());
    }

    @Test
    void helpListsTheNewCommands() {
        Run r = run("--help");
        assertEquals(0, r.code());
        assertTrue(r.out().contains("interpret"), r.out());
        assertTrue(r.out().contains("export"), r.out());
    }
}

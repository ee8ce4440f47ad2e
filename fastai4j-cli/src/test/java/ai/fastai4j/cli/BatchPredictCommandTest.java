package ai.fastai4j.cli;

import static ai.fastai4j.cli.InterpretExportCommandTest.png;
import static ai.fastai4j.cli.InterpretExportCommandTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.fastai4j.data.DataLoaders;
import ai.fastai4j.export.InferenceModel;
import ai.fastai4j.learner.Learner;
import ai.fastai4j.vision.ImageDataLoaders;
import ai.fastai4j.vision.VisionLearners;
import ai.fastai4j.vision.models.Arch;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fastai4j batch-predict} on an embedded Spark: every image scored as InferenceModel does, bad ones reported. */
class BatchPredictCommandTest {
    @TempDir
    static Path dir;
    static Path data;
    static Path model;

    @BeforeAll
    static void train() throws Exception {
        data = dir.resolve("data");
        Random r = new Random(4);
        for (int i = 0; i < 6; i++) {
            png(data.resolve("train/dark/c" + i + ".png"), 60, r);
            png(data.resolve("train/bright/d" + i + ".png"), 190, r);
            png(data.resolve("valid/dark/c" + i + ".png"), 60, r);
            png(data.resolve("valid/bright/d" + i + ".png"), 190, r);
        }
        Engine.getInstance().setRandomSeed(1);
        try (DataLoaders dls = ImageDataLoaders.fromFolder(data).grey().batchSize(4).workers(0).build();
                Learner learn = VisionLearners.create(dls, Arch.SIMPLE_CNN, b -> b.progress(false).path(dir))) {
            learn.fit(1, 1e-2);
            model = ai.fastai4j.export.ModelExport.export(learn, dir.resolve("model.fai"));
        }
    }

    @Test
    void scoresAFolderToCsvAndReportsTheBadImage() throws Exception {
        Path in = data.resolve("valid");
        Files.writeString(in.resolve("dark/broken.png"), "not a png");
        Path out = dir.resolve("scores.csv");
        var result = run("batch-predict", model.toString(), "--input", in.toString(), "--output", out.toString(),
                "--master", "local[1]", "--k", "2");
        assertEquals(0, result.code(), result.err());
        assertTrue(result.out().contains("scored 13 rows (1 with errors)"), result.out());
        assertTrue(result.err().contains("partitions done"), result.err());
        List<CSVRecord> rows = new ArrayList<>();
        try (Stream<Path> parts = Files.list(out)) {
            for (Path p : parts.filter(f -> f.toString().endsWith(".csv")).toList()) {
                try (Reader reader = Files.newBufferedReader(p)) {
                    CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build().parse(reader)
                            .forEach(rows::add);
                }
            }
        }
        assertEquals(13, rows.size());
        try (InferenceModel m = InferenceModel.load(model)) {
            for (CSVRecord row : rows) {
                Path image = Path.of(java.net.URI.create(row.get("path")));
                if (image.getFileName().toString().equals("broken.png")) {
                    assertTrue(row.get("prediction").isEmpty());
                    assertTrue(!row.get("error").isEmpty());
                } else {
                    assertEquals(m.predict(image).label(), row.get("prediction"), image.toString());
                    assertTrue(row.get("top_k").startsWith("[{\"label\""), row.get("top_k"));
                }
            }
        }
        assertEquals(Main.EXIT_DATA, run("batch-predict", model.toString(), "--input", in.toString(), "--output",
                out.toString(), "--master", "local[1]").code(), "an existing output is never overwritten silently");
    }

    @Test
    void badModelInputAndUsageGetTheirExitCodes() throws Exception {
        var noModel = run("batch-predict", dir.resolve("none.fai").toString(), "--input", data.toString(), "--output",
                dir.resolve("o1").toString());
        assertEquals(Main.EXIT_MODEL, noModel.code());
        assertTrue(noModel.err().contains("none.fai"), noModel.err());
        var noInput = run("batch-predict", model.toString(), "--input", dir.resolve("nowhere").toString(), "--output",
                dir.resolve("o2").toString());
        assertEquals(Main.EXIT_DATA, noInput.code());
        assertTrue(noInput.err().contains("nowhere"), noInput.err());
        assertEquals(2, run("batch-predict", model.toString(), "--input", data.toString(), "--output",
                dir.resolve("o3").toString(), "--format", "xml").code());
        Path csv = dir.resolve("rows.csv");
        Files.writeString(csv, "a,b\n1,2\n");
        var mismatch = run("batch-predict", model.toString(), "--input", csv.toString(), "--output",
                dir.resolve("o4").toString(), "--master", "local[1]");
        assertEquals(Main.EXIT_DATA, mismatch.code());
        assertTrue(mismatch.err().contains("no column 'content'"), mismatch.err());
    }
}

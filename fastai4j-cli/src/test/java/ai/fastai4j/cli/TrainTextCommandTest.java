package ai.fastai4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.fastai4j.export.InferenceModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** train-text on a small CSV, with a language model first; bad options and columns exit 2. */
class TrainTextCommandTest {

    @Test
    void trainsWithALanguageModelFirstAndExportsATextModel(@TempDir Path dir) throws Exception {
        StringBuilder sb = new StringBuilder("review,sentiment\n");
        String[] pos = {"A wonderful, charming film.", "Truly great acting!", "Great fun, wonderful story."};
        String[] neg = {"A dull, boring film.", "Truly awful acting!", "Boring and dull story."};
        for (int i = 0; i < 40; i++) {
            sb.append('"').append(pos[i % 3]).append("\",pos\n\"").append(neg[i % 3]).append("\",neg\n");
        }
        Path csv = Files.writeString(dir.resolve("reviews.csv"), sb);
        Path out = dir.resolve("out");
        TabularCommandsTest.Run r = TabularCommandsTest.run("train-text", "--csv", csv.toString(), "--text-col",
                "review", "--label-col", "sentiment", "--lm-epochs", "1", "--epochs", "2", "--sizes", "8,12,2",
                "--bs", "8", "--lr", "1e-2", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("64 training and 16 validation texts, 2 classes: [neg, pos]"), r.out());
        assertTrue(Files.isRegularFile(out.resolve("models/fine_tuned_enc.safetensors")));
        try (InferenceModel m = InferenceModel.load(out.resolve("model.fai"))) {
            assertEquals(List.of("neg", "pos"), m.vocab());
            assertEquals("text", m.manifest().inputs().get(0).name());
            assertTrue(List.of("neg", "pos").contains(m.predict("What a wonderful film").label()));
        }

        TabularCommandsTest.Run noColumn = TabularCommandsTest.run("train-text", "--csv", csv.toString(), "--out",
                out.toString());
        assertEquals(2, noColumn.code(), noColumn.err());
        assertTrue(noColumn.err().contains("has no column 'text'"), noColumn.err());
        TabularCommandsTest.Run neither = TabularCommandsTest.run("train-text", "--out", out.toString());
        assertEquals(2, neither.code(), neither.err());
        assertTrue(neither.err().contains("give one of --data DIR or --csv FILE"), neither.err());
        TabularCommandsTest.Run sizes = TabularCommandsTest.run("train-text", "--csv", csv.toString(), "--sizes", "8,x");
        assertEquals(2, sizes.code(), sizes.err());
    }
}

package ai.fastai4j.serve;

import static ai.fastai4j.serve.ModelServerTest.post;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.fastai4j.export.InferenceModel;
import ai.fastai4j.learner.Prediction;
import ai.fastai4j.vision.Image;
import ai.fastai4j.vision.ImageFiles;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cost of a request is bounded by the model, not by the pixels a client sends. */
class ModelServerCostTest {
    @TempDir
    static Path dir;

    /** A blank (black) RGB image encoded as PNG: a few KB for millions of pixels. */
    static byte[] blankPng(int h, int w) {
        return TinyModel.encode(new Image(h, w, 3, new byte[h * w * 3]), "png");
    }

    @Test
    void aHugeBlankImageReachesTheModelAtItsTrainingSize() throws Exception {
        Path file = TinyModel.export(dir);
        byte[] png = blankPng(2000, 2000);
        assertTrue(png.length < 50_000, png.length + " bytes");
        try (InferenceModel model = InferenceModel.load(file);
                ModelServer s = ModelServer.builder().model(model).port(0).start()) {
            // what waits for the model and goes through it: the 28x28 of the file's resize, not 2000x2000
            Image decoded = ImageFiles.decode(png, 3, "blank");
            InferenceModel.Prepared in = model.prepare(decoded);
            Image x = (Image) in.sample().get(0);
            assertEquals(28, x.height());
            assertEquals(28, x.width());
            ModelServerTest.Answer a = post(s, "?k=2", "image/png", png);
            assertEquals(200, a.status(), a.text());
            Prediction want = model.predict(in);
            JsonNode top = a.json().get("top");
            float[] got = new float[2];
            for (JsonNode t : top) {
                got[model.vocab().indexOf(t.get("label").textValue())] = (float) t.get("probability").doubleValue();
            }
            assertArrayEquals(want.probs(), got, 1e-6f);
            assertArrayEquals(want.probs(), model.predict(png).probs(), 1e-6f);
        }
    }

    @Test
    void aModelWithoutAFixedSizeHasAPixelBudget() throws Exception {
        Path file = TinyModel.exportWithoutSize(dir);
        try (InferenceModel model = InferenceModel.load(file);
                ModelServer s = ModelServer.builder().model(model).port(0).maxModelPixels(100 * 100).start()) {
            assertTrue(model.manifest().itemTransforms().isEmpty(), model.manifest().itemTransforms().toString());
            ModelServerTest.Answer big = post(s, "", "image/png", blankPng(2000, 2000));
            assertEquals(422, big.status(), big.text());
            String error = big.json().get("error").textValue();
            assertTrue(error.contains("2000x2000") && error.contains("no fixed input size")
                    && error.contains("--max-pixels"), error);
            ModelServerTest.Answer small = post(s, "", "image/png", blankPng(100, 100));
            assertEquals(200, small.status(), small.text());
            assertEquals(1, s.stats().predictions());
        }
    }
}

package ai.fastai4j.serve;

import static ai.fastai4j.serve.ModelServerRowsTest.postJson;
import static ai.fastai4j.serve.ModelServerTest.get;
import static ai.fastai4j.serve.ModelServerTest.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.fastai4j.export.ExportRegistry;
import ai.fastai4j.export.InferenceModel;
import ai.fastai4j.export.ModelExport;
import ai.fastai4j.export.ModelFactory;
import ai.fastai4j.export.Params;
import ai.fastai4j.learner.Learner;
import ai.fastai4j.learner.Prediction;
import ai.fastai4j.nn.Embedding;
import ai.fastai4j.nn.Linear;
import ai.fastai4j.nn.ModelSpec;
import ai.fastai4j.nn.Module;
import ai.fastai4j.serve.ModelServerTest.Answer;
import ai.fastai4j.text.data.TextDataLoaders;
import ai.fastai4j.text.tokenize.TokenCache;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A text classifier served on JSON texts, checked against {@link InferenceModel#predict} and predictBatch. */
class ModelServerTextTest {
    static final String FACTORY = "test_text_bag_of_words";
    @TempDir
    static Path dir;
    static InferenceModel model;

    /** Mean of the embeddings of the non-padding tokens (padding is index 1), then a linear layer. */
    static final class BagOfWords extends Module {
        private final Embedding emb;
        private final Linear head;

        BagOfWords(NDManager m, int vocab, int classes) {
            emb = register("emb", new Embedding(m, vocab, 6));
            head = register("head", new Linear(m, 6, classes, true));
        }

        @Override
        public NDArray forward(NDArray x) {
            NDArray mask = x.neq(1).toType(DataType.FLOAT32, false).expandDims(2);
            return head.forward(emb.forward(x).mul(mask).sum(new int[] {1}).div(mask.sum(new int[] {1})));
        }
    }

    @BeforeAll
    static void exportModel() throws Exception {
        Engine.getInstance().setRandomSeed(11);
        ExportRegistry.global().registerModel(FACTORY, ModelFactory.of((m, p) -> new BagOfWords(m,
                Params.getInt(p, "vocab"), Params.getInt(p, "classes")), p -> Params.getInt(p, "classes")));
        StringBuilder csv = new StringBuilder("text,label\n");
        String[] pos = {"A wonderful, charming film.", "Truly great acting!", "Great fun, wonderful."};
        String[] neg = {"A dull, boring film.", "Truly awful acting!", "Boring and dull."};
        for (int i = 0; i < 30; i++) {
            csv.append('"').append(pos[i % 3]).append("\",pos\n\"").append(neg[i % 3]).append("\",neg\n");
        }
        Path file = dir.resolve("reviews.fai");
        try (TextDataLoaders tdl = TextDataLoaders.fromCsv(Files.writeString(dir.resolve("r.csv"), csv)).bs(8)
                .minFreq(2).numWorkers(0).cache(new TokenCache(dir.resolve("tok"))).build();
                NDManager m = NDManager.newBaseManager()) {
            try (Learner learn = Learner.builder(tdl.dls(), new BagOfWords(m, tdl.vocab().size(), tdl.c()))
                    .progress(false).build()) {
                learn.fitOneCycle(2, 3e-2);
                learn.setModelSpec(new ModelSpec(FACTORY, Map.of("vocab", tdl.vocab().size(), "classes", tdl.c())));
                ModelExport.export(learn, file);
            }
        }
        model = InferenceModel.load(file);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    static void assertAnswer(Prediction want, JsonNode a, String what) {
        assertEquals(want.label(), a.get("label").textValue(), what);
        int idx = model.vocab().indexOf((String) want.label());
        assertEquals(want.probs()[idx], (float) a.get("probability").doubleValue(), 0f, what);
    }

    @Test
    void textsGetTheModelsOwnPredictions() throws Exception {
        List<String> probes = List.of("What a wonderful film!", "dull and BORING", "Never seen words here.");
        try (ModelServer s = ModelServer.builder().model(model).port(0).start()) {
            for (String p : probes) {
                Answer a = postJson(s, "", Map.of("text", p));
                assertEquals(200, a.status(), a.text());
                assertAnswer(model.predict(p), a.json(), p);
            }
            assertEquals("pos", postJson(s, "", Map.of("text", "great wonderful charming")).json().get("label")
                    .textValue());
            Answer b = postJson(s, "", Map.of("texts", probes));
            assertEquals(200, b.status(), b.text());
            List<Prediction> want = model.predictBatch(probes);
            for (int i = 0; i < probes.size(); i++) {
                assertAnswer(want.get(i), b.json().get("predictions").get(i), "texts[" + i + "]");
            }
            JsonNode input = get(s, "metadata").json().get("input");
            assertEquals("text", input.get("kind").textValue());
            assertEquals(72 * 20, input.get("maxLen").intValue());
            Answer page = get(s, "");
            assertEquals(200, page.status());
            assertTrue(page.contentType().startsWith("text/html"), page.contentType());
            assertTrue(page.text().contains("<textarea"), page.text());
            assertEquals(0, s.stats().serverErrors());
        }
    }

    @Test
    void emptyOversizedAndMalformedTextsGetJson4xx() throws Exception {
        record Case(String what, String type, String body, int status, String says) {}
        String tooManyChars = "{\"text\": \"" + "x".repeat(72 * 20 * 20 + 1) + "\"}";
        String tooManyTokens = "{\"text\": \"" + "great film ".repeat(72 * 10 + 1) + "\"}";
        List<Case> cases = List.of(
                new Case("an empty text", "application/json", "{\"text\": \"\"}", 422, "field 'text' is empty"),
                new Case("a blank text", "application/json", "{\"text\": \" \\n \"}", 422, "is empty"),
                new Case("too many characters", "application/json", tooManyChars, 413,
                        "28801 characters, more than this model's limit of 28800 (1440 tokens)"),
                new Case("too many tokens", "application/json", tooManyTokens, 422,
                        "tokens, more than this model's limit of 1440"),
                new Case("a number", "application/json", "{\"text\": 5}", 422, "field 'text' must be a string"),
                new Case("both fields", "application/json", "{\"text\": \"a\", \"texts\": []}", 400, "one field"),
                new Case("texts not an array", "application/json", "{\"texts\": \"a\"}", 400, "array of strings"),
                new Case("an empty one of texts", "application/json", "{\"texts\": [\"fine\", \"\"]}", 422,
                        "texts[1] is empty"),
                new Case("an image", "image/png", "png", 415, "this model takes text, not images"),
                new Case("no body", "application/json", "", 400, "body is empty"));
        try (ModelServer s = ModelServer.builder().model(model).port(0).start()) {
            for (Case c : cases) {
                Answer a = post(s, "", c.type(), c.body().getBytes(StandardCharsets.UTF_8));
                assertEquals(c.status(), a.status(), c.what() + ": " + a.text());
                assertTrue(a.contentType().startsWith("application/json"), c.what());
                assertTrue(a.json().get("error").textValue().contains(c.says()), c.what() + ": " + a.text());
            }
            Answer ok = postJson(s, "", Map.of("text", "still serving"));
            assertEquals(200, ok.status(), ok.text());
            assertEquals(0, s.stats().serverErrors());
        }
    }
}

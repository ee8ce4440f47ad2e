package ai.fastai4j.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.fastai4j.data.DataException;
import ai.fastai4j.export.ExportRegistry;
import ai.fastai4j.export.InferenceModel;
import ai.fastai4j.export.Manifest;
import ai.fastai4j.export.ModelExport;
import ai.fastai4j.export.ModelFactory;
import ai.fastai4j.export.Params;
import ai.fastai4j.learner.Learner;
import ai.fastai4j.learner.Prediction;
import ai.fastai4j.nn.Embedding;
import ai.fastai4j.nn.Linear;
import ai.fastai4j.nn.ModelSpec;
import ai.fastai4j.nn.Module;
import ai.fastai4j.text.data.TextDataLoaders;
import ai.fastai4j.text.learner.TextClassifierLearner;
import ai.fastai4j.text.learner.TextLearners;
import ai.fastai4j.text.models.AwdLstmConfig;
import ai.fastai4j.text.models.AwdLstmExport;
import ai.fastai4j.text.tokenize.TokenCache;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Export and load of a text classifier: the text block's vocabulary and tokenizer travel in the manifest. */
class TextExportTest {
    static final String FACTORY = "test_bag_of_words";

    /** Mean of the embeddings of the non-padding tokens, then a linear layer. */
    static final class BagOfWords extends Module {
        private final Embedding emb;
        private final Linear head;

        BagOfWords(NDManager m, int vocab, int classes) {
            emb = register("emb", new Embedding(m, vocab, 6));
            head = register("head", new Linear(m, 6, classes, true));
        }

        @Override
        public NDArray forward(NDArray x) {
            NDArray mask = x.neq(SpecialTokens.PAD_INDEX).toType(DataType.FLOAT32, false).expandDims(2);
            NDArray mean = emb.forward(x).mul(mask).sum(new int[] {1}).div(mask.sum(new int[] {1}));
            return head.forward(mean);
        }
    }

    static ExportRegistry registry() {
        ExportRegistry r = ExportRegistry.withDefaults();
        r.registerModel(FACTORY, ModelFactory.of((m, p) -> new BagOfWords(m, Params.getInt(p, "vocab"),
                Params.getInt(p, "classes")), p -> Params.getInt(p, "classes")));
        return r;
    }

    static Path csv(Path dir) throws IOException {
        StringBuilder sb = new StringBuilder("text,label\n");
        String[] good = {"A wonderful, charming film.", "Truly great acting!", "I loved it, great fun.",
            "Wonderful and great."};
        String[] bad = {"A dull, boring film.", "Truly awful acting!", "I hated it, boring mess.", "Awful and dull."};
        for (int i = 0; i < 40; i++) {
            sb.append('"').append(good[i % 4]).append("\",good\n").append('"').append(bad[i % 4]).append("\",bad\n");
        }
        return Files.writeString(dir.resolve("reviews.csv"), sb);
    }

    @Test
    void exportLoadPredictIsExact(@TempDir Path dir) throws IOException {
        Engine.getInstance().setRandomSeed(3);
        Path file = dir.resolve("clf.fai");
        ExportRegistry reg = registry();
        List<String> probes = List.of("A great, wonderful film!", "boring", "Something never seen before, at all.",
                "GREAT acting and a dull plot");
        float[][] expected = new float[probes.size()][];
        List<String> vocab;
        try (TextDataLoaders tdl = TextDataLoaders.fromCsv(csv(dir)).bs(8).minFreq(2).numWorkers(0)
                .cache(new TokenCache(dir.resolve("tok"))).build();
                NDManager m = NDManager.newBaseManager()) {
            vocab = tdl.vocab().itos();
            BagOfWords model = new BagOfWords(m, tdl.vocab().size(), tdl.c());
            try (Learner learn = Learner.builder(tdl.dls(), model).progress(false).build()) {
                learn.fitOneCycle(1, 1e-2);
                learn.setModelSpec(new ModelSpec(FACTORY, Map.of("vocab", tdl.vocab().size(), "classes", tdl.c())));
                ModelExport.export(learn, file, reg);
                for (int i = 0; i < probes.size(); i++) {
                    expected[i] = learn.predict(probes.get(i)).probs();
                }
            }
        }
        try (InferenceModel model = InferenceModel.load(file, reg)) {
            Manifest.Component input = model.manifest().inputs().get(0);
            assertEquals(TextExport.BLOCK, input.name());
            assertEquals(vocab, input.params().get("vocab"));
            @SuppressWarnings("unchecked")
            Map<String, Object> tok = (Map<String, Object>) input.params().get("tokenizer");
            assertEquals(List.of("fix_html", "replace_rep", "replace_wrep", "spec_add_spaces", "rm_useless_spaces",
                    "replace_all_caps", "replace_maj", "lowercase"), tok.get("rules"));
            assertEquals(List.of("bad", "good"), model.vocab());
            for (int i = 0; i < probes.size(); i++) {
                Prediction p = model.predict(probes.get(i));
                assertArrayEquals(expected[i], p.probs(), "probe " + i);
            }
            List<Prediction> batch = model.predictBatch(probes);
            for (int i = 0; i < probes.size(); i++) {
                assertArrayEquals(expected[i], batch.get(i).probs(), 1e-6f, "batched probe " + i);
            }
            assertEquals("good", model.predict("great wonderful great").label());
            DataException tooLong = assertThrows(DataException.class,
                    () -> model.predict("great film ".repeat(TextExport.DEFAULT_MAX_LEN / 2 + 1)));
            assertTrue(tooLong.getMessage().contains("more than this model's limit of " + TextExport.DEFAULT_MAX_LEN),
                    tooLong.getMessage());
            DataException huge = assertThrows(DataException.class,
                    () -> model.predict("x".repeat(TextExport.DEFAULT_MAX_LEN * 20 + 1)));
            assertTrue(huge.getMessage().contains("characters"), huge.getMessage());
        }
    }

    /** An AWD-LSTM classifier from TextLearners exports (its text block and model) and predicts raw text exactly. */
    @Test
    void awdLstmClassifierExportsAndPredictsExactly(@TempDir Path dir) throws IOException {
        Engine.getInstance().setRandomSeed(4);
        Path file = dir.resolve("awd.fai");
        List<String> probes = List.of("A great, wonderful film!", "boring", "I hated it, what a dull mess.");
        float[][] expected = new float[probes.size()][];
        AwdLstmConfig tiny = AwdLstmConfig.classifier().withSizes(8, 12, 2);
        try (TextDataLoaders tdl = TextDataLoaders.fromCsv(csv(dir)).bs(8).minFreq(2).numWorkers(0)
                .cache(new TokenCache(dir.resolve("tok"))).build();
                TextClassifierLearner learn = TextLearners.classifier(tdl).config(tiny)
                        .learner(b -> b.progress(false)).build()) {
            learn.fitOneCycle(1, 1e-2);
            ModelExport.export(learn, file);
            for (int i = 0; i < probes.size(); i++) {
                expected[i] = learn.predict(probes.get(i)).probs();
            }
        }
        try (InferenceModel model = InferenceModel.load(file)) {
            assertEquals(AwdLstmExport.CLASSIFIER, model.manifest().model().name());
            for (int i = 0; i < probes.size(); i++) {
                assertArrayEquals(expected[i], model.predict(probes.get(i)).probs(), "probe " + i);
            }
            List<Prediction> batch = model.predictBatch(probes);
            for (int i = 0; i < probes.size(); i++) {
                assertArrayEquals(expected[i], batch.get(i).probs(), 1e-5f, "batched probe " + i);
            }
        }
    }
}

package ai.fastai4j.collab;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.fastai4j.data.DataException;
import ai.fastai4j.export.InferenceModel;
import ai.fastai4j.export.Manifest;
import ai.fastai4j.export.ModelExport;
import ai.fastai4j.export.ModelFileException;
import ai.fastai4j.learner.Prediction;
import ai.fastai4j.nn.ModelSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Collab learners exported to {@code .fai} files and loaded with {@link InferenceModel}. */
class CollabExportTest {

    static Map<String, String> pair(String user, String item) {
        return Map.of("user", user, "item", item);
    }

    static final List<Map<String, String>> PAIRS = List.of(pair("u0", "0"), pair("u3", "39"), pair("u59", "17"),
            pair("u12", "5"), pair("u40", "22"));

    @Test
    void dotBiasRoundTrip(@TempDir Path dir) {
        Engine.getInstance().setRandomSeed(31);
        Path file = dir.resolve("ratings.fai");
        try (CollabDataLoaders dls = CollabDataLoaders.fromTable(CollabTest.lowRank(31)).batchSize(32).build();
                CollabLearner learn = CollabLearners.create(dls, 8, new double[] {0, 5.5}, false,
                        b -> b.progress(false))) {
            learn.fitOneCycle(2, 1e-2);
            ModelExport.export(learn, file);
            try (InferenceModel model = InferenceModel.load(file)) {
                Manifest m = model.manifest();
                assertEquals("regression", m.task());
                assertEquals(new ModelSpec(CollabExport.DOT_BIAS, Map.of("n_factors", 8, "n_users", 61,
                        "n_items", 41, "y_range", List.of(0.0, 5.5))), m.model());
                assertEquals(new Manifest.Component(CollabExport.BLOCK, Map.of("user_name", "user", "item_name", "item",
                        "users", dls.users(), "items", dls.items())), m.inputs().get(0));
                assertEquals(List.of(), m.batchTransforms());
                List<Prediction> batch = model.predictBatch(PAIRS);
                for (int i = 0; i < PAIRS.size(); i++) {
                    Prediction want = learn.predict(PAIRS.get(i));
                    Prediction got = model.predict(PAIRS.get(i));
                    assertEquals(want.label(), got.label(), PAIRS.get(i).toString());
                    assertArrayEquals(want.probs(), got.probs(), 0f);
                    assertEquals((Float) want.label(), (Float) batch.get(i).label(), 1e-6f);
                    float r = (Float) got.label();
                    assertTrue(r > 0 && r < 5.5, "inside the y_range: " + r);
                }
                // the recommendations' scores are the same ratings
                CollabLearner.Scored top = learn.recommend("u3", 1).get(0);
                assertEquals(top.score(), (Float) model.predict(pair("u3", top.key())).label(), 1e-6);

                // unknown or missing keys are refused by name (learn.predict would rate them as #na#)
                DataException e = assertThrows(DataException.class, () -> model.predict(pair("stranger", "3")));
                assertTrue(e.getMessage().contains("user 'stranger' is not in the training data (60 users known)"),
                        e.getMessage());
                e = assertThrows(DataException.class, () -> model.predict(pair("u3", "999")));
                assertTrue(e.getMessage().contains("item '999' is not in the training data (40 items known)"),
                        e.getMessage());
                e = assertThrows(DataException.class, () -> model.predict(pair("u3", "")));
                assertTrue(e.getMessage().contains("the item (column 'item') is missing"), e.getMessage());
                e = assertThrows(DataException.class, () -> model.predict(Map.of("user", "u3")));
                assertTrue(e.getMessage().contains("no column 'item'"), e.getMessage());
                assertEquals(learn.predict(PAIRS.get(0)).label(), model.predict(PAIRS.get(0)).label(),
                        "still usable after bad input");
            }
        }
    }

    @Test
    void embeddingNnRoundTrip(@TempDir Path dir) {
        Engine.getInstance().setRandomSeed(32);
        Path file = dir.resolve("nn.fai");
        try (CollabDataLoaders dls = CollabDataLoaders.fromTable(CollabTest.lowRank(32)).batchSize(32).build();
                CollabLearner learn = CollabLearners.create(dls, 8, new double[] {0, 5.5}, true,
                        b -> b.progress(false))) {
            learn.fitOneCycle(1, 1e-2);
            ModelExport.export(learn, file);
            try (InferenceModel model = InferenceModel.load(file)) {
                assertEquals(CollabExport.NN, model.manifest().model().name());
                // users: 61 -> round(1.6 * 61^0.56) = 16; items: 41 -> 13
                assertEquals(List.of(List.of(61, 16), List.of(41, 13)),
                        model.manifest().model().params().get("emb_szs"));
                for (Map<String, String> p : PAIRS) {
                    assertArrayEquals(learn.predict(p).probs(), model.predict(p).probs(), 0f, p.toString());
                }
            }
            // a vocabulary that no longer fits the embeddings is refused before any weights are read
            Path tampered = dir.resolve("tampered.fai");
            try {
                ai.fastai4j.tabular.ManifestEdits.editManifest(file, tampered, m ->
                        ((com.fasterxml.jackson.databind.node.ArrayNode) m.get("inputs").get(0).get("params")
                                .get("users")).add("u_new"));
            } catch (java.io.IOException ex) {
                throw new java.io.UncheckedIOException(ex);
            }
            ModelFileException e = assertThrows(ModelFileException.class, () -> InferenceModel.load(tampered).close());
            assertTrue(e.getMessage().contains("the input block has 62 users and 41 items (#na# included), the model's "
                    + "embeddings 61 and 41 rows"), e.getMessage());
        }
    }
}

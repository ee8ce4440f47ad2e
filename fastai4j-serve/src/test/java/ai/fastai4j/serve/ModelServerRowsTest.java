package ai.fastai4j.serve;

import static ai.fastai4j.serve.ModelServerTest.get;
import static ai.fastai4j.serve.ModelServerTest.multipart;
import static ai.fastai4j.serve.ModelServerTest.multipartType;
import static ai.fastai4j.serve.ModelServerTest.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.fastai4j.collab.CollabDataLoaders;
import ai.fastai4j.collab.CollabLearner;
import ai.fastai4j.collab.CollabLearners;
import ai.fastai4j.export.InferenceModel;
import ai.fastai4j.export.ModelExport;
import ai.fastai4j.learner.Prediction;
import ai.fastai4j.serve.ModelServerTest.Answer;
import ai.fastai4j.tabular.Table;
import ai.fastai4j.tabular.TabularConfig;
import ai.fastai4j.tabular.TabularDataLoaders;
import ai.fastai4j.tabular.TabularLearner;
import ai.fastai4j.tabular.TabularLearners;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tabular and collab models served on rows, checked against {@link InferenceModel#predict} and predictBatch. */
class ModelServerRowsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static InferenceModel tabular;
    static InferenceModel collab;
    static int knownUsers;
    static int knownItems;

    @BeforeAll
    static void exportModels() {
        Engine.getInstance().setRandomSeed(5);
        Random r = new Random(5);
        String[] colors = {"red", "green", "blue"};
        List<Map<String, String>> rows = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            String color = colors[r.nextInt(3)];
            double x1 = r.nextGaussian();
            double x2 = 5 + 2 * r.nextGaussian();
            double score = (color.equals("red") ? 1.5 : color.equals("blue") ? -1.5 : 0) + 1.5 * x1 - 0.75 * (x2 - 5);
            Map<String, String> row = new LinkedHashMap<>();
            row.put("color", color);
            row.put("size", r.nextBoolean() ? "S" : "M");
            row.put("x1", r.nextDouble() < 0.1 ? "" : String.format(Locale.ROOT, "%.4f", x1));
            row.put("x2", String.format(Locale.ROOT, "%.4f", x2));
            row.put("label", score > 0 ? "yes" : "no");
            rows.add(row);
        }
        Path tabFile = dir.resolve("table.fai");
        try (TabularDataLoaders dls = TabularDataLoaders.fromTable(Table.fromRows("synthetic.csv", rows))
                .catNames("color", "size").contNames("x1", "x2").yNames("label").batchSize(32).build();
                TabularLearner learn = TabularLearners.create(dls, List.of(8), TabularConfig.defaults(), Map.of(),
                        b -> b.progress(false))) {
            learn.fitOneCycle(1, 1e-2);
            ModelExport.export(learn, tabFile);
        }
        List<Map<String, String>> ratings = new ArrayList<>();
        for (int u = 0; u < 12; u++) {
            for (int i = 0; i < 10; i++) {
                if (r.nextDouble() < 0.6) {
                    Map<String, String> row = new LinkedHashMap<>();
                    row.put("user", "u" + u);
                    row.put("item", Integer.toString(i));
                    row.put("rating", String.format(Locale.ROOT, "%.2f", 1 + (u % 4) + 0.3 * (i % 3)));
                    ratings.add(row);
                }
            }
        }
        Path colFile = dir.resolve("ratings.fai");
        try (CollabDataLoaders dls = CollabDataLoaders.fromTable(Table.fromRows("ratings.csv", ratings)).batchSize(16)
                .build();
                CollabLearner learn = CollabLearners.create(dls, 4, new double[] {0, 5.5}, false,
                        b -> b.progress(false))) {
            learn.fitOneCycle(1, 1e-2);
            ModelExport.export(learn, colFile);
            knownUsers = dls.users().size() - 1;
            knownItems = dls.items().size() - 1;
        }
        tabular = InferenceModel.load(tabFile);
        collab = InferenceModel.load(colFile);
    }

    @AfterAll
    static void closeModels() {
        tabular.close();
        collab.close();
    }

    static Map<String, String> row(String color, String size, String x1, String x2) {
        Map<String, String> r = new LinkedHashMap<>();
        r.put("color", color);
        r.put("size", size);
        r.put("x1", x1);
        r.put("x2", x2);
        return r;
    }

    static Answer postJson(ModelServer s, String query, Object body) throws Exception {
        byte[] b = body instanceof String str ? str.getBytes(StandardCharsets.UTF_8) : JSON.writeValueAsBytes(body);
        return post(s, query, "application/json", b);
    }

    /** {@code a} is exactly the classification answer for {@code want}, with the top {@code k} classes. */
    static void assertClassAnswer(Prediction want, JsonNode a, int k, String what) {
        assertEquals(want.label(), a.get("label").textValue(), what);
        float[] probs = want.probs();
        int idx = tabular.vocab().indexOf((String) want.label());
        assertEquals(probs[idx], (float) a.get("probability").doubleValue(), 0f, what);
        Integer[] order = new Integer[probs.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (x, y) -> Float.compare(probs[y], probs[x]));
        JsonNode top = a.get("top");
        assertEquals(Math.min(k, probs.length), top.size(), what);
        for (int i = 0; i < top.size(); i++) {
            assertEquals(tabular.vocab().get(order[i]), top.get(i).get("label").textValue(), what);
            assertEquals(probs[order[i]], (float) top.get(i).get("probability").doubleValue(), 0f, what);
        }
    }

    @Test
    void tabularRowsGetTheModelsOwnPredictions() throws Exception {
        List<Map<String, String>> probes = List.of(row("red", "M", "1.0", "3.0"), row("blue", "S", "-1", "8"),
                row("green", "M", null, "5"), row("purple", "S", "0.4", "5.5"), row("red", "XL", "", "2"));
        try (ModelServer s = ModelServer.builder().model(tabular).port(0).start()) {
            for (Map<String, String> p : probes) {
                Answer a = postJson(s, "", Map.of("row", p));
                assertEquals(200, a.status(), a.text());
                assertClassAnswer(tabular.predict(p), a.json(), 5, p.toString());
            }
            // numbers as JSON numbers and an extra column: the same as the row written as strings
            Answer n = postJson(s, "?k=1", "{\"row\": {\"color\": \"red\", \"size\": \"M\", \"x1\": 1.5, \"x2\": 3,"
                    + " \"note\": \"ignored\"}}");
            assertEquals(200, n.status(), n.text());
            assertClassAnswer(tabular.predict(row("red", "M", "1.5", "3")), n.json(), 1, "numbers");
            assertEquals(1, n.json().get("top").size());

            Answer b = postJson(s, "", Map.of("rows", probes));
            assertEquals(200, b.status(), b.text());
            JsonNode ps = b.json().get("predictions");
            assertEquals(probes.size(), ps.size());
            List<Prediction> want = tabular.predictBatch(probes);
            for (int i = 0; i < probes.size(); i++) {
                assertClassAnswer(want.get(i), ps.get(i), 5, "rows[" + i + "]");
            }
            // unseen categories, counted per column: purple (color) in row 3, XL (size) in row 4; a missing x1 is not
            assertEquals(Map.of("color", 1, "size", 1), JSON.convertValue(b.json().get("unseen"), Map.class));
            assertEquals(Map.of("color", 1), JSON.convertValue(ps.get(3).get("unseen"), Map.class));
            assertEquals(Map.of(), JSON.convertValue(ps.get(2).get("unseen"), Map.class));
            Answer two = postJson(s, "", Map.of("rows", List.of(probes.get(3), probes.get(3), probes.get(4))));
            assertEquals(Map.of("color", 2, "size", 1), JSON.convertValue(two.json().get("unseen"), Map.class));
            Answer one = postJson(s, "", Map.of("row", probes.get(4)));
            assertEquals(Map.of("size", 1), JSON.convertValue(one.json().get("unseen"), Map.class));
            Answer empty = postJson(s, "", "{\"rows\": []}");
            assertEquals(200, empty.status(), empty.text());
            assertEquals(0, empty.json().get("predictions").size());

            JsonNode m = get(s, "metadata").json();
            JsonNode input = m.get("input");
            assertEquals("tabular", input.get("block").textValue());
            assertEquals("rows", input.get("kind").textValue());
            assertEquals(List.of("color", "size"), JSON.convertValue(input.get("catNames"), List.class));
            assertEquals(List.of("x1", "x2"), JSON.convertValue(input.get("contNames"), List.class));
            assertEquals(List.of("color", "size", "x1", "x2"), JSON.convertValue(input.get("columns"), List.class));
            assertEquals(List.of("no", "yes"), JSON.convertValue(m.get("categories"), List.class));
            assertEquals(1000, m.get("server").get("maxRows").intValue());

            Answer page = get(s, "");
            assertEquals(200, page.status());
            assertTrue(page.contentType().startsWith("text/plain"), page.contentType());
            assertTrue(page.text().contains("[color, size, x1, x2]") && page.text().contains("POST /predict"),
                    page.text());
            assertEquals(0, s.stats().serverErrors());
        }
    }

    @Test
    void malformedRowsGetJsonErrorsAndTheServerKeepsServing() throws Exception {
        Map<String, String> good = row("red", "M", "1.0", "3.0");
        byte[] png = TinyModel.encode(TinyModel.image("red", 20, 20, new Random(1)), "png");
        String fourRows = JSON.writeValueAsString(Map.of("rows", List.of(good, good, good, good)));
        record Case(String what, String type, String body, int status, String says) {}
        List<Case> cases = List.of(
                new Case("a row that is an array", "application/json", "{\"row\": [\"red\", \"M\"]}", 422,
                        "field 'row' must be an object of column to value, got array"),
                new Case("one of the rows a number", "application/json",
                        "{\"rows\": [{\"color\": \"red\", \"size\": \"M\", \"x1\": 1, \"x2\": 2}, 7]}", 422,
                        "rows[1] must be an object of column to value, got number"),
                new Case("a boolean value", "application/json",
                        "{\"row\": {\"color\": true, \"size\": \"M\", \"x1\": 1, \"x2\": 2}}", 422,
                        "column 'color' must be a string, a number or null, got boolean"),
                new Case("an object value", "application/json",
                        "{\"rows\": [{\"color\": \"red\", \"size\": {\"a\": 1}, \"x1\": 1, \"x2\": 2}]}", 422,
                        "rows[0]: column 'size' must be a string, a number or null, got object"),
                new Case("a missing column", "application/json", "{\"row\": {\"color\": \"red\", \"x1\": 1, \"x2\": 2}}",
                        422, "no column 'size'"),
                new Case("a missing column in rows", "application/json",
                        "{\"rows\": [{\"color\": \"red\", \"size\": \"M\", \"x1\": 1, \"x2\": 2}, {\"color\": \"red\"}]}",
                        422, "input 1 ("),
                new Case("a word for a number", "application/json",
                        "{\"row\": {\"color\": \"red\", \"size\": \"M\", \"x1\": \"one\", \"x2\": 2}}", 422,
                        "column 'x1': 'one' is not a number"),
                new Case("too many rows", "application/json", fourRows, 413, "limit of 3"),
                new Case("rows not an array", "application/json", "{\"rows\": {\"color\": \"red\"}}", 400,
                        "must be an array"),
                new Case("neither row nor rows", "application/json", "{\"data\": {}}", 400, "'row' or 'rows'"),
                new Case("both row and rows", "application/json", "{\"row\": {}, \"rows\": []}", 400, "'row' or 'rows'"),
                new Case("a JSON array", "application/json", "[]", 400, "'row' or 'rows'"),
                new Case("invalid JSON", "application/json", "{\"row\": ", 400, "not valid JSON"),
                new Case("empty body", "application/json", "", 400, "empty"),
                new Case("a JSON image", "application/json", "{\"image\": \"aGVsbG8=\"}", 415,
                        "takes table rows (input block 'tabular'), not images"),
                new Case("a PNG upload", "image/png", null, 415, "not images: send application/json {\"row\""),
                new Case("a multipart upload", multipartType(), null, 415, "[color, size, x1, x2]"),
                new Case("form-urlencoded", "application/x-www-form-urlencoded", "row=1", 415,
                        "unsupported Content-Type"),
                new Case("no content type", null, "{}", 415, "no Content-Type"));
        try (ModelServer s = ModelServer.builder().model(tabular).port(0).maxRows(3).start()) {
            for (Case c : cases) {
                byte[] body = c.body() != null ? c.body().getBytes(StandardCharsets.UTF_8)
                        : c.type().startsWith("multipart") ? multipart("file", "red.png", "image/png", png) : png;
                Answer a = post(s, "", c.type(), body);
                assertEquals(c.status(), a.status(), c.what() + ": " + a.text());
                assertTrue(a.contentType().startsWith("application/json"), c.what() + ": " + a.contentType());
                assertEquals(c.status(), a.json().get("status").intValue(), c.what());
                String error = a.json().get("error").textValue();
                assertTrue(error.contains(c.says()), c.what() + ": '" + error + "' should say '" + c.says() + "'");
                Answer ok = postJson(s, "", Map.of("row", good));
                assertEquals(200, ok.status(), c.what() + ", then a good row: " + ok.text());
                assertClassAnswer(tabular.predict(good), ok.json(), 5, "after " + c.what());
            }
            ModelServer.Stats st = s.stats();
            assertEquals(cases.size(), st.clientErrors());
            assertEquals(cases.size(), st.predictions());
            assertEquals(0, st.serverErrors());
        }
    }

    @Test
    void collabRowsGetRatingsAsValues() throws Exception {
        List<Map<String, String>> pairs = List.of(Map.of("user", "u0", "item", "3"), Map.of("user", "u7", "item", "0"),
                Map.of("user", "u11", "item", "9"));
        try (ModelServer s = ModelServer.builder().model(collab).port(0).start()) {
            for (Map<String, String> p : pairs) {
                Answer a = postJson(s, "", Map.of("row", p));
                assertEquals(200, a.status(), a.text());
                float want = (Float) collab.predict(p).label();
                assertEquals(want, (float) a.json().get("value").doubleValue(), 0f, p.toString());
                assertEquals(2, a.json().size(), "a regression answers its value and the unseen counts: " + a.text());
                assertEquals(0, a.json().get("unseen").size(), a.text());
            }
            // an item id given as a JSON number is the same item
            Answer num = postJson(s, "", "{\"row\": {\"user\": \"u0\", \"item\": 3}}");
            assertEquals((Float) collab.predict(pairs.get(0)).label(), (float) num.json().get("value").doubleValue(), 0f);

            Answer b = postJson(s, "", Map.of("rows", pairs));
            assertEquals(200, b.status(), b.text());
            List<Prediction> want = collab.predictBatch(pairs);
            for (int i = 0; i < pairs.size(); i++) {
                assertEquals((Float) want.get(i).label(),
                        (float) b.json().get("predictions").get(i).get("value").doubleValue(), 0f);
            }

            Answer stranger = postJson(s, "", "{\"row\": {\"user\": \"stranger\", \"item\": \"3\"}}");
            assertEquals(422, stranger.status(), stranger.text());
            assertTrue(stranger.json().get("error").textValue().contains("user 'stranger' is not in the training data ("
                    + knownUsers + " users known)"), stranger.text());
            Answer noItem = postJson(s, "", "{\"rows\": [{\"user\": \"u0\", \"item\": \"3\"}, {\"user\": \"u0\"}]}");
            assertEquals(422, noItem.status(), noItem.text());
            assertTrue(noItem.json().get("error").textValue().contains("no column 'item'"), noItem.text());
            Answer nullItem = postJson(s, "", "{\"row\": {\"user\": \"u0\", \"item\": null}}");
            assertEquals(422, nullItem.status(), nullItem.text());
            assertTrue(nullItem.json().get("error").textValue().contains("the item (column 'item') is missing"),
                    nullItem.text());

            JsonNode input = get(s, "metadata").json().get("input");
            assertEquals("collab", input.get("block").textValue());
            assertEquals("user", input.get("userColumn").textValue());
            assertEquals("item", input.get("itemColumn").textValue());
            assertEquals(knownUsers, input.get("users").intValue());
            assertEquals(knownItems, input.get("items").intValue());
            assertEquals(0, s.stats().serverErrors());
        }
    }

    @Test
    void anImageModelRefusesRowsNamingWhatItTakes() throws Exception {
        try (InferenceModel image = InferenceModel.load(TinyModel.export(dir));
                ModelServer s = ModelServer.builder().model(image).port(0).start()) {
            Answer a = postJson(s, "", Map.of("row", row("red", "M", "1", "2")));
            assertEquals(400, a.status(), a.text());
            assertTrue(a.json().get("error").textValue().contains("this model takes an image (input block 'image'), "
                    + "not table rows"), a.text());
            Answer b = postJson(s, "", Map.of("rows", List.of(row("red", "M", "1", "2"))));
            assertEquals(400, b.status(), b.text());
            assertTrue(b.json().get("error").textValue().contains("not table rows"), b.text());
            assertEquals("image", get(s, "metadata").json().get("input").get("kind").textValue());
        }
    }
}

package ai.fastai4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.fastai4j.export.InferenceModel;
import ai.fastai4j.learner.Prediction;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** train-tabular, predict on CSV rows, lr-find on a table, train-collab and recommend, and their exit codes. */
class TabularCommandsTest {
    @TempDir
    static Path dir;
    static Path table;
    static Path ratings;
    static Path classifier;
    static Path regressor;
    static Path recommender;

    /** 160 rows: color, size, x1 (some missing), x2; label yes/no from color, x1, x2; price > 0 from the same. */
    @BeforeAll
    static void trainModels() throws Exception {
        Random r = new Random(4);
        String[] colors = {"red", "green", "blue"};
        StringBuilder sb = new StringBuilder("color,size,x1,x2,label,price\n");
        for (int i = 0; i < 160; i++) {
            String color = colors[r.nextInt(3)];
            double x1 = r.nextGaussian();
            double x2 = 5 + 2 * r.nextGaussian();
            double score = (color.equals("red") ? 1.5 : color.equals("blue") ? -1.5 : 0) + 1.5 * x1 - 0.75 * (x2 - 5);
            sb.append(String.format(Locale.ROOT, "%s,%s,%s,%.4f,%s,%.2f%n", color, r.nextBoolean() ? "S" : "M",
                    r.nextDouble() < 0.1 ? "" : String.format(Locale.ROOT, "%.4f", x1), x2, score > 0 ? "yes" : "no",
                    1000 * Math.exp(score / 3)));
        }
        table = dir.resolve("table.csv");
        Files.writeString(table, sb);
        Run c = TabularCommandsTest.run("train-tabular", "--csv", table.toString(), "--y", "label", "--cat",
                "color,size", "--cont", "x1,x2", "--epochs", "2", "--lr", "1e-2", "--bs", "32", "--out",
                dir.resolve("cls").toString());
        assertEquals(0, c.code(), c.err());
        classifier = dir.resolve("cls/model.fai");
        Run g = TabularCommandsTest.run("train-tabular", "--csv", table.toString(), "--y", "price", "--log-y",
                "--cont", "x1,x2", "--epochs", "2", "--lr", "1e-2", "--bs", "32", "--no-report", "--out",
                dir.resolve("reg").toString());
        assertEquals(0, g.code(), g.err());
        assertTrue(g.out().contains("regression on log(price)"), g.out());
        regressor = dir.resolve("reg/model.fai");

        StringBuilder rs = new StringBuilder("user,item,rating,title\n");
        for (int u = 0; u < 15; u++) {
            for (int i = 0; i < 12; i++) {
                if (r.nextDouble() < 0.6) {
                    rs.append(String.format(Locale.ROOT, "u%d,%d,%.1f,Film %d%n", u, i, 1 + (u % 4) + 0.3 * (i % 3), i));
                }
            }
        }
        ratings = dir.resolve("ratings.csv");
        Files.writeString(ratings, rs);
        Run k = TabularCommandsTest.run("train-collab", "--csv", ratings.toString(), "--user", "user", "--item", "item",
                "--rating", "rating", "--title-col", "title", "--n-factors", "4", "--epochs", "2", "--bs", "16",
                "--min-ratings", "1", "--out", dir.resolve("collab").toString());
        assertEquals(0, k.code(), k.err());
        recommender = dir.resolve("collab/model.fai");
    }

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        InterpretExportCommandTest.Run r = InterpretExportCommandTest.run(args);
        return new Run(r.code(), r.out(), r.err());
    }

    static List<CSVRecord> readCsv(Path f) throws Exception {
        try (Reader in = Files.newBufferedReader(f)) {
            return CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build().parse(in).getRecords();
        }
    }

    @Test
    void trainTabularWritesTheModelAndTheReport() throws Exception {
        String html = Files.readString(dir.resolve("cls/report.html"));
        assertTrue(html.contains("What drives the predictions"), "interpretation section");
        assertTrue(html.contains("Permutation importance on the 32 validation rows"), html);
        for (String png : List.of("importance.png", "pdp_1.png", "explanation.png", "loss.png")) {
            assertTrue(Files.size(dir.resolve("cls").resolve(png)) > 0, png);
        }
        try (InferenceModel m = InferenceModel.load(classifier)) {
            assertEquals(List.of("no", "yes"), m.vocab());
            assertEquals("label", m.manifest().provenance().get("target"));
        }
    }

    @Test
    void predictWritesTheModelsPredictionsAndCountsUnseenCategories() throws Exception {
        Path rows = dir.resolve("rows.csv");
        Files.writeString(rows, "color,size,x1,x2\npurple,S,1.0,3.0\nred,XL,,6\nblue,M,-0.5,5\npurple,XXL,0,4\n");
        Path out = dir.resolve("preds.csv");
        Run r = run("predict", classifier.toString(), rows.toString(), "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("unseen categories (mapped to #na#) in 4 rows: color 2 rows; size 2 rows"), r.err());
        List<CSVRecord> recs = readCsv(out);
        assertEquals(4, recs.size());
        assertEquals(List.of("color", "size", "x1", "x2", "label_pred", "label_prob", "p_no", "p_yes", "unseen"),
                recs.get(0).getParser().getHeaderNames());
        assertEquals(List.of("color", "size", "", "color;size"), recs.stream().map(c -> c.get("unseen")).toList());
        try (InferenceModel m = InferenceModel.load(classifier)) {
            for (CSVRecord c : recs) {
                Map<String, String> row = new LinkedHashMap<>();
                for (String col : List.of("color", "size", "x1", "x2")) {
                    row.put(col, c.get(col));
                }
                Prediction p = m.predict(row);
                assertEquals(p.label(), c.get("label_pred"));
                assertEquals(p.probs()[1], Double.parseDouble(c.get("p_yes")), 1e-5);
                assertEquals(p.maxProb(), Double.parseDouble(c.get("label_prob")), 1e-5);
            }
        }
    }

    @Test
    void predictOfALogTargetGivesLogAndValue() throws Exception {
        Path out = dir.resolve("price.csv");
        Run r = run("predict", regressor.toString(), table.toString(), "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("unseen categories: none in 160 rows"), r.err());
        List<CSVRecord> recs = readCsv(out);
        assertEquals(160, recs.size());
        for (CSVRecord c : recs) {
            double log = Double.parseDouble(c.get("price_pred"));
            assertEquals(Math.exp(log), Double.parseDouble(c.get("price_pred_exp")), 1e-4 * Math.exp(log));
        }
    }

    @Test
    void interpretATabularModelReproducesItsValidationAccuracy() throws Exception {
        Path out = dir.resolve("interp");
        Run r = run("interpret", classifier.toString(), "--csv", table.toString(), "--bs", "32", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        double trained;
        try (InferenceModel m = InferenceModel.load(classifier)) {
            trained = ((Number) ((Map<?, ?>) m.manifest().provenance().get("final_metrics")).get("accuracy"))
                    .doubleValue();
        }
        // the same 32 validation rows as train-tabular (--valid-pct 0.2, --seed 42) and the same model
        assertTrue(r.out().contains(String.format(Locale.ROOT, "32 validation rows; validation accuracy %.5f",
                trained)), r.out());
        assertTrue(Files.readString(out.resolve("report.html")).contains("What drives the predictions"));
        assertEquals(3, run("interpret", classifier.toString(), "--csv", ratings.toString(), "--out",
                out.toString()).code(), "a table without the model's target column");
    }

    @Test
    void lrFindOnATablePrintsTheAutoPick() {
        Run r = run("lr-find", "--csv", table.toString(), "--y", "label", "--bs", "16", "--out",
                dir.resolve("lr").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("--lr auto: "), r.out());
        assertTrue(r.out().contains("SuggestedLRs(valley="), r.out());
    }

    @Test
    void recommendListsTheBestUnratedItems() throws Exception {
        Run r = run("recommend", recommender.toString(), "--user", "u3", "--k", "3", "--csv", ratings.toString(),
                "--title-col", "title");
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().lines().filter(l -> l.matches("\\d+\t.*")).toList();
        assertEquals(3, lines.size(), r.out());
        Set<String> rated = new java.util.HashSet<>();
        for (CSVRecord c : readCsv(ratings)) {
            if (c.get("user").equals("u3")) {
                rated.add(c.get("item"));
            }
        }
        double previous = Double.POSITIVE_INFINITY;
        try (InferenceModel m = InferenceModel.load(recommender)) {
            List<Double> all = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                if (!rated.contains(Integer.toString(i))) {
                    all.add((double) m.predict(Map.of("user", "u3", "item", Integer.toString(i))).probs()[0]);
                }
            }
            all.sort(java.util.Comparator.reverseOrder());
            for (int k = 0; k < 3; k++) {
                String[] f = lines.get(k).split("\t");
                assertTrue(!rated.contains(f[1]), "rated item recommended: " + lines.get(k));
                assertEquals("Film " + f[1], f[3]);
                double score = Double.parseDouble(f[2]);
                assertTrue(score <= previous);
                assertEquals(all.get(k), score, 1e-4);
                previous = score;
            }
        }
        assertEquals(3, run("recommend", recommender.toString(), "--user", "nobody").code());
        assertEquals(4, run("recommend", classifier.toString(), "--user", "u3").code());
        String html = Files.readString(dir.resolve("collab/report.html"));
        assertTrue(html.contains("Principal components of the item factors") && html.contains("Film "), "report");
    }

    @Test
    void badInputGetsItsExitCode() throws Exception {
        Path ragged = dir.resolve("ragged.csv");
        Files.writeString(ragged, "a,b,y\n1,2,yes\n3,4,no,5\n");
        Path oneClass = dir.resolve("one.csv");
        Files.writeString(oneClass, "a,b,y\n1,2,yes\n3,4,yes\n5,6,yes\n7,8,yes\n");
        Path text = dir.resolve("text.csv");
        Files.writeString(text, "a,b,y\n1,2,yes\n3,4,no\n5,6,yes\n7,8,no\n");
        Path noX = dir.resolve("nox.csv");
        Files.writeString(noX, "color,size,x1\nred,S,1\n");
        String out = dir.resolve("bad").toString();
        // bad data: 3
        assertCode(3, "train-tabular", "--csv", dir.resolve("missing.csv").toString(), "--y", "y", "--out", out);
        assertCode(3, "train-tabular", "--csv", ragged.toString(), "--y", "y", "--out", out);
        assertCode(3, "train-tabular", "--csv", oneClass.toString(), "--y", "y", "--out", out);
        assertCode(3, "train-tabular", "--csv", text.toString(), "--y", "y", "--task", "regression", "--out", out);
        assertCode(3, "predict", classifier.toString(), noX.toString());
        // bad usage: 2
        assertCode(2, "train-tabular", "--csv", table.toString(), "--y", "nope", "--out", out);
        assertCode(2, "train-tabular", "--csv", table.toString(), "--y", "label", "--cat", "color,nope", "--out", out);
        assertCode(2, "train-tabular", "--csv", table.toString(), "--y", "label", "--lr", "fast", "--out", out);
        assertCode(2, "train-tabular", "--csv", table.toString(), "--y", "label", "--metric", "rmse", "--out", out);
        assertCode(2, "train-tabular", "--csv", table.toString(), "--y", "label", "--procs", "Magic", "--out", out);
        assertCode(2, "train-collab", "--csv", ratings.toString(), "--user", "user", "--item", "item", "--rating",
                "stars", "--out", out);
        // bad model file: 4
        assertCode(4, "predict", table.toString(), table.toString());
        assertTrue(!Files.exists(dir.resolve("bad/model.fai")), "nothing exported from bad input");
    }

    static void assertCode(int code, String... args) {
        Run r = run(args);
        assertEquals(code, r.code(), String.join(" ", args) + "\nout: " + r.out() + "\nerr: " + r.err());
        assertTrue(!r.err().isBlank(), "an error message: " + String.join(" ", args));
    }
}

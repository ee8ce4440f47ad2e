package ai.fastai4j.tabular;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.fastai4j.data.Batch;
import ai.fastai4j.data.DataException;
import ai.fastai4j.data.HostBatch;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TabularDataLoadersTest {

    private static TabularDataLoaders.Builder synthetic(Table t) {
        return TabularDataLoaders.fromTable(t).catNames("color", "size").contNames("x1", "x2").yNames("label")
                .batchSize(16);
    }

    @Test
    void batchesHoldCatsConstsAndTargets() {
        try (TabularDataLoaders dls = synthetic(Synthetic.classification(200, 1)).build()) {
            assertEquals(List.of("color", "size", "x1_na"), dls.catNames(), "FillMissing adds x1_na");
            assertEquals(List.of("x1", "x2"), dls.contNames());
            assertEquals(List.of("no", "yes"), dls.vocab());
            assertEquals(TabularDataLoaders.YBlock.CATEGORY, dls.yBlock());
            assertEquals(2, dls.c());
            assertEquals(160, dls.dls().train().numItems());
            HostBatch hb = dls.dls().train().oneBatch();
            try (NDManager m = NDManager.newBaseManager()) {
                Batch b = dls.dls().train().toBatch(hb, m);
                assertEquals(2, b.inputs().size());
                assertEquals(new Shape(16, 3), b.inputs().get(0).getShape());
                assertEquals(DataType.INT64, b.inputs().get(0).getDataType());
                assertEquals(new Shape(16, 2), b.inputs().get(1).getShape());
                assertEquals(DataType.FLOAT32, b.inputs().get(1).getDataType());
                assertEquals(new Shape(16), b.targets().get(0).getShape());
                long[] codes = b.inputs().get(0).toLongArray();
                for (int i = 0; i < codes.length; i += 3) {
                    assertTrue(codes[i] >= 1 && codes[i] <= 3, "color code " + codes[i]);
                }
            }
        }
    }

    @Test
    void procsAreLearnedOnTheTrainingSplitOnly() {
        Table t = Synthetic.classification(100, 2);
        int[] valid = new int[20];
        for (int i = 0; i < 20; i++) {
            valid[i] = 80 + i;
        }
        try (TabularDataLoaders dls = synthetic(t).validIdx(valid).build()) {
            // by hand over the first 80 rows: median fill of x1, then mean and population std of x1 and x2
            List<Double> x1 = new ArrayList<>();
            for (int i = 0; i < 80; i++) {
                if (t.get(i, "x1") != null) {
                    x1.add(Double.parseDouble(t.get(i, "x1")));
                }
            }
            double[] present = x1.stream().mapToDouble(Double::doubleValue).toArray();
            java.util.Arrays.sort(present);
            int k = present.length;
            double median = k % 2 == 1 ? present[k / 2] : (present[k / 2 - 1] + present[k / 2]) / 2;
            assertEquals(median, dls.processor().fillMissing().naDict().get("x1"), 1e-12);
            double s = 0;
            double ss = 0;
            double s2 = 0;
            double ss2 = 0;
            for (int i = 0; i < 80; i++) {
                double v = t.get(i, "x1") == null ? median : Double.parseDouble(t.get(i, "x1"));
                s += v;
                ss += v * v;
                double w = Double.parseDouble(t.get(i, "x2"));
                s2 += w;
                ss2 += w * w;
            }
            double mean = s / 80;
            double mean2 = s2 / 80;
            Normalize n = dls.processor().normalize();
            assertEquals(mean, n.means().get("x1"), 1e-9);
            assertEquals(Math.sqrt(ss / 80 - mean * mean) + 1e-7, n.stds().get("x1"), 1e-9);
            assertEquals(mean2, n.means().get("x2"), 1e-9);
            assertEquals(Math.sqrt(ss2 / 80 - mean2 * mean2) + 1e-7, n.stds().get("x2"), 1e-9);
        }
    }

    @Test
    void aCategoryOnlyInTheValidationSplitMapsToNa() {
        Table t = Synthetic.classification(60, 3);
        String[] color = t.column("color");
        color[59] = "purple";
        t = t.withColumn("color", color);
        try (TabularDataLoaders dls = synthetic(t).validIdx(50, 51, 52, 53, 54, 55, 56, 57, 58, 59).build()) {
            assertEquals(List.of("#na#", "blue", "green", "red"), dls.processor().categorify().vocab("color"));
            float[] enc = dls.processor().encode(t.row(59));
            assertEquals(0f, enc[0]);
            assertEquals("#na#", dls.processor().decodeRow(enc).get("color"));
        }
    }

    @Test
    void showBatchPrintsDecodedRows() {
        try (TabularDataLoaders dls = synthetic(Synthetic.classification(100, 4)).build()) {
            String s = dls.showBatch(5);
            String[] lines = s.split("\n");
            assertEquals(7, lines.length, s);
            assertTrue(lines[0].matches("color\\s+size\\s+x1_na\\s+x1\\s+x2\\s+label"), lines[0]);
            for (int i = 2; i < 7; i++) {
                assertTrue(lines[i].matches("(red|green|blue)\\s+[SML]\\s+(True|False)\\s+-?[0-9.]+\\s+[0-9.]+\\s+(yes|no)"),
                        lines[i]);
            }
        }
    }

    @Test
    void automaticSplitAndRegressionTarget() {
        try (TabularDataLoaders dls = TabularDataLoaders.fromTable(Synthetic.classification(100, 5).dropColumns("label"))
                .yNames("y").build()) {
            assertEquals(TabularDataLoaders.YBlock.REGRESSION, dls.yBlock());
            assertEquals(List.of("color", "size", "x1_na"), dls.catNames());
            assertEquals(List.of("x1", "x2"), dls.contNames());
            assertEquals(1, dls.c());
        }
    }

    @Test
    void stateRoundTripEncodesTheSame() {
        Table t = Synthetic.classification(80, 6);
        try (TabularDataLoaders dls = synthetic(t).build()) {
            TabularProcessor copy = TabularProcessor.fromState(dls.processor().state());
            assertEquals(dls.catNames(), copy.catNames());
            for (int i = 0; i < t.nRows(); i++) {
                assertArrayEquals(dls.processor().encode(t.row(i)), copy.encode(t.row(i).toMap()), "row " + i);
            }
        }
    }

    @Test
    void dateColumnsAreExpandedAndComputedForNewRows() {
        List<Map<String, String>> rows = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            Map<String, String> r = new LinkedHashMap<>();
            r.put("when", String.format("2020-%02d-%02d", 1 + i % 12, 1 + i % 28));
            r.put("v", Integer.toString(i));
            rows.add(r);
        }
        Table t = Table.fromRows("dates.csv", rows);
        try (TabularDataLoaders dls = TabularDataLoaders.fromTable(t).datePart("when")
                .catNames("whenMonth", "whenDayofweek").contNames("whenElapsed").yNames("v").batchSize(8).build()) {
            Map<String, Object> row = Map.of("when", "2020-03-04");
            Map<String, String> decoded = dls.processor().decodeRow(dls.processor().encode(row));
            assertEquals("3", decoded.get("whenMonth"));
            assertEquals("2", decoded.get("whenDayofweek"), "2020-03-04 was a Wednesday");
            assertEquals(1583280000.0, Double.parseDouble(decoded.get("whenElapsed")), 200, decoded.toString());
        }
    }

    // ------------------------------------------------------------------ bad input

    @Test
    void aMissingColumnNamesTheFileAndTheColumn(@TempDir Path dir) {
        Path csv = Synthetic.writeCsv(dir, "houses.csv", Synthetic.classification(20, 7));
        DataException e = assertThrows(DataException.class, () -> TabularDataLoaders.fromCsv(csv)
                .catNames("color", "colour").contNames("x1").yNames("label").build());
        assertTrue(e.getMessage().contains("houses.csv") && e.getMessage().contains("'colour'"), e.getMessage());
        DataException y = assertThrows(DataException.class, () -> TabularDataLoaders.fromCsv(csv)
                .catNames("color").contNames("x1").yNames("price").build());
        assertTrue(y.getMessage().contains("houses.csv") && y.getMessage().contains("'price'"), y.getMessage());
    }

    @Test
    void aNonNumericContinuousValueNamesTheRowAndColumn(@TempDir Path dir) {
        Path csv = Synthetic.writeCsv(dir, "bad.csv", "a,x,y", "u,1.5,1", "v,2.5,0", "u,abc,1", "v,3,0", "u,1,1");
        DataException e = assertThrows(DataException.class, () -> TabularDataLoaders.fromCsv(csv).catNames("a")
                .contNames("x").yNames("y").batchSize(2).build());
        assertTrue(e.getMessage().contains("bad.csv row 3") && e.getMessage().contains("column 'x'")
                && e.getMessage().contains("'abc'"), e.getMessage());
    }

    @Test
    void aMissingTargetNamesTheRowAndColumn(@TempDir Path dir) {
        Path csv = Synthetic.writeCsv(dir, "targets.csv", "a,x,y", "u,1.5,1.0", "v,2.5,0.5", "u,2,2.0", "v,3,NaN",
                "u,1,1.5");
        DataException e = assertThrows(DataException.class, () -> TabularDataLoaders.fromCsv(csv).catNames("a")
                .contNames("x").yNames("y").batchSize(2).build());
        assertTrue(e.getMessage().contains("targets.csv row 4") && e.getMessage().contains("'y'"), e.getMessage());
        Path empty = Synthetic.writeCsv(dir, "empty.csv", "a,x,y", "u,1.5,good", "v,2.5,", "u,2,bad", "v,3,good");
        DataException f = assertThrows(DataException.class, () -> TabularDataLoaders.fromCsv(empty).catNames("a")
                .contNames("x").yNames("y").batchSize(2).build());
        assertTrue(f.getMessage().contains("empty.csv row 2") && f.getMessage().contains("'y'"), f.getMessage());
    }

    @Test
    void missingContinuousValuesWithoutFillMissingAreAnError() {
        DataException e = assertThrows(DataException.class, () -> synthetic(Synthetic.classification(100, 8))
                .procs(new Categorify(), new Normalize()).build());
        assertTrue(e.getMessage().contains("column 'x1'") && e.getMessage().contains("FillMissing"), e.getMessage());
    }

    @Test
    void sharedLoaderOptionsWorkOnBothBuildersAndRefuseBadValues() {
        Table t = Synthetic.classification(40, 5);
        try (TabularDataLoaders dls = TabularDataLoaders.fromTable(t).catNames("color").contNames("x2").yNames("label")
                .validIdx(3, 1, 7).batchSize(5).workers(1).seed(9).build()) {
            assertArrayEquals(new int[] {1, 3, 7}, dls.dls().datasets().split().valid(), "sorted");
            assertEquals(5, dls.dls().options().batchSize());
            assertEquals(9, dls.dls().options().seed());
        }
        Table ratings = Table.fromRows("r.csv", List.of(Map.of("u", "a", "i", "x", "r", "1"),
                Map.of("u", "b", "i", "y", "r", "2"), Map.of("u", "a", "i", "y", "r", "3")));
        try (ai.fastai4j.collab.CollabDataLoaders dls = ai.fastai4j.collab.CollabDataLoaders.fromTable(ratings)
                .userName("u").itemName("i").ratingName("r").validIdx(2).batchSize(2).build()) {
            assertArrayEquals(new int[] {2}, dls.dls().datasets().split().valid());
            assertEquals(2, dls.dls().options().batchSize());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TabularDataLoaders.fromTable(t).batchSize(0));
        assertEquals("batch size must be at least 1, got 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ai.fastai4j.collab.CollabDataLoaders.fromTable(ratings).validPct(1.5));
        assertEquals("validPct must be in [0, 1), got 1.5", e.getMessage());
    }
}

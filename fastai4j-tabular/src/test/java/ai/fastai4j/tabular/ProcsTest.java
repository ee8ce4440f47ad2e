package ai.fastai4j.tabular;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.fastai4j.data.DataException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each proc against values computed by hand. */
class ProcsTest {

    private static TabularFrame frame(Map<String, String[]> cats, Map<String, double[]> conts) {
        return TabularFrame.of(cats, conts);
    }

    private static Map<String, String[]> cats(String name, String... values) {
        Map<String, String[]> m = new LinkedHashMap<>();
        m.put(name, values);
        return m;
    }

    private static Map<String, double[]> conts(String name, double... values) {
        Map<String, double[]> m = new LinkedHashMap<>();
        m.put(name, values);
        return m;
    }

    @Test
    void categorifyVocabularyFromTrainingWithNaFirstAndUnseenToZero() {
        Categorify c = new Categorify();
        TabularFrame train = frame(cats("color", "red", "blue", null, "red", "green"), Map.of());
        c.setup(train);
        assertEquals(List.of("#na#", "blue", "green", "red"), c.vocab("color"));
        c.apply(train);
        assertArrayEquals(new int[] {3, 1, 0, 3, 2}, train.codes("color"));
        // valid rows: an unseen category and a missing one both become 0 (#na#), never an error
        TabularFrame valid = frame(cats("color", "purple", "green", null), Map.of());
        c.apply(valid);
        assertArrayEquals(new int[] {0, 2, 0}, valid.codes("color"));
        assertEquals(List.of("#na#", "blue", "green", "red"), c.vocab("color"), "the vocabulary does not grow");
    }

    @Test
    void categorifySortsNumericCategoriesAsNumbers() {
        Categorify c = new Categorify();
        c.setup(frame(cats("rooms", "10", "9", "100", "9"), Map.of()));
        assertEquals(List.of("#na#", "9", "10", "100"), c.vocab("rooms"));
    }

    @Test
    void fillMissingUsesTheTrainingMedianAndAddsAnNaColumn() {
        FillMissing f = new FillMissing();
        Map<String, double[]> cs = new LinkedHashMap<>();
        cs.put("x", new double[] {1, Double.NaN, 3, 10});
        cs.put("z", new double[] {2, 4, 6, 8}); // no missing value in training
        TabularFrame train = frame(Map.of(), cs);
        f.setup(train);
        assertEquals(Map.of("x", 3.0), f.naDict(), "median of 1, 3, 10");
        f.apply(train);
        assertArrayEquals(new double[] {1, 3, 3, 10}, train.cont("x"));
        assertEquals(List.of("x_na"), train.catNames(), "only columns missing in training get an _na column");
        assertArrayEquals(new String[] {"False", "True", "False", "False"}, train.cat("x_na"));

        Map<String, double[]> vs = new LinkedHashMap<>();
        vs.put("x", new double[] {Double.NaN, 7});
        vs.put("z", new double[] {Double.NaN, 1});
        TabularFrame valid = frame(Map.of(), vs);
        f.apply(valid);
        assertArrayEquals(new double[] {3, 7}, valid.cont("x"), "filled with the training median");
        assertArrayEquals(new double[] {5, 1}, valid.cont("z"), "median of 2, 4, 6, 8 = (4 + 6) / 2");
        assertArrayEquals(new String[] {"True", "False"}, valid.cat("x_na"));
        assertFalse(valid.catNames().contains("z_na"));
    }

    @Test
    void fillMissingModeAndConstant() {
        FillMissing mode = new FillMissing(FillMissing.Strategy.MODE, 0, false);
        TabularFrame t = frame(Map.of(), conts("x", 2, 2, Double.NaN, 5, 5, 5));
        mode.setup(t);
        mode.apply(t);
        assertArrayEquals(new double[] {2, 2, 5, 5, 5, 5}, t.cont("x"));
        assertTrue(t.catNames().isEmpty(), "no _na column without addCol");
        FillMissing constant = new FillMissing(FillMissing.Strategy.CONSTANT, -1, true);
        TabularFrame u = frame(Map.of(), conts("x", Double.NaN, 4));
        constant.setup(u);
        constant.apply(u);
        assertArrayEquals(new double[] {-1, 4}, u.cont("x"));
    }

    @Test
    void fillMissingRejectsAColumnWithNoTrainingValue() {
        FillMissing f = new FillMissing();
        DataException e = assertThrows(DataException.class,
                () -> f.setup(frame(Map.of(), conts("x", Double.NaN, Double.NaN))));
        assertTrue(e.getMessage().contains("'x'"), e.getMessage());
    }

    @Test
    void normalizeUsesTrainingMeanAndPopulationStd() {
        Normalize n = new Normalize();
        TabularFrame train = frame(Map.of(), conts("x", 1, 2, 3, 4));
        n.setup(train);
        double std = Math.sqrt(1.25) + 1e-7; // sqrt(((1.5^2 + 0.5^2) * 2) / 4)
        assertEquals(2.5, n.means().get("x"), 1e-12);
        assertEquals(std, n.stds().get("x"), 1e-12);
        n.apply(train);
        assertEquals(-1.5 / std, train.cont("x")[0], 1e-9);
        TabularFrame valid = frame(Map.of(), conts("x", 100));
        n.apply(valid);
        assertEquals((100 - 2.5) / std, valid.cont("x")[0], 1e-9, "validation values use the training statistics");
        assertEquals(100, n.decode("x", valid.cont("x")[0]), 1e-9);
    }

    @Test
    void embeddingSizeRule() {
        // min(600, round(1.6 * n^0.56)): 1.6 * 2^0.56 = 2.359, 1.6 * 10^0.56 = 5.809, 1.6 * 100^0.56 = 21.09,
        // 1.6 * 672^0.56 = 61.30, 1.6 * 9067^0.56 = 263.2, 1.6 * 1e6^0.56 = 3665 -> capped at 600
        assertEquals(2, TabularModel.embSzRule(2));
        assertEquals(3, TabularModel.embSzRule(3));
        assertEquals(6, TabularModel.embSzRule(10));
        assertEquals(21, TabularModel.embSzRule(100));
        assertEquals(61, TabularModel.embSzRule(672));
        assertEquals(263, TabularModel.embSzRule(9067));
        assertEquals(600, TabularModel.embSzRule(1_000_000));
    }

    @Test
    void datePartMatchesPandas() {
        Map<String, String> v = DatePart.of("saledate").valueMap("2010-03-31");
        assertEquals("2010", v.get("saleYear"));
        assertEquals("3", v.get("saleMonth"));
        assertEquals("13", v.get("saleWeek"), "ISO week");
        assertEquals("31", v.get("saleDay"));
        assertEquals("2", v.get("saleDayofweek"), "Wednesday, Monday = 0");
        assertEquals("90", v.get("saleDayofyear"));
        assertEquals("True", v.get("saleIs_month_end"));
        assertEquals("False", v.get("saleIs_month_start"));
        assertEquals("True", v.get("saleIs_quarter_end"));
        assertEquals("False", v.get("saleIs_year_end"));
        assertEquals("1269993600", v.get("saleElapsed"), "seconds since 1970-01-01 UTC");
        assertEquals("2010", DatePart.of("d").valueMap("03/31/2010").get("dYear"));
        assertEquals(null, DatePart.of("d").valueMap(null).get("dYear"));
        assertThrows(DataException.class, () -> DatePart.of("d").valueMap("not a date"));

        Table t = Table.fromColumns("dates.csv", new LinkedHashMap<>(Map.of("saledate", new String[] {"2010-03-31",
            "2011-01-01"})));
        Table x = t.addDatePart("saledate");
        assertFalse(x.hasColumn("saledate"), "the date column is dropped");
        assertEquals("True", x.get(1, "saleIs_year_start"));
    }

    @Test
    void contCatSplitByTypeAndCardinality() {
        Map<String, String[]> cols = new LinkedHashMap<>();
        String[] many = new String[30];
        String[] few = new String[30];
        String[] floats = new String[30];
        String[] text = new String[30];
        String[] intsWithMissing = new String[30];
        for (int i = 0; i < 30; i++) {
            many[i] = Integer.toString(i);
            few[i] = Integer.toString(i % 3);
            floats[i] = (i % 5) + ".5";
            text[i] = "t" + (i % 4);
            intsWithMissing[i] = i == 0 ? null : Integer.toString(i % 2);
        }
        cols.put("many", many);
        cols.put("few", few);
        cols.put("floats", floats);
        cols.put("text", text);
        cols.put("intna", intsWithMissing);
        cols.put("target", floats);
        Table.ContCatSplit s = Table.fromColumns("t", cols).contCatSplit(20, "target");
        assertEquals(List.of("many", "floats", "intna"), s.contNames(), "ints with missing values read as floats");
        assertEquals(List.of("few", "text"), s.catNames());
    }
}

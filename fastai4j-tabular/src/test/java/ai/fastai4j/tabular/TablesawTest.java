package ai.fastai4j.tabular;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import ai.fastai4j.collab.CollabDataLoaders;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.ColumnType;

/** The same CSV file read by Tablesaw and by {@link Table#readCsv} gives the same vocabularies and tensors. */
class TablesawTest {

    /**
     * Text with missing cells, small integers (categorical by cont_cat_split), decimals with missing cells and
     * integers with many values (continuous), a True/False flag, ISO dates and a text target.
     */
    static Path csv(Path dir) {
        Random r = new Random(9);
        List<String> lines = new ArrayList<>(List.of("shop,rooms,area,price_k,corner,sold,grade"));
        String[] shops = {"north", "south", "east", "west"};
        for (int i = 0; i < 200; i++) {
            String shop = r.nextDouble() < 0.1 ? "" : shops[r.nextInt(4)];
            int rooms = 1 + r.nextInt(5);
            String area = r.nextDouble() < 0.15 ? "" : String.format(Locale.ROOT, "%.3f", 40 + 60 * r.nextDouble());
            int price = 100 + r.nextInt(400);
            String corner = r.nextBoolean() ? "True" : "False";
            String sold = java.time.LocalDate.of(2019, 1, 1).plusDays(r.nextInt(900)).toString();
            String grade = price + 30 * rooms > 350 ? "high" : "low";
            lines.add(String.join(",", shop, Integer.toString(rooms), area, Integer.toString(price), corner, sold, grade));
        }
        return Synthetic.writeCsv(dir, "houses.csv", lines.toArray(new String[0]));
    }

    @Test
    void tablesawAndTheCsvReaderGiveTheSameTensors(@TempDir Path dir) throws Exception {
        Path file = csv(dir);
        tech.tablesaw.api.Table frame = tech.tablesaw.api.Table.read().csv(file.toFile());
        // Tablesaw typed the columns itself
        assertEquals(List.of(ColumnType.STRING, ColumnType.INTEGER, ColumnType.DOUBLE, ColumnType.INTEGER,
                ColumnType.BOOLEAN, ColumnType.LOCAL_DATE, ColumnType.STRING), frame.types());

        Table viaTablesaw = Table.fromTablesaw(frame);
        Table viaCsv = Table.readCsv(file);
        assertEquals(viaCsv.columns(), viaTablesaw.columns());
        assertNull(viaTablesaw.get(findMissing(viaCsv, "shop"), "shop"), "an empty text cell is missing");
        assertNull(viaTablesaw.get(findMissing(viaCsv, "area"), "area"), "an empty number is missing");
        for (int i = 0; i < viaCsv.nRows(); i++) {
            for (String c : viaCsv.columns()) {
                if (c.equals("area") && viaCsv.get(i, c) != null) {
                    // "45.100" in the file, 45.1 in Tablesaw's double column
                    assertEquals(Double.parseDouble(viaCsv.get(i, c)), Double.parseDouble(viaTablesaw.get(i, c)));
                } else {
                    assertEquals(viaCsv.get(i, c), viaTablesaw.get(i, c), "row " + i + ", column " + c);
                }
            }
        }

        try (TabularDataLoaders a = TabularDataLoaders.fromTablesaw(frame).datePart("sold").yNames("grade")
                .batchSize(16).build();
                TabularDataLoaders b = TabularDataLoaders.fromCsv(file).datePart("sold").yNames("grade")
                        .batchSize(16).build()) {
            assertEquals(b.catNames(), a.catNames());
            assertEquals(b.contNames(), a.contNames());
            assertEquals(List.of("shop", "rooms", "corner", "soldYear", "soldMonth", "soldDayofweek",
                    "soldIs_month_end", "soldIs_month_start", "soldIs_quarter_end", "soldIs_quarter_start",
                    "soldIs_year_end", "soldIs_year_start", "area_na"), a.catNames(), "cont_cat_split as pandas would");
            assertEquals(List.of("area", "price_k", "soldWeek", "soldDay", "soldDayofyear", "soldElapsed"),
                    a.contNames());
            // vocabularies, medians, means and standard deviations
            assertEquals(b.processor().state(), a.processor().state());
            assertEquals(List.of("#na#", "1", "2", "3", "4", "5"), a.processor().categorify().vocab("rooms"));
            assertEquals(List.of("#na#", "False", "True"), a.processor().categorify().vocab("corner"));
            assertEquals(b.vocab(), a.vocab());
            assertArrayEquals(b.dls().datasets().split().valid(), a.dls().datasets().split().valid());
            // every encoded row, bit for bit
            for (int i = 0; i < viaCsv.nRows(); i++) {
                assertArrayEquals(b.processor().encode(b.table().row(i)), a.processor().encode(a.table().row(i)), 0f,
                        "row " + i);
            }
        }
    }

    @Test
    void collabFromTablesaw(@TempDir Path dir) throws Exception {
        Random r = new Random(4);
        List<String> lines = new ArrayList<>(List.of("userId,movieId,rating"));
        for (int i = 0; i < 300; i++) {
            lines.add((1 + r.nextInt(30)) + "," + (100 + r.nextInt(40)) + "," + (1 + r.nextInt(10)) / 2.0);
        }
        Path file = Synthetic.writeCsv(dir, "ratings.csv", lines.toArray(new String[0]));
        try (CollabDataLoaders a = CollabDataLoaders.fromTablesaw(tech.tablesaw.api.Table.read().csv(file.toFile()))
                .build();
                CollabDataLoaders b = CollabDataLoaders.fromCsv(file).build()) {
            assertEquals("userId", a.userName());
            assertEquals("rating", a.ratingName());
            assertEquals(b.users(), a.users());
            assertEquals(b.items(), a.items());
            assertEquals("1", a.users().get(1), "ids sorted as numbers, written without a decimal point");
            for (int i = 0; i < b.table().nRows(); i++) {
                assertArrayEquals(b.encoder().encode(b.table().row(i)), a.encoder().encode(a.table().row(i)));
                assertEquals(Double.parseDouble(b.table().get(i, "rating")), Double.parseDouble(a.table().get(i, "rating")));
            }
        }
    }

    static int findMissing(Table t, String column) {
        for (int i = 0; i < t.nRows(); i++) {
            if (t.get(i, column) == null) {
                return i;
            }
        }
        throw new AssertionError("no missing cell in " + column);
    }
}

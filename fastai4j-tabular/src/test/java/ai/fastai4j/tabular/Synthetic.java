package ai.fastai4j.tabular;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/** Small synthetic tables for the tests. */
final class Synthetic {
    private Synthetic() {}

    static final String[] COLORS = {"red", "green", "blue"};
    static final String[] SIZES = {"S", "M", "L"};

    /**
     * {@code n} rows: color, size (categorical), x1 (continuous, about 10% missing), x2 (continuous) and
     * label "yes"/"no" from a noisy rule on color, x1 and x2 (about balanced), and y = a number from the same rule.
     */
    static Table classification(int n, long seed) {
        Random r = new Random(seed);
        List<Map<String, String>> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String color = COLORS[r.nextInt(3)];
            String size = SIZES[r.nextInt(3)];
            double x1 = r.nextGaussian();
            double x2 = 5 + 2 * r.nextGaussian();
            double score = (color.equals("red") ? 1.5 : color.equals("blue") ? -1.5 : 0) + 1.5 * x1
                    - 0.75 * (x2 - 5) + 0.3 * r.nextGaussian();
            Map<String, String> row = new LinkedHashMap<>();
            row.put("color", color);
            row.put("size", size);
            row.put("x1", r.nextDouble() < 0.1 ? "" : String.format(Locale.ROOT, "%.4f", x1));
            row.put("x2", String.format(Locale.ROOT, "%.4f", x2));
            row.put("label", score > 0 ? "yes" : "no");
            row.put("y", String.format(Locale.ROOT, "%.4f", score));
            rows.add(row);
        }
        return Table.fromRows("synthetic.csv", rows);
    }

    /** Writes rows (first row = header) as a CSV file. */
    static Path writeCsv(Path dir, String name, String... lines) {
        try {
            Path f = dir.resolve(name);
            Files.writeString(f, String.join("\n", lines) + "\n");
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes a table as CSV (missing cells empty). */
    static Path writeCsv(Path dir, String name, Table t) {
        StringBuilder sb = new StringBuilder(String.join(",", t.columns())).append('\n');
        for (int i = 0; i < t.nRows(); i++) {
            List<String> cells = new ArrayList<>();
            for (String c : t.columns()) {
                String v = t.get(i, c);
                cells.add(v == null ? "" : v);
            }
            sb.append(String.join(",", cells)).append('\n');
        }
        try {
            Path f = dir.resolve(name);
            Files.writeString(f, sb.toString());
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

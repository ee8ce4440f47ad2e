package ai.fastai4j.tabular;

import ai.fastai4j.data.DataException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The columns the procs work on, like the part of a {@code TabularPandas} that fastai's procs touch: categorical
 * columns as text (then as codes once {@link Categorify} ran) and continuous columns as numbers ({@code NaN} =
 * missing). Procs change it in place; {@link FillMissing} adds {@code <col>_na} categorical columns.
 */
public final class TabularFrame {
    private final int nRows;
    private final List<String> rowNames;
    private final List<String> catNames;
    private final List<String> contNames;
    private final Map<String, String[]> cats = new LinkedHashMap<>();
    private final Map<String, int[]> codes = new LinkedHashMap<>();
    private final Map<String, double[]> conts = new LinkedHashMap<>();

    private TabularFrame(int nRows, List<String> rowNames, List<String> catNames, List<String> contNames) {
        this.nRows = nRows;
        this.rowNames = rowNames;
        this.catNames = new ArrayList<>(catNames);
        this.contNames = new ArrayList<>(contNames);
    }

    /**
     * Reads the categorical cells as text and parses the continuous ones; a non-numeric continuous cell is a
     * {@link DataException} naming the row and the column. {@code rows} may be {@link Table.Row}s,
     * {@link ai.fastai4j.data.CsvTable.Row}s or {@code Map}s of column to value; date-part columns missing from a
     * row are computed from its date column.
     */
    static TabularFrame fromRows(List<?> rows, List<String> catNames, List<String> contNames, List<DatePart> dates) {
        int n = rows.size();
        List<String> names = new ArrayList<>(n);
        for (Object r : rows) {
            names.add(Rows.describe(r));
        }
        TabularFrame f = new TabularFrame(n, names, catNames, contNames);
        Rows.Reader reader = new Rows.Reader(dates);
        for (String c : catNames) {
            String[] v = new String[n];
            for (int i = 0; i < n; i++) {
                v[i] = reader.cell(rows.get(i), c);
            }
            f.cats.put(c, v);
        }
        for (String c : contNames) {
            double[] v = new double[n];
            for (int i = 0; i < n; i++) {
                String s = reader.cell(rows.get(i), c);
                v[i] = s == null ? Double.NaN : parse(s, names.get(i), c);
            }
            f.conts.put(c, v);
        }
        return f;
    }

    /** A frame from whole columns (tests, and data already in memory). */
    public static TabularFrame of(Map<String, String[]> catColumns, Map<String, double[]> contColumns) {
        int n = -1;
        for (String[] c : catColumns.values()) {
            n = check(n, c.length);
        }
        for (double[] c : contColumns.values()) {
            n = check(n, c.length);
        }
        n = Math.max(n, 0);
        List<String> names = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            names.add("row " + (i + 1));
        }
        TabularFrame f = new TabularFrame(n, names, new ArrayList<>(catColumns.keySet()),
                new ArrayList<>(contColumns.keySet()));
        catColumns.forEach((k, v) -> f.cats.put(k, v.clone()));
        contColumns.forEach((k, v) -> f.conts.put(k, v.clone()));
        return f;
    }

    private static int check(int n, int len) {
        if (n >= 0 && n != len) {
            throw new IllegalArgumentException("columns of different lengths: " + n + " and " + len);
        }
        return len;
    }

    static double parse(String s, String rowName, String column) {
        try {
            return Double.parseDouble(s.trim());
        } catch (NumberFormatException e) {
            throw new DataException(rowName + ", column '" + column + "': '" + s + "' is not a number (column '"
                    + column + "' is continuous)");
        }
    }

    public int nRows() {
        return nRows;
    }

    /** Categorical column names, including {@code _na} columns added by {@link FillMissing}. */
    public List<String> catNames() {
        return Collections.unmodifiableList(catNames);
    }

    public List<String> contNames() {
        return Collections.unmodifiableList(contNames);
    }

    /** The text of a categorical column ({@code null} = missing); live, procs may change it. */
    public String[] cat(String name) {
        String[] v = cats.get(name);
        if (v == null) {
            throw new IllegalArgumentException("no categorical column '" + name + "'");
        }
        return v;
    }

    /** The codes of a categorical column after {@link Categorify}, else null. */
    public int[] codes(String name) {
        return codes.get(name);
    }

    /** A continuous column ({@code NaN} = missing); live, procs change it in place. */
    public double[] cont(String name) {
        double[] v = conts.get(name);
        if (v == null) {
            throw new IllegalArgumentException("no continuous column '" + name + "'");
        }
        return v;
    }

    /** Adds (or replaces) a categorical column, appended to {@link #catNames()} if new. */
    public void putCat(String name, String[] values) {
        if (values.length != nRows) {
            throw new IllegalArgumentException("column '" + name + "' has " + values.length + " rows, frame " + nRows);
        }
        if (!cats.containsKey(name)) {
            catNames.add(name);
        }
        cats.put(name, values);
    }

    /** Sets the codes of categorical column {@code name}. */
    public void putCodes(String name, int[] values) {
        if (!cats.containsKey(name)) {
            throw new IllegalArgumentException("no categorical column '" + name + "'");
        }
        codes.put(name, values);
    }

    /** The name of row {@code i} for messages (e.g. {@code ames.csv row 12}). */
    public String rowName(int i) {
        return rowNames.get(i);
    }
}

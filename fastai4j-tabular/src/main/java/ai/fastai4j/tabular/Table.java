package ai.fastai4j.tabular;

import ai.fastai4j.data.CsvTable;
import ai.fastai4j.data.DataException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.DoubleUnaryOperator;

/**
 * An immutable table of text cells stored by column, the Java counterpart of the pandas {@code DataFrame} that
 * fastai's tabular code works on. A missing cell is {@code null}; when a CSV file is read, the cells pandas treats
 * as missing ({@code ""}, {@code NA}, {@code NaN}, {@code null}, ...: {@link #DEFAULT_NA_VALUES}) become
 * {@code null}. Typing happens later: the procs parse continuous columns as numbers and keep categorical ones as
 * text.
 */
public final class Table {

    /** pandas' default {@code na_values} of {@code read_csv}. */
    public static final Set<String> DEFAULT_NA_VALUES = Set.of("", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN",
            "-NaN", "-nan", "1.#IND", "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "n/a", "nan", "null");

    private final String source;
    private final List<String> columns;
    private final Map<String, Integer> index;
    private final List<String[]> data;
    private final int nRows;

    private Table(String source, List<String> columns, List<String[]> data) {
        this.source = source;
        this.columns = List.copyOf(columns);
        Map<String, Integer> idx = new LinkedHashMap<>();
        for (int i = 0; i < columns.size(); i++) {
            if (idx.put(columns.get(i), i) != null) {
                throw new DataException(source + ": duplicate column '" + columns.get(i) + "'");
            }
        }
        this.index = idx;
        this.data = List.copyOf(data);
        int n = data.isEmpty() ? 0 : data.get(0).length;
        for (int c = 0; c < data.size(); c++) {
            if (data.get(c).length != n) {
                throw new IllegalArgumentException("column '" + columns.get(c) + "' has " + data.get(c).length
                        + " rows, the first column " + n);
            }
        }
        this.nRows = n;
    }

    /** Reads a CSV file with a header row; pandas' default missing-value markers become missing cells. */
    public static Table readCsv(Path file) {
        return fromCsv(CsvTable.read(file), DEFAULT_NA_VALUES);
    }

    /** Reads a CSV file; cells equal to one of {@code naValues} (after trimming) are missing. */
    public static Table readCsv(Path file, Set<String> naValues) {
        return fromCsv(CsvTable.read(file), naValues);
    }

    /** A table holding the cells of {@code csv}, pandas' missing-value markers becoming missing cells. */
    public static Table fromCsv(CsvTable csv) {
        return fromCsv(csv, DEFAULT_NA_VALUES);
    }

    public static Table fromCsv(CsvTable csv, Set<String> naValues) {
        List<String> cols = csv.columns();
        List<CsvTable.Row> rows = csv.rows();
        List<String[]> data = new ArrayList<>(cols.size());
        Map<String, String> intern = new java.util.HashMap<>();
        for (String c : cols) {
            String[] col = new String[rows.size()];
            for (int r = 0; r < col.length; r++) {
                String v = rows.get(r).get(c);
                if (v == null || naValues.contains(v.trim())) {
                    col[r] = null;
                } else {
                    col[r] = intern.computeIfAbsent(v, k -> k);
                }
            }
            data.add(col);
        }
        return new Table(csv.file().toString(), cols, data);
    }

    /**
     * A table from rows given as maps (missing keys, {@code null} values and pandas' missing-value markers are
     * missing cells); the columns are those of the first row, then any new key of later rows in order of appearance.
     */
    public static Table fromRows(String source, List<? extends Map<String, ?>> rows) {
        LinkedHashMap<String, Integer> cols = new LinkedHashMap<>();
        for (Map<String, ?> r : rows) {
            for (String k : r.keySet()) {
                cols.putIfAbsent(k, cols.size());
            }
        }
        List<String[]> data = new ArrayList<>();
        for (String c : cols.keySet()) {
            String[] col = new String[rows.size()];
            for (int r = 0; r < col.length; r++) {
                Object v = rows.get(r).get(c);
                col[r] = v == null ? null : Rows.normalise(v.toString());
            }
            data.add(col);
        }
        return new Table(source, new ArrayList<>(cols.keySet()), data);
    }

    /** A table from whole columns (copied; {@code null} cells and pandas' missing-value markers are missing). */
    public static Table fromColumns(String source, Map<String, String[]> columns) {
        List<String[]> data = new ArrayList<>();
        for (String[] c : columns.values()) {
            String[] col = new String[c.length];
            for (int r = 0; r < c.length; r++) {
                col[r] = Rows.normalise(c[r]);
            }
            data.add(col);
        }
        return new Table(source, new ArrayList<>(columns.keySet()), data);
    }

    /**
     * A table holding the cells of a <a href="https://github.com/jtablesaw/tablesaw">Tablesaw</a> data frame, each
     * as the text a CSV file would hold: missing values (Tablesaw's, and pandas' missing-value markers in text
     * columns) become missing cells, integers are written without a decimal point, floating-point numbers in
     * Java's shortest exact form ({@code 2.0}, {@code 1.0E-5}), booleans as {@code True}/{@code False} (as pandas
     * writes them), dates and times in ISO form, text as it is. The same CSV file read by Tablesaw or by
     * {@link #readCsv} therefore gives the same procs and tensors, as long as Tablesaw's column types match the
     * file (a column Tablesaw reads as boolean becomes {@code True}/{@code False} categories).
     *
     * <p>Tablesaw ({@code tech.tablesaw:tablesaw-core}) is an optional dependency: add it to use this method.
     */
    public static Table fromTablesaw(tech.tablesaw.api.Table frame) {
        return TablesawTables.toTable(frame);
    }

    /** Where the table came from (a file name), used in error messages. */
    public String source() {
        return source;
    }

    public List<String> columns() {
        return columns;
    }

    public int nRows() {
        return nRows;
    }

    public boolean hasColumn(String column) {
        return index.containsKey(column);
    }

    /** Fails with a message naming the source, the column and the columns there are, if a column is absent. */
    public void requireColumns(Collection<String> names) {
        for (String c : names) {
            if (!index.containsKey(c)) {
                throw new DataException(source + " has no column '" + c + "' (columns: " + columns + ")");
            }
        }
    }

    private int col(String column) {
        Integer i = index.get(column);
        if (i == null) {
            throw new DataException(source + " has no column '" + column + "' (columns: " + columns + ")");
        }
        return i;
    }

    /** The cell at {@code row} (0-based) and {@code column}; {@code null} when missing. */
    public String get(int row, String column) {
        return data.get(col(column))[row];
    }

    /** A copy of one column's cells. */
    public String[] column(String column) {
        return data.get(col(column)).clone();
    }

    /** Row {@code i} as a view into this table. */
    public Row row(int i) {
        Objects.checkIndex(i, nRows);
        return new Row(this, i);
    }

    /** Every row, in order. */
    public List<Row> rows() {
        List<Row> out = new ArrayList<>(nRows);
        for (int i = 0; i < nRows; i++) {
            out.add(new Row(this, i));
        }
        return Collections.unmodifiableList(out);
    }

    /** A table with {@code column} added (or replaced, keeping its position). */
    public Table withColumn(String column, String[] values) {
        if (values.length != nRows) {
            throw new IllegalArgumentException("column '" + column + "' has " + values.length + " values, the table "
                    + nRows + " rows");
        }
        List<String> cols = new ArrayList<>(columns);
        List<String[]> d = new ArrayList<>(data);
        Integer i = index.get(column);
        if (i == null) {
            cols.add(column);
            d.add(values.clone());
        } else {
            d.set(i, values.clone());
        }
        return new Table(source, cols, d);
    }

    /**
     * A table with a numeric column {@code target} computed from {@code column} by {@code fn} (e.g. a log);
     * missing cells stay missing, a non-numeric cell is an error naming the row and column.
     */
    public Table withDoubleColumn(String column, String target, DoubleUnaryOperator fn) {
        String[] src = data.get(col(column));
        String[] out = new String[nRows];
        for (int r = 0; r < nRows; r++) {
            if (src[r] != null) {
                out[r] = Double.toString(fn.applyAsDouble(parseNumber(src[r], r, column)));
            }
        }
        return withColumn(target, out);
    }

    /** A table without the given columns (unknown names are errors). */
    public Table dropColumns(String... names) {
        Set<String> drop = new HashSet<>(List.of(names));
        requireColumns(drop);
        List<String> cols = new ArrayList<>();
        List<String[]> d = new ArrayList<>();
        for (int i = 0; i < columns.size(); i++) {
            if (!drop.contains(columns.get(i))) {
                cols.add(columns.get(i));
                d.add(data.get(i));
            }
        }
        return new Table(source, cols, d);
    }

    /** The rows at {@code indices}, in that order. */
    public Table select(int[] indices) {
        List<String[]> d = new ArrayList<>();
        for (String[] c : data) {
            String[] s = new String[indices.length];
            for (int i = 0; i < indices.length; i++) {
                s[i] = c[indices[i]];
            }
            d.add(s);
        }
        return new Table(source, columns, d);
    }

    /** fastai's {@code add_datepart} with drop and no time parts: see {@link DatePart#add}. */
    public Table addDatePart(String column) {
        return DatePart.add(this, column, null, true, false);
    }

    /**
     * fastai's {@code cont_cat_split}: a column is continuous when it holds floats (numbers that are not all
     * integers, or integers with missing cells, which pandas reads as floats) or integers with more than
     * {@code maxCard} distinct values; every other column is categorical. Columns in {@code depVars} are skipped.
     */
    public ContCatSplit contCatSplit(int maxCard, String... depVars) {
        Set<String> skip = new HashSet<>(List.of(depVars));
        List<String> cont = new ArrayList<>();
        List<String> cat = new ArrayList<>();
        for (int c = 0; c < columns.size(); c++) {
            String name = columns.get(c);
            if (skip.contains(name)) {
                continue;
            }
            ColumnType t = columnType(data.get(c));
            boolean isCont = t == ColumnType.FLOAT
                    || t == ColumnType.INTEGER && distinct(data.get(c)) > maxCard;
            (isCont ? cont : cat).add(name);
        }
        return new ContCatSplit(cont, cat);
    }

    /** fastai's default {@code max_card} of 20. */
    public ContCatSplit contCatSplit(String... depVars) {
        return contCatSplit(20, depVars);
    }

    /** Continuous and categorical column names. */
    public record ContCatSplit(List<String> contNames, List<String> catNames) {
        public ContCatSplit {
            contNames = List.copyOf(contNames);
            catNames = List.copyOf(catNames);
        }
    }

    /** The dtype pandas would give a column read from CSV. */
    public enum ColumnType { INTEGER, FLOAT, BOOL, TEXT }

    /** What pandas' {@code read_csv} would make of {@code column}. */
    public ColumnType columnType(String column) {
        return columnType(data.get(col(column)));
    }

    static ColumnType columnType(String[] cells) {
        boolean allLong = true;
        boolean allNum = true;
        boolean allBool = true;
        boolean anyMissing = false;
        boolean anyValue = false;
        for (String s : cells) {
            if (s == null) {
                anyMissing = true;
                continue;
            }
            anyValue = true;
            String t = s.trim();
            if (allBool && !(t.equals("True") || t.equals("False") || t.equals("TRUE") || t.equals("FALSE")
                    || t.equals("true") || t.equals("false"))) {
                allBool = false;
            }
            if (allLong && !isLong(t)) {
                allLong = false;
            }
            if (!allLong && allNum && !isDouble(t)) {
                allNum = false;
            }
            if (!allNum && !allBool) {
                return ColumnType.TEXT;
            }
        }
        if (!anyValue) {
            return ColumnType.FLOAT; // pandas: an all-missing column is float64
        }
        if (allBool && !anyMissing) {
            return ColumnType.BOOL;
        }
        if (allLong) {
            return anyMissing ? ColumnType.FLOAT : ColumnType.INTEGER;
        }
        return allNum ? ColumnType.FLOAT : ColumnType.TEXT;
    }

    static boolean isLong(String s) {
        int n = s.length();
        if (n == 0 || n > 19) {
            return false;
        }
        int i = s.charAt(0) == '-' || s.charAt(0) == '+' ? 1 : 0;
        if (i == n) {
            return false;
        }
        for (; i < n; i++) {
            char ch = s.charAt(i);
            if (ch < '0' || ch > '9') {
                return false;
            }
        }
        return true;
    }

    static boolean isDouble(String s) {
        try {
            Double.parseDouble(s);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static int distinct(String[] cells) {
        Set<String> s = new HashSet<>();
        for (String c : cells) {
            if (c != null) {
                s.add(c.trim());
            }
        }
        return s.size();
    }

    private double parseNumber(String s, int row, String column) {
        try {
            return Double.parseDouble(s.trim());
        } catch (NumberFormatException e) {
            throw new DataException(source + " row " + (row + 1) + ", column '" + column + "': '" + s
                    + "' is not a number");
        }
    }

    @Override
    public String toString() {
        return "Table(" + source + ", " + nRows + " rows, columns " + columns + ")";
    }

    /**
     * One row of a {@link Table}; {@link #toString} names the source and the 1-based data row, which is what
     * error messages show.
     */
    public static final class Row {
        private final Table table;
        private final int index;

        Row(Table table, int index) {
            this.table = table;
            this.index = index;
        }

        /** The cell in {@code column}, {@code null} when missing; an unknown column is an error naming it. */
        public String get(String column) {
            return table.data.get(table.col(column))[index];
        }

        public boolean has(String column) {
            return table.index.containsKey(column);
        }

        /** Zero-based row index (the header is not counted). */
        public int index() {
            return index;
        }

        public Table table() {
            return table;
        }

        /** This row's cells by column name. */
        public Map<String, String> toMap() {
            Map<String, String> m = new LinkedHashMap<>();
            for (String c : table.columns) {
                m.put(c, get(c));
            }
            return m;
        }

        @Override
        public String toString() {
            String s = table.source;
            int slash = Math.max(s.lastIndexOf('/'), s.lastIndexOf('\\'));
            return (slash >= 0 ? s.substring(slash + 1) : s) + " row " + (index + 1);
        }
    }
}

package ai.fastai4j.tabular;

import ai.fastai4j.data.CsvTable;
import ai.fastai4j.data.DataException;
import java.util.List;
import java.util.Map;

/**
 * Reads cells out of the row types the tabular code accepts: {@link Table.Row}, {@link CsvTable.Row} and
 * {@code Map<String, ?>} (one row given by hand, e.g. to {@code predict}). Cells pandas reads as missing become
 * {@code null}; an absent column is a {@link DataException} naming the row and the column.
 */
public final class Rows {
    private Rows() {}

    /** The cell of {@code row} in {@code column}, {@code null} when missing. */
    public static String cell(Object row, String column) {
        if (row instanceof Table.Row r) {
            return r.get(column);
        }
        if (row instanceof CsvTable.Row r) {
            return normalise(r.get(column));
        }
        if (row instanceof Map<?, ?> m) {
            if (!m.containsKey(column)) {
                throw new DataException(describe(row) + " has no column '" + column + "' (columns: " + m.keySet() + ")");
            }
            Object v = m.get(column);
            return v == null ? null : normalise(v.toString());
        }
        throw new DataException("a row must be a Table.Row, a CsvTable.Row or a Map of column to value, got "
                + (row == null ? "null" : row.getClass().getName()));
    }

    /** Whether {@code row} has {@code column} at all. */
    public static boolean has(Object row, String column) {
        if (row instanceof Table.Row r) {
            return r.has(column);
        }
        if (row instanceof CsvTable.Row r) {
            return r.table().columns().contains(column);
        }
        if (row instanceof Map<?, ?> m) {
            return m.containsKey(column);
        }
        return false;
    }

    /** How messages name {@code row}: {@code ames.csv row 12}, or {@code input row} for a map. */
    public static String describe(Object row) {
        if (row instanceof Map<?, ?>) {
            return "input row";
        }
        return String.valueOf(row);
    }

    static String normalise(String s) {
        return s == null || Table.DEFAULT_NA_VALUES.contains(s.trim()) ? null : s;
    }

    /** Reads cells, computing date parts from a row's date column when the row lacks the part's column. */
    static final class Reader {
        private final List<DatePart> dates;
        private Object lastRow;
        private DatePart lastPart;
        private Map<String, String> lastValues;

        Reader(List<DatePart> dates) {
            this.dates = dates;
        }

        String cell(Object row, String column) {
            if (dates.isEmpty() || has(row, column)) {
                return Rows.cell(row, column);
            }
            for (DatePart dp : dates) {
                if (dp.partNames().contains(column) && has(row, dp.column())) {
                    if (row != lastRow || dp != lastPart) {
                        try {
                            lastValues = dp.valueMap(Rows.cell(row, dp.column()));
                        } catch (DataException e) {
                            throw new DataException(describe(row) + ", column '" + dp.column() + "': " + e.getMessage(),
                                    e);
                        }
                        lastRow = row;
                        lastPart = dp;
                    }
                    return lastValues.get(column);
                }
            }
            return Rows.cell(row, column); // fails naming the column
        }
    }
}

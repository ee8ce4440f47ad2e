package ai.fastai4j.tabular;

import java.util.LinkedHashMap;
import java.util.Map;
import tech.tablesaw.api.BooleanColumn;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.FloatColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.ShortColumn;
import tech.tablesaw.columns.Column;

/**
 * Reads a Tablesaw data frame into a {@link Table}. Kept apart from {@link Table} so that Tablesaw, an optional
 * dependency, is only loaded when it is used.
 */
final class TablesawTables {
    private TablesawTables() {}

    static Table toTable(tech.tablesaw.api.Table frame) {
        String source = frame.name() == null || frame.name().isBlank() ? "tablesaw table" : frame.name();
        Map<String, String[]> columns = new LinkedHashMap<>();
        for (Column<?> c : frame.columns()) {
            String[] cells = new String[c.size()];
            for (int i = 0; i < cells.length; i++) {
                cells[i] = c.isMissing(i) ? null : cell(c, i);
            }
            columns.put(c.name(), cells);
        }
        return Table.fromColumns(source, columns);
    }

    /** One present cell as the text a CSV file would hold (see {@link Table#fromTablesaw}). */
    private static String cell(Column<?> c, int i) {
        if (c instanceof IntColumn || c instanceof LongColumn || c instanceof ShortColumn) {
            return Long.toString(((Number) c.get(i)).longValue());
        }
        if (c instanceof DoubleColumn d) {
            return Double.toString(d.getDouble(i));
        }
        if (c instanceof FloatColumn f) {
            return Float.toString(f.getFloat(i));
        }
        if (c instanceof BooleanColumn b) {
            return b.get(i) ? "True" : "False";
        }
        // strings as they are; dates, date-times, instants and times in their ISO form
        Object v = c.get(i);
        return v == null ? null : v.toString();
    }
}

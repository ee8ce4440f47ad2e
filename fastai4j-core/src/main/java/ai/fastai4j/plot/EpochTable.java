package ai.fastai4j.plot;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Formats fastai's per-epoch results table for the console:
 *
 * <pre>
 * epoch     train_loss  valid_loss  accuracy  time
 * 0         0.123457    0.200000    0.950000  01:05
 * </pre>
 *
 * <p>As in fastprogress, each column is as wide as its name, but at least 8 characters; a value
 * wider than its column widens that cell. Cells are left-aligned and separated by two spaces;
 * trailing spaces are removed. Values are formatted by {@link #formatValue(String, Object)}.
 */
public final class EpochTable {

    /** Minimum column width, as in fastprogress's console output. */
    public static final int MIN_WIDTH = 8;

    private final List<String> columns;
    private final int[] widths;

    /**
     * Creates a table with the given column names, e.g. {@code epoch, train_loss, valid_loss,
     * accuracy, time}.
     *
     * @param columns column names, not empty
     */
    public EpochTable(List<String> columns) {
        Objects.requireNonNull(columns, "columns");
        if (columns.isEmpty()) {
            throw new IllegalArgumentException("no columns");
        }
        this.columns = List.copyOf(columns);
        this.widths = new int[columns.size()];
        for (int i = 0; i < widths.length; i++) {
            widths[i] = Math.max(MIN_WIDTH, this.columns.get(i).length());
        }
    }

    /**
     * The column names.
     *
     * @return an unmodifiable list of names
     */
    public List<String> columns() {
        return columns;
    }

    /**
     * The header line (no trailing newline).
     *
     * @return the column names, padded
     */
    public String header() {
        return join(columns);
    }

    /**
     * One row (no trailing newline).
     *
     * @param values one value per column: floating-point numbers print with 6 decimals, integers
     *     as integers, the {@code time} column (seconds as a number, or a {@link Duration}) as
     *     {@code mm:ss}, strings as they are, null as empty
     * @return the formatted row
     */
    public String row(List<?> values) {
        Objects.requireNonNull(values, "values");
        if (values.size() != columns.size()) {
            throw new IllegalArgumentException("expected " + columns.size() + " values, got " + values.size());
        }
        List<String> cells = new ArrayList<>(values.size());
        for (int i = 0; i < values.size(); i++) {
            cells.add(formatValue(columns.get(i), values.get(i)));
        }
        return join(cells);
    }

    private String join(List<String> cells) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            String c = cells.get(i);
            if (i > 0) {
                sb.append("  ");
            }
            sb.append(c);
            for (int k = c.length(); k < widths[i]; k++) {
                sb.append(' ');
            }
        }
        return sb.toString().stripTrailing();
    }

    /**
     * Formats one cell like fastai: {@code float}/{@code double} as {@code %.6f} (NaN as
     * {@code nan}, infinities as {@code inf}/{@code -inf}), other numbers as integers, a
     * {@link Duration} or a number in a column named {@code time} as {@link #formatTime(double)},
     * anything else with {@code toString()}.
     *
     * @param column the column name
     * @param value the value, may be null
     * @return the cell text
     */
    public static String formatValue(String column, Object value) {
        if (value == null) {
            return "";
        }
        if (value instanceof Duration d) {
            return formatTime(d.toNanos() / 1e9);
        }
        if (value instanceof Number num && "time".equalsIgnoreCase(column)) {
            return formatTime(num.doubleValue());
        }
        if (value instanceof Double || value instanceof Float) {
            double v = ((Number) value).doubleValue();
            if (Double.isNaN(v)) {
                return "nan";
            }
            if (Double.isInfinite(v)) {
                return v > 0 ? "inf" : "-inf";
            }
            return String.format(Locale.ROOT, "%.6f", v);
        }
        if (value instanceof java.math.BigDecimal bd) {
            return String.format(Locale.ROOT, "%.6f", bd);
        }
        return value.toString();
    }

    /**
     * fastai's {@code format_time}: whole seconds as {@code mm:ss}, or {@code h:mm:ss} from one
     * hour on (65.4 gives {@code "01:05"}).
     *
     * @param seconds elapsed seconds (fractions are truncated; negative or NaN gives 00:00)
     * @return the formatted time
     */
    public static String formatTime(double seconds) {
        long t = Double.isFinite(seconds) && seconds > 0 ? (long) seconds : 0;
        long h = t / 3600;
        long m = (t / 60) % 60;
        long s = t % 60;
        return h != 0
                ? String.format(Locale.ROOT, "%d:%02d:%02d", h, m, s)
                : String.format(Locale.ROOT, "%02d:%02d", m, s);
    }
}

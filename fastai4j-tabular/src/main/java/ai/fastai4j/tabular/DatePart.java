package ai.fastai4j.tabular;

import ai.fastai4j.data.DataException;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.IsoFields;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * fastai's {@code add_datepart}: a date column becomes the columns {@code <prefix>Year, Month, Week, Day,
 * Dayofweek, Dayofyear, Is_month_end, Is_month_start, Is_quarter_end, Is_quarter_start, Is_year_end,
 * Is_year_start} (plus {@code Hour, Minute, Second} with {@code time}) and {@code <prefix>Elapsed}, the seconds since
 * 1970-01-01 UTC. The prefix defaults to the column name without a trailing {@code Date}/{@code date}. Week is the
 * ISO week, Dayofweek counts from Monday = 0, as in pandas. A missing date gives missing numbers and
 * {@code False} flags (pandas' NaT behaviour).
 *
 * <p>Dates are read as ISO dates ({@code 2010-03-31}), ISO date-times (with {@code T} or a space, with or without
 * an offset), {@code yyyy/MM/dd} or month-first {@code MM/dd/yyyy} (pandas' default), each optionally followed by
 * a time.
 *
 * @param column the date column
 * @param prefix prefix of the new columns
 * @param time whether to add hour, minute and second
 */
public record DatePart(String column, String prefix, boolean time) {

    static final List<String> ATTRS = List.of("Year", "Month", "Week", "Day", "Dayofweek", "Dayofyear",
            "Is_month_end", "Is_month_start", "Is_quarter_end", "Is_quarter_start", "Is_year_end", "Is_year_start");
    static final List<String> TIME_ATTRS = List.of("Hour", "Minute", "Second");

    public DatePart {
        Objects.requireNonNull(column);
        if (prefix == null) {
            prefix = column.replaceAll("[Dd]ate$", "");
        }
    }

    /** The parts of {@code column} with the default prefix and no time parts. */
    public static DatePart of(String column) {
        return new DatePart(column, null, false);
    }

    /**
     * A table with the parts of {@code column} added after the existing columns and, when {@code drop}, the date
     * column removed; {@code prefix} null means the default.
     */
    public static Table add(Table table, String column, String prefix, boolean drop, boolean time) {
        DatePart dp = new DatePart(column, prefix, time);
        String[] dates = table.column(column);
        List<String> names = dp.partNames();
        String[][] cols = new String[names.size()][table.nRows()];
        for (int r = 0; r < dates.length; r++) {
            String[] v;
            try {
                v = dp.values(dates[r]);
            } catch (DataException e) {
                throw new DataException(table.source() + " row " + (r + 1) + ", column '" + column + "': "
                        + e.getMessage(), e);
            }
            for (int k = 0; k < v.length; k++) {
                cols[k][r] = v[k];
            }
        }
        Table out = table;
        for (int k = 0; k < names.size(); k++) {
            out = out.withColumn(names.get(k), cols[k]);
        }
        return drop ? out.dropColumns(column) : out;
    }

    /** Names of the new columns, in order. */
    public List<String> partNames() {
        List<String> out = new ArrayList<>();
        for (String a : ATTRS) {
            out.add(prefix + a);
        }
        if (time) {
            for (String a : TIME_ATTRS) {
                out.add(prefix + a);
            }
        }
        out.add(prefix + "Elapsed");
        return out;
    }

    /** The new columns' values for one date cell, in {@link #partNames()} order ({@code null} = missing). */
    public String[] values(String cell) {
        int n = ATTRS.size() + (time ? TIME_ATTRS.size() : 0) + 1;
        String[] out = new String[n];
        if (cell == null || cell.isBlank()) {
            for (int k = 6; k < 12; k++) {
                out[k] = "False";
            }
            return out;
        }
        LocalDateTime t = parse(cell.trim());
        LocalDate d = t.toLocalDate();
        int i = 0;
        out[i++] = Integer.toString(d.getYear());
        out[i++] = Integer.toString(d.getMonthValue());
        out[i++] = Integer.toString(d.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR));
        out[i++] = Integer.toString(d.getDayOfMonth());
        out[i++] = Integer.toString(d.getDayOfWeek().getValue() - DayOfWeek.MONDAY.getValue());
        out[i++] = Integer.toString(d.getDayOfYear());
        boolean monthEnd = d.getDayOfMonth() == d.lengthOfMonth();
        boolean monthStart = d.getDayOfMonth() == 1;
        int m = d.getMonthValue();
        out[i++] = flag(monthEnd);
        out[i++] = flag(monthStart);
        out[i++] = flag(monthEnd && m % 3 == 0);
        out[i++] = flag(monthStart && m % 3 == 1);
        out[i++] = flag(monthEnd && m == 12);
        out[i++] = flag(monthStart && m == 1);
        if (time) {
            out[i++] = Integer.toString(t.getHour());
            out[i++] = Integer.toString(t.getMinute());
            out[i++] = Integer.toString(t.getSecond());
        }
        out[i] = Long.toString(t.toEpochSecond(ZoneOffset.UTC));
        return out;
    }

    /** The parts of one date cell by column name. */
    public Map<String, String> valueMap(String cell) {
        String[] v = values(cell);
        List<String> names = partNames();
        Map<String, String> out = new LinkedHashMap<>();
        for (int k = 0; k < v.length; k++) {
            out.put(names.get(k), v[k]);
        }
        return out;
    }

    private static String flag(boolean b) {
        return b ? "True" : "False";
    }

    private static final DateTimeFormatter[] DATE_TIMES = {
        DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm[:ss][.SSSSSSSSS][.SSSSSS][.SSS]"),
        DateTimeFormatter.ofPattern("yyyy/MM/dd[ HH:mm[:ss]]"),
        DateTimeFormatter.ofPattern("M/d/yyyy[ H:mm[:ss]]"),
    };

    /** Parses a date or date-time cell; an unreadable one is a {@link DataException} quoting it. */
    static LocalDateTime parse(String s) {
        try {
            if (s.length() == 10 && s.charAt(4) == '-') {
                return LocalDate.parse(s).atStartOfDay();
            }
            if (s.length() > 10 && s.charAt(4) == '-' && s.charAt(10) == 'T') {
                try {
                    return LocalDateTime.parse(s);
                } catch (DateTimeParseException e) {
                    return OffsetDateTime.parse(s).withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime();
                }
            }
        } catch (DateTimeParseException e) {
            throw new DataException("'" + s + "' is not a date");
        }
        for (DateTimeFormatter f : DATE_TIMES) {
            try {
                var parsed = f.parseBest(s, LocalDateTime::from, LocalDate::from);
                return parsed instanceof LocalDate ld ? ld.atStartOfDay() : (LocalDateTime) parsed;
            } catch (DateTimeParseException e) {
                // next format
            }
        }
        throw new DataException("'" + s + "' is not a date (expected e.g. 2010-03-31, 2010-03-31T12:00:00 or "
                + "03/31/2010)");
    }
}

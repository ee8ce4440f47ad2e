package ai.fastai4j.data;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/** A CSV file read with Apache Commons CSV: header row, then rows whose cells are looked up by column name. */
public final class CsvTable {
    private final Path file;
    private final List<String> columns;
    private final Map<String, Integer> columnIndex;
    private final List<Row> rows;

    private CsvTable(Path file, List<String> columns, List<String[]> cells) {
        this.file = file;
        this.columns = List.copyOf(columns);
        Map<String, Integer> idx = new HashMap<>();
        for (int i = 0; i < columns.size(); i++) {
            idx.put(columns.get(i), i);
        }
        this.columnIndex = idx;
        List<Row> rs = new ArrayList<>(cells.size());
        for (int i = 0; i < cells.size(); i++) {
            rs.add(new Row(this, i, cells.get(i)));
        }
        this.rows = Collections.unmodifiableList(rs);
    }

    /** Reads a CSV file with a header row. Rows with a wrong number of cells are errors naming the line. */
    public static CsvTable read(Path file) {
        try (Reader r = Files.newBufferedReader(file);
                CSVParser p = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true)
                        .setIgnoreSurroundingSpaces(true).build().parse(r)) {
            List<String> header = p.getHeaderNames();
            List<String[]> cells = new ArrayList<>();
            for (CSVRecord rec : p) {
                if (rec.size() != header.size()) {
                    throw new DataException(file + " line " + p.getCurrentLineNumber() + ": expected " + header.size()
                            + " cells, found " + rec.size());
                }
                cells.add(rec.values());
            }
            return new CsvTable(file, header, cells);
        } catch (IOException e) {
            throw new DataException("cannot read CSV file " + file + ": " + e.getMessage(), e);
        } catch (java.io.UncheckedIOException e) { // Commons CSV's iterator: an unbalanced quote, a bad escape
            throw new DataException("malformed CSV file " + file + ": " + (e.getCause() == null ? e.getMessage()
                    : e.getCause().getMessage()), e);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new DataException("malformed CSV file " + file + ": " + e.getMessage(), e);
        }
    }

    public Path file() {
        return file;
    }

    public List<String> columns() {
        return columns;
    }

    public List<Row> rows() {
        return rows;
    }

    /** Fails with a message naming the file and the columns it has if {@code column} is absent. */
    public void requireColumn(String column) {
        if (!columnIndex.containsKey(column)) {
            throw new DataException(file + " has no column '" + column + "' (columns: " + columns + ")");
        }
    }

    /** One row; {@link #get} names the file, row and column on a bad lookup. */
    public static final class Row {
        private final CsvTable table;
        private final int index;
        private final String[] cells;

        Row(CsvTable table, int index, String[] cells) {
            this.table = table;
            this.index = index;
            this.cells = cells;
        }

        public String get(String column) {
            Integer i = table.columnIndex.get(column);
            if (i == null) {
                throw new DataException(table.file + " has no column '" + column + "' (columns: " + table.columns + ")");
            }
            return cells[i];
        }

        /** Zero-based data row index (the header is not counted). */
        public int index() {
            return index;
        }

        public CsvTable table() {
            return table;
        }

        @Override
        public String toString() {
            return table.file.getFileName() + " row " + (index + 1);
        }
    }
}

package ai.fastai4j.callback;

import ai.fastai4j.learner.Callback;
import ai.fastai4j.learner.LRFinder;
import ai.fastai4j.learner.Learner;
import ai.fastai4j.plot.EpochTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * fastai's {@code CSVLogger}: the epoch table in a CSV file ({@code path/history.csv} by default), one row written
 * (and flushed) after every epoch: epoch, train_loss, valid_loss, the metrics, time. {@code append} keeps the
 * rows of earlier fits (the header is written once).
 */
public final class CsvLogger implements Callback {
    private final String fname;
    private final boolean append;
    private Path file;
    private boolean active;

    public CsvLogger() {
        this("history.csv", false);
    }

    public CsvLogger(String fname, boolean append) {
        this.fname = java.util.Objects.requireNonNull(fname);
        this.append = append;
    }

    @Override
    public int order() {
        return 60;
    }

    /** The file written, relative to the learner's path unless absolute. */
    public Path file() {
        return file;
    }

    @Override
    public void beforeFit(Learner learn) {
        active = !learn.hasCallback(LRFinder.class);
        if (!active) {
            return;
        }
        file = learn.path().resolve(fname);
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            if (!append || !Files.exists(file) || Files.size(file) == 0) {
                Files.writeString(file, String.join(",", learn.recorder().metricNames(learn)) + "\n",
                        StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void afterEpoch(Learner learn) {
        if (!active) {
            return;
        }
        List<String> names = learn.recorder().metricNames(learn);
        List<List<Double>> values = learn.recorder().values();
        List<Double> row = values.get(values.size() - 1);
        List<String> cells = new ArrayList<>();
        cells.add(String.valueOf(learn.epoch()));
        for (int i = 0; i < row.size(); i++) {
            cells.add(EpochTable.formatValue(names.get(i + 1), row.get(i)));
        }
        List<Double> secs = learn.recorder().epochSeconds();
        cells.add(EpochTable.formatTime(secs.get(secs.size() - 1)));
        try {
            Files.writeString(file, String.join(",", cells) + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** Reads the file back as rows of strings (header first), like fastai's {@code read_log}. */
    public List<List<String>> readLog() {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8).stream().map(l -> List.of(l.split(",", -1)))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}

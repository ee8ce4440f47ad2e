package ai.fastai4j.spark;

import ai.fastai4j.export.ModelInput;
import ai.fastai4j.export.Outcome;
import ai.fastai4j.learner.Prediction;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * Scores one partition on an executor: takes the executor's shared copy of the model, reads the rows in batches,
 * predicts each batch with {@code InferenceModel.predictEach} and returns every input row with its prediction
 * columns appended; a row that cannot be predicted gets nulls and the reason in the {@code error} column.
 */
final class PartitionScorer implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 1L;

    private final ModelSource source;
    private final ScoringOptions options;
    private final ModelInput.Kind kind;
    /** The image column's index, or the row columns' indices in the input, in the model's column order. */
    private final int[] inputIndex;
    private final String[] columns;
    private final Output output;
    private final String[] vocab;

    PartitionScorer(ModelSource source, ScoringOptions options, ModelInput.Kind kind, int[] inputIndex,
            List<String> columns, Output output, List<String> vocab) {
        this.source = source;
        this.options = options;
        this.kind = kind;
        this.inputIndex = inputIndex.clone();
        this.columns = columns.toArray(String[]::new);
        this.output = output;
        this.vocab = vocab.toArray(String[]::new);
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
        if (!rows.hasNext()) {
            return java.util.Collections.emptyIterator();
        }
        ExecutorModels.Lease lease = ExecutorModels.acquire(source, options.idleSeconds());
        TaskContext task = TaskContext.get();
        if (task != null) {
            task.addTaskCompletionListener(new org.apache.spark.util.TaskCompletionListener() {
                @Override
                public void onTaskCompletion(TaskContext context) {
                    lease.close();
                }
            });
        }
        return new Iterator<>() {
            private Iterator<Row> batch = java.util.Collections.emptyIterator();

            @Override
            public boolean hasNext() {
                if (batch.hasNext()) {
                    return true;
                }
                if (!rows.hasNext()) {
                    lease.close();
                    return false;
                }
                batch = score(lease, rows).iterator();
                return batch.hasNext();
            }

            @Override
            public Row next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return batch.next();
            }
        };
    }

    private List<Row> score(ExecutorModels.Lease lease, Iterator<Row> rows) {
        List<Row> in = new ArrayList<>(options.batchSize());
        while (rows.hasNext() && in.size() < options.batchSize()) {
            in.add(rows.next());
        }
        String[] refused = new String[in.size()];
        List<Object> raws = new ArrayList<>(in.size());
        List<Integer> at = new ArrayList<>(in.size());
        for (int i = 0; i < in.size(); i++) {
            try {
                raws.add(raw(in.get(i)));
                at.add(i);
            } catch (IllegalArgumentException e) {
                refused[i] = e.getMessage();
            }
        }
        List<Outcome> outcomes = raws.isEmpty() ? List.of() : lease.model().predictEach(raws);
        Outcome[] byRow = new Outcome[in.size()];
        for (int j = 0; j < outcomes.size(); j++) {
            byRow[at.get(j)] = outcomes.get(j);
        }
        List<Row> out = new ArrayList<>(in.size());
        for (int i = 0; i < in.size(); i++) {
            Outcome o = byRow[i] != null ? byRow[i] : new Outcome(null, refused[i]);
            out.add(append(in.get(i), o));
        }
        return out;
    }

    /** The model's raw input for one row: an image's bytes, or the row's columns as text, as the server takes them. */
    private Object raw(Row r) {
        if (kind == ModelInput.Kind.IMAGE) {
            Object v = r.get(inputIndex[0]);
            if (v instanceof byte[] b) {
                return b;
            }
            throw new IllegalArgumentException("column '" + options.imageColumn() + "' is null: no image to predict");
        }
        if (kind == ModelInput.Kind.TEXT) {
            Object v = r.get(inputIndex[0]);
            if (v instanceof String s) {
                return s;
            }
            throw new IllegalArgumentException("column '" + options.textColumn() + "' is null: no text to predict");
        }
        Map<String, String> m = new LinkedHashMap<>();
        for (int c = 0; c < columns.length; c++) {
            Object v = r.get(inputIndex[c]);
            m.put(columns[c], v == null ? null : String.valueOf(v));
        }
        return m;
    }

    private Row append(Row r, Outcome o) {
        int n = r.length();
        Object[] values = new Object[n + (output == Output.CLASSIFICATION ? 4 : 2)];
        for (int i = 0; i < n; i++) {
            values[i] = r.get(i);
        }
        Prediction p = o.prediction();
        String error = o.error();
        if (output == Output.SEGMENTATION) {
            if (p != null) {
                if (p.label() instanceof ai.fastai4j.vision.Mask mask) {
                    values[n] = png(mask);
                } else {
                    error = "the model answered " + p.label().getClass().getSimpleName() + ", not a mask";
                }
            }
            values[n + 1] = error;
        } else if (output == Output.CLASSIFICATION) {
            if (p != null) {
                List<Prediction.ClassProbability> top = p.top(options.topK(), List.of(vocab));
                List<Row> topRows = new ArrayList<>(top.size());
                for (Prediction.ClassProbability t : top) {
                    topRows.add(RowFactory.create(t.label(), (double) t.probability()));
                }
                Object label = p.label();
                values[n] = label instanceof List<?> l ? String.join(";", l.stream().map(String::valueOf).toList())
                        : String.valueOf(label);
                int li = label instanceof String s ? List.of(vocab).indexOf(s) : -1;
                values[n + 1] = (double) (li >= 0 && vocab.length == p.probs().length ? p.probs()[li] : p.maxProb());
                values[n + 2] = scala.jdk.javaapi.CollectionConverters.asScala(topRows).toSeq();
            }
            values[n + 3] = error;
        } else {
            if (p != null) {
                Object v = p.label();
                if (v instanceof Number num) {
                    values[n] = num.doubleValue();
                } else if (v instanceof float[] f && f.length == 1) {
                    values[n] = (double) f[0];
                } else {
                    error = "this model predicts " + (v instanceof float[] f ? f.length : "non-numeric")
                            + " values per row; Spark scoring writes one value per row";
                }
            }
            values[n + 1] = error;
        }
        return RowFactory.create(values);
    }

    /** A mask as a PNG: palette colours for viewing, pixel values the class codes. */
    static byte[] png(ai.fastai4j.vision.Mask mask) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try {
            javax.imageio.ImageIO.write(mask.toPaletteImage(), "png", out);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}

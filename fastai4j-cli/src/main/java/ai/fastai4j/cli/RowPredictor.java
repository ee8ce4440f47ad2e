package ai.fastai4j.cli;

import ai.fastai4j.collab.CollabExport;
import ai.fastai4j.data.DataException;
import ai.fastai4j.export.InferenceModel;
import ai.fastai4j.learner.Prediction;
import ai.fastai4j.tabular.Table;
import ai.fastai4j.tabular.TabularExport;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * {@code predict} for models that take table rows (tabular, collab): every row of a CSV file in, the same rows with
 * the prediction columns out. Columns: the input's, then {@code <target>_pred} (class or value), for a class its
 * probability {@code <target>_prob} and one {@code p_<class>} per class, for a model trained on log(target) also
 * {@code <target>_pred_exp}, and {@code unseen}: the columns of the row whose value the model never saw in
 * training (mapped to {@code #na#}), separated by {@code ;}. The counts per column go to standard error.
 */
final class RowPredictor {
    private RowPredictor() {}

    static final int CHUNK = 1024;

    static boolean takesRows(InferenceModel model) {
        String in = model.manifest().inputs().isEmpty() ? "" : model.manifest().inputs().get(0).name();
        return model.manifest().inputs().size() == 1 && (TabularExport.BLOCK.equals(in) || CollabExport.BLOCK.equals(in));
    }

    /** The rows predicted and, per column, how many held a value unseen in training. */
    record Result(int rows, Map<String, Integer> unseen) {}

    /** Predicts every row of {@code csv} into {@code out} (null: standard output). */
    static Result predictCsv(InferenceModel model, Path csv, Path out, PrintStream stdout) {
        Table table = Table.readCsv(csv);
        Object target = model.manifest().provenance().get("target");
        String y = target == null ? "prediction" : target.toString();
        boolean logY = "log".equals(model.manifest().provenance().get("target_transform"));
        List<String> vocab = model.vocab();
        List<String> header = new ArrayList<>(table.columns());
        header.add(y + "_pred");
        if (!vocab.isEmpty()) {
            header.add(y + "_prob");
            vocab.forEach(c -> header.add("p_" + c));
        } else if (logY) {
            header.add(y + "_pred_exp");
        }
        header.add("unseen");
        Map<String, Integer> total = new LinkedHashMap<>();
        Path part = out == null ? null : out.resolveSibling(out.getFileName() + ".part");
        try (Writer w = out == null ? new java.io.OutputStreamWriter(new java.io.FilterOutputStream(stdout) {
                    @Override
                    public void close() throws IOException {
                        flush(); // standard output stays open
                    }
                }, StandardCharsets.UTF_8)
                : Files.newBufferedWriter(part, StandardCharsets.UTF_8);
                CSVPrinter p = new CSVPrinter(w, CSVFormat.DEFAULT.builder().setRecordSeparator("\n").build())) {
            p.printRecord(header);
            List<Table.Row> rows = table.rows();
            for (int from = 0; from < rows.size(); from += CHUNK) {
                List<Table.Row> chunk = rows.subList(from, Math.min(rows.size(), from + CHUNK));
                List<Prediction> ps;
                try {
                    ps = model.predictBatch(chunk);
                } catch (DataException e) {
                    throw new DataException(csv + ": " + e.getMessage(), e);
                }
                for (int i = 0; i < chunk.size(); i++) {
                    Table.Row r = chunk.get(i);
                    List<String> unseen = model.unseenCategories(List.of(r)).keySet().stream().toList();
                    unseen.forEach(c -> total.merge(c, 1, Integer::sum));
                    List<String> rec = new ArrayList<>();
                    for (String c : table.columns()) {
                        String v = r.get(c);
                        rec.add(v == null ? "" : v);
                    }
                    Prediction pr = ps.get(i);
                    float[] probs = pr.probs();
                    if (!vocab.isEmpty()) {
                        rec.add(String.valueOf(pr.label()));
                        rec.add(String.format(Locale.ROOT, "%.6f", pr.maxProb()));
                        for (float q : probs) {
                            rec.add(String.format(Locale.ROOT, "%.6f", q));
                        }
                    } else {
                        rec.add(String.format(Locale.ROOT, "%.6f", probs[0]));
                        if (logY) {
                            rec.add(String.format(Locale.ROOT, "%.6g", Math.exp(probs[0])));
                        }
                    }
                    rec.add(String.join(";", unseen));
                    p.printRecord(rec);
                }
            }
            p.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + (out == null ? "the predictions" : out) + ": "
                    + e.getMessage(), e);
        }
        if (out != null) {
            try {
                Files.move(part, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + out + ": " + e.getMessage(), e);
            }
        }
        return new Result(table.nRows(), total);
    }

    /** "unseen categories (mapped to #na#): Home 3 rows, Job 1 row", or that there were none. */
    static String describeUnseen(Result r) {
        Map<String, Integer> counts = r.unseen();
        int rows = r.rows();
        if (counts.isEmpty()) {
            return "unseen categories: none in " + rows + " rows";
        }
        StringBuilder sb = new StringBuilder("unseen categories (mapped to #na#) in " + rows + " rows:");
        counts.forEach((c, n) -> sb.append(' ').append(c).append(' ').append(n).append(n == 1 ? " row;" : " rows;"));
        sb.setLength(sb.length() - 1);
        return sb.toString();
    }
}

package ai.fastai4j.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The metrics fastai takes from scikit-learn, computed by fastai4j over two batches, against scikit-learn itself
 * (Debian's python3-sklearn, run as {@code /usr/bin/python3}) on the same probabilities, decisions and targets.
 */
class SklearnMetricsTest {
    @TempDir
    Path dir;

    private static final String SCRIPT = """
            import sys, numpy as np
            from sklearn import metrics as M
            d = sys.argv[1]
            p2 = np.loadtxt(d + '/p2.csv', delimiter=',', ndmin=2); y2 = np.loadtxt(d + '/y2.csv').astype(int)
            p4 = np.loadtxt(d + '/p4.csv', delimiter=',', ndmin=2); y4 = np.loadtxt(d + '/y4.csv').astype(int)
            r = np.loadtxt(d + '/r.csv', delimiter=',', ndmin=2)
            out = {
              'roc_auc_binary': M.roc_auc_score(y2, p2[:, 1]),
              'roc_auc': M.roc_auc_score(y4, p4, multi_class='ovr', average='macro'),
              'mcc2': M.matthews_corrcoef(y2, p2.argmax(1)),
              'mcc4': M.matthews_corrcoef(y4, p4.argmax(1)),
              'balanced4': M.balanced_accuracy_score(y4, p4.argmax(1)),
              'f1_2': M.f1_score(y2, p2.argmax(1)),
              'precision2': M.precision_score(y2, p2.argmax(1)),
              'recall2': M.recall_score(y2, p2.argmax(1)),
              'f1_macro4': M.f1_score(y4, p4.argmax(1), average='macro'),
              'r2': M.r2_score(r[:, 1], r[:, 0]),
              'explained_variance': M.explained_variance_score(r[:, 1], r[:, 0]),
            }
            for k, v in out.items():
                print(k, repr(float(v)))
            """;

    /** Feeds two batches of logits; returns the metric and the softmax rows it saw. */
    private static double run(Metric m, float[][] logits, int[] y, NDManager nd) {
        m.reset();
        int half = y.length / 2;
        for (int[] range : new int[][] {{0, half}, {half, y.length}}) {
            int n = range[1] - range[0];
            int c = logits[0].length;
            float[] flat = new float[n * c];
            long[] t = new long[n];
            for (int i = 0; i < n; i++) {
                System.arraycopy(logits[range[0] + i], 0, flat, i * c, c);
                t[i] = y[range[0] + i];
            }
            m.accumulate(nd.create(flat, new ai.djl.ndarray.types.Shape(n, c)), nd.create(t));
        }
        return m.value();
    }

    private static float[][] probs(float[][] logits, NDManager nd) {
        int c = logits[0].length;
        float[][] out = new float[logits.length][];
        for (int i = 0; i < logits.length; i++) {
            out[i] = nd.create(logits[i], new ai.djl.ndarray.types.Shape(1, c)).softmax(1).toFloatArray();
        }
        return out;
    }

    private static void write(Path f, float[][] rows) throws Exception {
        StringBuilder sb = new StringBuilder();
        for (float[] r : rows) {
            for (int j = 0; j < r.length; j++) {
                sb.append(j == 0 ? "" : ",").append(Float.toString(r[j]));
            }
            sb.append('\n');
        }
        Files.writeString(f, sb.toString(), StandardCharsets.UTF_8);
    }

    private static void write(Path f, int[] ys) throws Exception {
        StringBuilder sb = new StringBuilder();
        for (int v : ys) {
            sb.append(v).append('\n');
        }
        Files.writeString(f, sb.toString(), StandardCharsets.UTF_8);
    }

    private Map<String, Double> sklearn() throws Exception {
        Path script = dir.resolve("ref.py");
        Files.writeString(script, SCRIPT, StandardCharsets.UTF_8);
        Process p = new ProcessBuilder("/usr/bin/python3", script.toString(), dir.toString()).redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        Map<String, Double> ref = new LinkedHashMap<>();
        for (String line : out.strip().split("\n")) {
            String[] kv = line.trim().split(" ");
            ref.put(kv[0], Double.parseDouble(kv[1]));
        }
        return ref;
    }

    @Test
    void agreeWithScikitLearn() throws Exception {
        Random r = new Random(12);
        int n = 101;
        float[][] l2 = new float[n][2];
        float[][] l4 = new float[n][4];
        int[] y2 = new int[n];
        int[] y4 = new int[n];
        float[][] reg = new float[n][2];
        for (int i = 0; i < n; i++) {
            y2[i] = r.nextInt(2);
            y4[i] = r.nextInt(4);
            for (int j = 0; j < 2; j++) {
                l2[i][j] = (float) (r.nextGaussian() + (j == y2[i] ? 0.8 : 0));
            }
            for (int j = 0; j < 4; j++) {
                l4[i][j] = (float) (r.nextGaussian() + (j == y4[i] ? 1.0 : 0));
            }
            float t = (float) (3 * r.nextGaussian());
            reg[i][1] = t;
            reg[i][0] = (float) (0.8 * t + 1 + r.nextGaussian()); // biased: r2 and explained variance differ
        }
        l2[3] = l2[5].clone(); // a tie in the scores
        try (NDManager nd = NDManager.newBaseManager()) {
            write(dir.resolve("p2.csv"), probs(l2, nd));
            write(dir.resolve("p4.csv"), probs(l4, nd));
            write(dir.resolve("y2.csv"), y2);
            write(dir.resolve("y4.csv"), y4);
            write(dir.resolve("r.csv"), reg);
            Map<String, Double> ref = sklearn();
            Map<String, Double> ours = new LinkedHashMap<>();
            ours.put("roc_auc_binary", run(Metrics.rocAucBinary(), l2, y2, nd));
            ours.put("roc_auc", run(Metrics.rocAuc(), l4, y4, nd));
            ours.put("mcc2", run(Metrics.matthewsCorrCoef(), l2, y2, nd));
            ours.put("mcc4", run(Metrics.matthewsCorrCoef(), l4, y4, nd));
            ours.put("balanced4", run(Metrics.balancedAccuracy(), l4, y4, nd));
            ours.put("f1_2", run(Metrics.f1(), l2, y2, nd));
            ours.put("precision2", run(Metrics.precision(1), l2, y2, nd));
            ours.put("recall2", run(Metrics.recall(1), l2, y2, nd));
            ours.put("f1_macro4", run(Metrics.f1Macro(), l4, y4, nd));
            List<Metric> regression = List.of(Metrics.r2(), Metrics.explainedVariance());
            for (Metric m : regression) {
                m.reset();
                float[] p = new float[n];
                float[] t = new float[n];
                for (int i = 0; i < n; i++) {
                    p[i] = reg[i][0];
                    t[i] = reg[i][1];
                }
                NDArray pa = nd.create(p);
                NDArray ta = nd.create(t);
                m.accumulate(pa.get("0:50"), ta.get("0:50"));
                m.accumulate(pa.get("50:"), ta.get("50:"));
                ours.put(m == regression.get(0) ? "r2" : "explained_variance", m.value());
            }
            List<String> report = new ArrayList<>();
            ref.forEach((k, v) -> report.add(String.format(Locale.ROOT, "%s sklearn %.12f fastai4j %.12f", k, v,
                    ours.get(k))));
            for (String k : ref.keySet()) {
                assertEquals(ref.get(k), ours.get(k), 1e-6, String.join("\n", report));
            }
            assertTrue(Math.abs(ref.get("r2") - ref.get("explained_variance")) > 1e-3, "the two differ here");
        }
    }
}

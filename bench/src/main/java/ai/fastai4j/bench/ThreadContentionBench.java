package ai.fastai4j.bench;

import ai.djl.engine.Engine;
import ai.fastai4j.engine.EngineDefaults;
import ai.fastai4j.engine.Torch;
import ai.fastai4j.metrics.Metrics;
import ai.fastai4j.tabular.Table;
import ai.fastai4j.tabular.TabularConfig;
import ai.fastai4j.tabular.TabularDataLoaders;
import ai.fastai4j.tabular.TabularLearner;
import ai.fastai4j.tabular.TabularLearners;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * A small tabular fit (synthetic rows: two categorical and two continuous columns, fastai's default
 * {@code [200, 100]} MLP, batch 64), timed: how the engine's thread settings behave on an idle machine and on one
 * whose cores are busy with other processes. The thread settings come from outside, as an application sets them
 * (they take effect only before libtorch loads): {@code -Dai.djl.pytorch.num_threads},
 * {@code -Dai.djl.pytorch.num_interop_threads}, and the environment ({@code OMP_WAIT_POLICY}, {@code
 * GOMP_SPINCOUNT}). {@code bench/run-contention-bench.sh} runs the configurations alternately, idle and next to
 * busy processes, and prints medians.
 *
 * <pre>
 * java -cp ... ai.fastai4j.bench.ThreadContentionBench [--rows 10000] [--epochs 2] [--label NAME] [--defaults 1]
 * </pre>
 * {@code --defaults 1} applies {@link EngineDefaults} first, as the command line does (OMP_WAIT_POLICY=PASSIVE set
 * from inside the process). Prints {@code RESULT label=... intra=... inter=... omp_wait_policy=... seconds=...}.
 */
public final class ThreadContentionBench {

    private ThreadContentionBench() {
    }

    public static void main(String[] args) {
        Map<String, String> a = new LinkedHashMap<>(Map.of("rows", "10000", "epochs", "2", "label", "run", "defaults", "0"));
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        int rows = Integer.parseInt(a.get("rows"));
        int epochs = Integer.parseInt(a.get("epochs"));
        boolean passive = "1".equals(a.get("defaults")) ? EngineDefaults.apply()
                : "PASSIVE".equalsIgnoreCase(System.getenv("OMP_WAIT_POLICY"));
        Engine.getInstance().setRandomSeed(1);
        try (TabularDataLoaders dls = TabularDataLoaders.fromTable(table(rows, 7)).catNames("color", "size")
                .contNames("x1", "x2").yNames("label").batchSize(64).workers(0).seed(1).build();
                TabularLearner learn = TabularLearners.create(dls, List.of(200, 100), TabularConfig.defaults(),
                        Map.of(), b -> b.progress(false), Metrics.accuracy())) {
            long t0 = System.nanoTime();
            learn.fitOneCycle(epochs, 1e-2);
            double seconds = (System.nanoTime() - t0) / 1e9;
            List<List<Double>> v = learn.recorder().values();
            double acc = v.get(v.size() - 1).get(2);
            System.out.printf(Locale.ROOT, "RESULT label=%s intra=%d inter=%d passive=%s defaults=%s"
                    + " seconds=%.3f accuracy=%.4f load=%s%n", a.get("label"), Torch.intraOpThreads(),
                    Torch.interOpThreads(), passive, a.get("defaults"), seconds, acc, load());
        }
    }

    private static String load() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ")[0];
        } catch (java.io.IOException | RuntimeException e) {
            return "?";
        }
    }

    /** {@code n} rows; the label follows a noisy rule on color, x1 and x2. */
    static Table table(int n, long seed) {
        String[] colors = {"red", "green", "blue"};
        String[] sizes = {"S", "M", "L"};
        Random r = new Random(seed);
        List<Map<String, String>> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String color = colors[r.nextInt(3)];
            double x1 = r.nextGaussian();
            double x2 = 5 + 2 * r.nextGaussian();
            double score = (color.equals("red") ? 1.5 : color.equals("blue") ? -1.5 : 0) + 1.5 * x1 - 0.75 * (x2 - 5)
                    + 0.3 * r.nextGaussian();
            Map<String, String> row = new LinkedHashMap<>();
            row.put("color", color);
            row.put("size", sizes[r.nextInt(3)]);
            row.put("x1", String.format(Locale.ROOT, "%.4f", x1));
            row.put("x2", String.format(Locale.ROOT, "%.4f", x2));
            row.put("label", score > 0 ? "yes" : "no");
            out.add(row);
        }
        return Table.fromRows("synthetic.csv", out);
    }
}

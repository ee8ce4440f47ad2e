import ai.djl.engine.Engine;
import ai.fastai4j.collab.CollabDataLoaders;
import ai.fastai4j.collab.CollabLearner;
import ai.fastai4j.collab.CollabLearners;
import ai.fastai4j.metrics.Metrics;
import ai.fastai4j.tabular.Table;
import ai.fastai4j.tabular.TabularConfig;
import ai.fastai4j.tabular.TabularDataLoaders;
import ai.fastai4j.tabular.TabularLearner;
import ai.fastai4j.tabular.TabularLearners;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The Java API figures that cli_bench.sh sets the command line's beside: TabularBench's recipes (issue 5), on the
 * split cli_bench.sh marked in an is_valid column (Ames, credit) or the collab split of seed 42 (MovieLens).
 *
 *   java -cp ... ApiReference ames FILE | credit FILE | movielens FILE
 */
public final class ApiReference {
    public static void main(String[] args) {
        String task = args[0];
        Path csv = Path.of(args[1]);
        Engine.getInstance().setRandomSeed(42);
        switch (task) {
            case "ames" -> {
                // TabularBench.ames: log price, cont_cat_split(20), layers [200, 100], y_range = training range
                // rounded out to 0.1 and widened by 0.2, fit_one_cycle(10, 1e-2), bs 64, wd 0.01
                Table t = Table.readCsv(csv).withDoubleColumn("Sale_Price", "Sale_Price", Math::log);
                int[] valid = valid(t);
                double lo = Double.POSITIVE_INFINITY;
                double hi = Double.NEGATIVE_INFINITY;
                java.util.Set<Integer> vs = new java.util.HashSet<>();
                for (int v : valid) {
                    vs.add(v);
                }
                for (int i = 0; i < t.nRows(); i++) {
                    if (!vs.contains(i)) {
                        double y = Double.parseDouble(t.get(i, "Sale_Price"));
                        lo = Math.min(lo, y);
                        hi = Math.max(hi, y);
                    }
                }
                t = t.dropColumns("is_valid");
                TabularConfig cfg = TabularConfig.defaults().withYRange(Math.floor(lo * 10) / 10 - 0.2,
                        Math.ceil(hi * 10) / 10 + 0.2);
                try (TabularDataLoaders dls = TabularDataLoaders.fromTable(t).yNames("Sale_Price").validIdx(valid)
                        .seed(42).batchSize(64).build();
                        TabularLearner learn = TabularLearners.create(dls, List.of(200, 100), cfg, Map.of(),
                                b -> b.progress(false), Metrics.rmse())) {
                    learn.fitOneCycle(10, 1e-2);
                    print(task, "rmse", learn);
                }
            }
            case "credit" -> {
                Table t = Table.readCsv(csv);
                int[] valid = valid(t);
                t = t.dropColumns("is_valid");
                try (TabularDataLoaders dls = TabularDataLoaders.fromTable(t).yNames("Status").validIdx(valid)
                        .seed(42).batchSize(64).build();
                        TabularLearner learn = TabularLearners.create(dls, List.of(200, 100), Metrics.accuracy())) {
                    learn.fitOneCycle(5, 1e-2);
                    print(task, "accuracy", learn);
                }
            }
            case "movielens" -> {
                try (CollabDataLoaders dls = CollabDataLoaders.fromCsv(csv).userName("userId").itemName("movieId")
                        .ratingName("rating").seed(42).batchSize(64).build();
                        CollabLearner learn = CollabLearners.create(dls, 50, new double[] {0, 5.5}, false,
                                b -> b.wd(0.1).progress(false), Metrics.rmse())) {
                    learn.fitOneCycle(5, 5e-3);
                    print(task, "rmse", learn);
                }
            }
            default -> throw new IllegalArgumentException("unknown task " + task);
        }
    }

    static int[] valid(Table t) {
        List<Integer> v = new ArrayList<>();
        String[] c = t.column("is_valid");
        for (int i = 0; i < c.length; i++) {
            if ("1".equals(c[i])) {
                v.add(i);
            }
        }
        return v.stream().mapToInt(Integer::intValue).toArray();
    }

    static void print(String task, String metric, ai.fastai4j.learner.Learner learn) {
        List<List<Double>> v = learn.recorder().values();
        List<Double> last = v.get(v.size() - 1);
        System.out.printf(Locale.ROOT, "API %s: %s %.4f (epochs: %s)%n", task, metric, last.get(last.size() - 1), v);
    }
}

package ai.fastai4j.tabular;

import ai.djl.ndarray.NDManager;
import ai.fastai4j.learner.Learner;
import ai.fastai4j.metrics.Metric;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * fastai's {@code tabular_learner}: a {@link TabularModel} sized for the data (embedding sizes by
 * {@link TabularModel#embSzRule}, one output per class or one for regression), the target's default loss
 * (cross-entropy or MSE), Adam, and the given metrics.
 *
 * <pre>{@code
 * try (TabularLearner learn = TabularLearners.create(dls, List.of(200, 100), Metrics.accuracy())) {
 *     learn.fitOneCycle(3, 1e-2);
 *     System.out.println(learn.predictRow(Map.of("age", "49", "workclass", "Private", ...)).label());
 * }
 * }</pre>
 */
public final class TabularLearners {
    private TabularLearners() {}

    /** fastai's default hidden layers. */
    public static final List<Integer> DEFAULT_LAYERS = List.of(200, 100);

    /** Layers [200, 100], fastai's config. */
    public static TabularLearner create(TabularDataLoaders dls, Metric... metrics) {
        return create(dls, DEFAULT_LAYERS, TabularConfig.defaults(), Map.of(), b -> {}, metrics);
    }

    /** Given hidden layers, fastai's config. */
    public static TabularLearner create(TabularDataLoaders dls, List<Integer> layers, Metric... metrics) {
        return create(dls, layers, TabularConfig.defaults(), Map.of(), b -> {}, metrics);
    }

    /** Given hidden layers and model options (dropouts, y_range, ...). */
    public static TabularLearner create(TabularDataLoaders dls, List<Integer> layers, TabularConfig config,
            Metric... metrics) {
        return create(dls, layers, config, Map.of(), b -> {}, metrics);
    }

    /**
     * Everything: hidden {@code layers}, model {@code config}, embedding sizes overriding the rule by column
     * ({@code embSzs}), and further learner settings ({@code configure}: weight decay, optimizer, path...).
     */
    public static TabularLearner create(TabularDataLoaders dls, List<Integer> layers, TabularConfig config,
            Map<String, Integer> embSzs, Consumer<Learner.Builder> configure, Metric... metrics) {
        TabularProcessor proc = dls.processor();
        List<int[]> szs = TabularModel.embSzs(proc, embSzs);
        int nOut = dls.c();
        NDManager m = NDManager.newBaseManager();
        try {
            TabularModel model = new TabularModel(m, szs, proc.contNames().size(), nOut, layers, config);
            TabularLearner.Builder b = TabularLearner.builder(dls, model);
            b.metrics(metrics).owning(m);
            configure.accept(b);
            TabularLearner learn = b.build();
            Map<String, Object> prov = learn.provenance();
            prov.put("model", "tabular_model");
            List<List<Integer>> sz = new ArrayList<>();
            for (int[] s : szs) {
                sz.add(List.of(s[0], s[1]));
            }
            prov.put("emb_szs", sz);
            prov.put("n_cont", proc.contNames().size());
            prov.put("out_sz", nOut);
            prov.put("layers", List.copyOf(layers));
            prov.put("ps", config.ps());
            prov.put("embed_p", config.embedP());
            double[] yr = config.yRange();
            prov.put("y_range", yr == null ? null : List.of(yr[0], yr[1]));
            prov.put("use_bn", config.useBn());
            prov.put("bn_final", config.bnFinal());
            prov.put("bn_cont", config.bnCont());
            prov.put("lin_first", config.linFirst());
            return learn;
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }
}

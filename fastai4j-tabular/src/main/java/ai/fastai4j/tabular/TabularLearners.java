package ai.fastai4j.tabular;

import ai.djl.ndarray.NDManager;
import ai.fastai4j.learner.Learner;
import ai.fastai4j.metrics.Metric;
import ai.fastai4j.nn.ModelSpec;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * fastai's {@code tabular_learner}: a {@link TabularModel} sized for the data (embedding sizes by
 * {@link TabularModel#embSzRule}, one output per class or one for regression), the target's default loss
 * (cross-entropy or MSE), Adam, and the given metrics. The learner's model spec says how to rebuild the model
 * ({@value TabularExport#MODEL_FACTORY} and its {@link TabularModel.Spec}), so
 * {@code ModelExport.export(learn, file)} writes a {@code .fai} file that
 * {@link ai.fastai4j.export.InferenceModel#load} reads back.
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
            TabularModel.Spec spec = new TabularModel.Spec(szs, proc.contNames().size(), nOut, layers, config);
            TabularModel model = spec.build(m);
            TabularLearner.Builder b = TabularLearner.builder(dls, model);
            b.metrics(metrics).owning(m);
            configure.accept(b);
            TabularLearner learn = b.build();
            learn.setModelSpec(new ModelSpec(TabularExport.MODEL_FACTORY, spec.toParams()));
            return learn;
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }
}

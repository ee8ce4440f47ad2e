package ai.fastai4j.collab;

import ai.djl.ndarray.NDManager;
import ai.fastai4j.learner.Learner;
import ai.fastai4j.losses.Losses;
import ai.fastai4j.metrics.Metric;
import ai.fastai4j.nn.ModelSpec;
import ai.fastai4j.nn.Module;
import ai.fastai4j.tabular.TabularConfig;
import ai.fastai4j.tabular.TabularModel;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * fastai's {@code collab_learner}: an {@link EmbeddingDotBias} with {@code nFactors} (50) factors, or with
 * {@code useNN} an {@link EmbeddingNN} (embedding sizes by fastai's rule, hidden layers [nFactors]); loss MSE,
 * Adam with fastai's defaults. fastai's recipe for MovieLens: y_range (0, 5.5), {@code fit_one_cycle(5, 5e-3,
 * wd=0.1)}: pass {@code b -> b.wd(0.1)} as {@code configure}. The learner's model spec says how to rebuild the
 * model, so {@code ModelExport.export(learn, file)} writes a {@code .fai} file that
 * {@link ai.fastai4j.export.InferenceModel#load} reads back (see {@link CollabExport}).
 */
public final class CollabLearners {
    private CollabLearners() {}

    /** fastai's default number of factors. */
    public static final int DEFAULT_FACTORS = 50;

    /** An EmbeddingDotBias with 50 factors and the given y_range (null for none). */
    public static CollabLearner create(CollabDataLoaders dls, double[] yRange, Metric... metrics) {
        return create(dls, DEFAULT_FACTORS, yRange, false, b -> {}, metrics);
    }

    /**
     * @param nFactors factors of EmbeddingDotBias, and the hidden size of EmbeddingNN
     * @param yRange low and high of the sigmoid range, or null
     * @param useNN EmbeddingNN instead of EmbeddingDotBias
     * @param configure further learner settings (weight decay, optimizer, path, progress...)
     */
    public static CollabLearner create(CollabDataLoaders dls, int nFactors, double[] yRange, boolean useNN,
            Consumer<Learner.Builder> configure, Metric... metrics) {
        int nUsers = dls.users().size();
        int nItems = dls.items().size();
        NDManager m = NDManager.newBaseManager();
        try {
            Module model;
            Map<String, Object> params;
            if (useNN) {
                List<int[]> szs = List.of(new int[] {nUsers, TabularModel.embSzRule(nUsers)},
                        new int[] {nItems, TabularModel.embSzRule(nItems)});
                TabularConfig cfg = TabularConfig.defaults();
                if (yRange != null) {
                    cfg = cfg.withYRange(yRange[0], yRange[1]);
                }
                model = new EmbeddingNN(m, szs, List.of(nFactors), cfg);
                params = EmbeddingNN.params(szs, List.of(nFactors), cfg);
            } else {
                model = new EmbeddingDotBias(m, nFactors, nUsers, nItems, yRange);
                params = EmbeddingDotBias.params(nFactors, nUsers, nItems, yRange);
            }
            CollabLearner.Builder b = CollabLearner.builder(dls, model);
            b.lossFunction(Losses.mse()).metrics(metrics).owning(m);
            configure.accept(b);
            CollabLearner learn = b.build();
            learn.setModelSpec(new ModelSpec(useNN ? CollabExport.NN : CollabExport.DOT_BIAS, params));
            return learn;
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }
}

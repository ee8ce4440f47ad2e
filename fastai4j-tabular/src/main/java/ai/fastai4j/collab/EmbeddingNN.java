package ai.fastai4j.collab;

import ai.djl.ndarray.NDManager;
import ai.fastai4j.tabular.TabularConfig;
import ai.fastai4j.tabular.TabularModel;
import java.util.List;
import java.util.Map;

/**
 * fastai's {@code EmbeddingNN}: a {@link TabularModel} with two embeddings (users, items), no continuous input and
 * one output. Input: INT64 (N, 2) (user, item) codes; output (N, 1).
 */
public final class EmbeddingNN extends TabularModel {

    /**
     * @param embSzs (cardinality, size) of users then items
     * @param layers hidden sizes (fastai's collab default: [n_factors])
     */
    public EmbeddingNN(NDManager m, List<int[]> embSzs, List<Integer> layers, TabularConfig config) {
        super(m, embSzs, 0, 1, layers, config);
        if (embSzs.size() != 2) {
            throw new IllegalArgumentException("EmbeddingNN takes two embeddings (users, items), got " + embSzs.size());
        }
    }

    /**
     * The parameters of the {@value CollabExport#NN} model factory: those of a {@link TabularModel.Spec} with no
     * continuous column and one output, which {@link CollabLearners#create} records in the learner's provenance.
     */
    public static Map<String, Object> params(List<int[]> embSzs, List<Integer> layers, TabularConfig config) {
        return new TabularModel.Spec(embSzs, 0, 1, layers, config).toParams();
    }

    /** A model from {@link #params} (a missing or mistyped parameter is an {@link IllegalArgumentException}). */
    public static EmbeddingNN fromParams(NDManager m, Map<String, Object> p) {
        TabularModel.Spec spec = TabularModel.Spec.fromParams(p);
        if (spec.nCont() != 0 || spec.outSz() != 1 || spec.embSzs().size() != 2) {
            throw new IllegalArgumentException("an EmbeddingNN has two embeddings (users, items), no continuous input "
                    + "and one output; the parameters say " + spec.embSzs().size() + " embeddings, n_cont "
                    + spec.nCont() + ", out_sz " + spec.outSz());
        }
        return new EmbeddingNN(m, spec.embSzs(), spec.layerSizes(), spec.config());
    }
}

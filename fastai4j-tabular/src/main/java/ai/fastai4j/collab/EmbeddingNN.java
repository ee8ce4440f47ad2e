package ai.fastai4j.collab;

import ai.djl.ndarray.NDManager;
import ai.fastai4j.tabular.TabularConfig;
import ai.fastai4j.tabular.TabularModel;
import java.util.List;

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
}

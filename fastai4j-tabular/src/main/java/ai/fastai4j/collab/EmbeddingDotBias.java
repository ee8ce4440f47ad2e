package ai.fastai4j.collab;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDList;
import ai.fastai4j.export.Params;
import ai.fastai4j.nn.Embedding;
import ai.fastai4j.nn.Module;
import ai.fastai4j.tabular.TabularModel;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * fastai's {@code EmbeddingDotBias}: {@code dot(user factors, item factors) + user bias + item bias}, through
 * {@code sigmoid(x) * (high - low) + low} when a y_range is given. Input: INT64 (N, 2) (user, item) codes; output
 * (N). Parameter names as in fastai: {@code u_weight.weight, i_weight.weight, u_bias.weight, i_bias.weight}; all
 * four are embeddings (truncated normal, std 0.01), so weight decay applies to the biases too, as in fastai.
 */
public final class EmbeddingDotBias extends Module {
    private final Embedding uWeight;
    private final Embedding iWeight;
    private final Embedding uBias;
    private final Embedding iBias;
    private final double[] yRange;
    private final int nFactors;

    /**
     * @param nUsers users, {@code #na#} included
     * @param nItems items, {@code #na#} included
     * @param yRange low and high, or null for a plain sum
     */
    public EmbeddingDotBias(NDManager m, int nFactors, int nUsers, int nItems, double[] yRange) {
        this.nFactors = nFactors;
        this.uWeight = register("u_weight", new Embedding(m, nUsers, nFactors));
        this.iWeight = register("i_weight", new Embedding(m, nItems, nFactors));
        this.uBias = register("u_bias", new Embedding(m, nUsers, 1));
        this.iBias = register("i_bias", new Embedding(m, nItems, 1));
        if (yRange != null && (yRange.length != 2 || !(yRange[0] < yRange[1]))) {
            throw new IllegalArgumentException("y_range must be two increasing numbers");
        }
        this.yRange = yRange == null ? null : yRange.clone();
    }

    /**
     * The parameters of the {@value CollabExport#DOT_BIAS} model factory ({@code n_factors, n_users, n_items} and,
     * when there is one, {@code y_range}), which {@link CollabLearners#create} records in the learner's provenance.
     */
    public static Map<String, Object> params(int nFactors, int nUsers, int nItems, double[] yRange) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("n_factors", nFactors);
        p.put("n_users", nUsers);
        p.put("n_items", nItems);
        if (yRange != null) {
            p.put("y_range", List.of(yRange[0], yRange[1]));
        }
        return p;
    }

    /** A model from {@link #params} (a missing or mistyped parameter is an {@link IllegalArgumentException}). */
    public static EmbeddingDotBias fromParams(NDManager m, Map<String, Object> p) {
        return new EmbeddingDotBias(m, Params.getInt(p, "n_factors", 1), Params.getInt(p, "n_users", 1),
                Params.getInt(p, "n_items", 1), TabularModel.yRange(p));
    }

    @Override
    public NDArray forward(NDArray x) {
        // (N, 2) -> users and items as (N, 1): lookups are (N, 1, F) and (N, 1, 1)
        NDList ui = x.split(2, 1);
        NDArray users = ui.get(0);
        NDArray items = ui.get(1);
        NDArray dot = uWeight.call(users).mul(iWeight.call(items)).sum(new int[] {1, 2});
        NDArray res = dot.add(uBias.call(users).reshape(-1)).add(iBias.call(items).reshape(-1));
        if (yRange == null) {
            return res;
        }
        return ai.djl.nn.Activation.sigmoid(res).mul((float) (yRange[1] - yRange[0])).add((float) yRange[0]);
    }

    public Embedding userWeight() {
        return uWeight;
    }

    public Embedding itemWeight() {
        return iWeight;
    }

    public Embedding userBias() {
        return uBias;
    }

    public Embedding itemBias() {
        return iBias;
    }

    public int nFactors() {
        return nFactors;
    }

    /** The y_range, or null. */
    public double[] yRange() {
        return yRange == null ? null : yRange.clone();
    }
}

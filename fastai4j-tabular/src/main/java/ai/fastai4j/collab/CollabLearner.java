package ai.fastai4j.collab;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.fastai4j.engine.NoGrad;
import ai.fastai4j.learner.Learner;
import ai.fastai4j.nn.Embedding;
import ai.fastai4j.nn.Module;
import ai.fastai4j.tabular.TabularModel;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * fastai's collab learner with the interpretation of lesson 4: item biases (the best and worst items once the
 * raters are accounted for), the principal components of the item factors, and top-N recommendations. Users or
 * items that are not in the training data are reported with a {@link ai.fastai4j.data.DataException}; in
 * {@code predict} they become {@code #na#}, as in fastai.
 */
public class CollabLearner extends Learner {
    private final CollabDataLoaders cdls;

    protected CollabLearner(Builder b) {
        super(b);
        this.cdls = b.cdls;
    }

    /** Starts a learner for {@code model} on collab loaders (see {@link CollabLearners#create}). */
    public static Builder builder(CollabDataLoaders dls, Module model) {
        return new Builder(dls, model);
    }

    /** An item (or user) with a score: a bias, a predicted rating or a coordinate. */
    public record Scored(String key, double score) {}

    public CollabDataLoaders collabDls() {
        return cdls;
    }

    /** fastai's {@code bias}: the learned bias of each item ({@code isItem}) or user; unknown keys are errors. */
    public float[] bias(List<String> keys, boolean isItem) {
        EmbeddingDotBias m = dotBias("bias");
        return lookup(isItem ? m.itemBias() : m.userBias(), codes(keys, isItem));
    }

    /** fastai's {@code weight}: the factors of each item ({@code isItem}) or user; unknown keys are errors. */
    public float[][] weight(List<String> keys, boolean isItem) {
        Embedding e = factors(isItem);
        int[] codes = codes(keys, isItem);
        float[] all = lookup(e, codes);
        int d = (int) e.weight().data().getShape().get(1);
        float[][] out = new float[codes.length][d];
        for (int i = 0; i < codes.length; i++) {
            System.arraycopy(all, i * d, out[i], 0, d);
        }
        return out;
    }

    /**
     * Every training item's bias, highest first, for items with at least {@code minRatings} training ratings
     * (fastai's lesson ranks the most rated movies: a bias learned from two ratings says little).
     */
    public List<Scored> itemBiases(int minRatings) {
        EmbeddingDotBias m = dotBias("itemBiases");
        float[] b = m.itemBias().weight().data().toType(DataType.FLOAT32, false).toFloatArray();
        int[] counts = cdls.itemRatingCounts();
        List<String> items = cdls.items();
        List<Scored> out = new ArrayList<>();
        for (int i = 1; i < items.size(); i++) {
            if (counts[i] >= minRatings) {
                out.add(new Scored(items.get(i), b[i]));
            }
        }
        out.sort(Comparator.comparingDouble(Scored::score).reversed());
        return out;
    }

    /**
     * The principal components of the item factors of items with at least {@code minRatings} training ratings:
     * for component {@code c}, the items sorted by their coordinate, highest first ({@code result.get(c)}).
     */
    public List<List<Scored>> itemFactorComponents(int k, int minRatings) {
        Embedding e = factors(true);
        int[] counts = cdls.itemRatingCounts();
        List<String> items = cdls.items();
        float[] w = e.weight().data().toType(DataType.FLOAT32, false).toFloatArray();
        int d = (int) e.weight().data().getShape().get(1);
        List<Integer> keep = new ArrayList<>();
        for (int i = 1; i < items.size(); i++) {
            if (counts[i] >= minRatings) {
                keep.add(i);
            }
        }
        float[][] x = new float[keep.size()][d];
        for (int r = 0; r < x.length; r++) {
            System.arraycopy(w, keep.get(r) * d, x[r], 0, d);
        }
        Pca pca = Pca.fit(x, k);
        List<List<Scored>> out = new ArrayList<>();
        for (int c = 0; c < k; c++) {
            List<Scored> s = new ArrayList<>();
            for (int r = 0; r < x.length; r++) {
                s.add(new Scored(items.get(keep.get(r)), pca.projections()[r][c]));
            }
            s.sort(Comparator.comparingDouble(Scored::score).reversed());
            out.add(s);
        }
        return out;
    }

    /**
     * The {@code n} items with the highest predicted rating for {@code user}, skipping the items the user already
     * rated (anywhere in the data: training or validation rows). An unknown user is an error.
     */
    public List<Scored> recommend(String user, int n) {
        int u = cdls.encoder().requireUser(user);
        Set<String> seen = cdls.ratedBy(user);
        List<String> items = cdls.items();
        List<Integer> cand = new ArrayList<>();
        for (int i = 1; i < items.size(); i++) {
            if (!seen.contains(items.get(i))) {
                cand.add(i);
            }
        }
        long[] pairs = new long[2 * cand.size()];
        for (int r = 0; r < cand.size(); r++) {
            pairs[2 * r] = u;
            pairs[2 * r + 1] = cand.get(r);
        }
        float[] pred = predictCodes(pairs);
        List<Scored> out = new ArrayList<>(cand.size());
        for (int r = 0; r < cand.size(); r++) {
            out.add(new Scored(items.get(cand.get(r)), pred[r]));
        }
        out.sort(Comparator.comparingDouble(Scored::score).reversed());
        return out.subList(0, Math.min(n, out.size()));
    }

    /** Predicted ratings for (user code, item code) pairs laid out flat. */
    float[] predictCodes(long[] pairs) {
        Module model = model();
        boolean wasTraining = model.isTraining();
        NoGrad noGrad = NoGrad.enter();
        model.eval();
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(pairs, new Shape(pairs.length / 2, 2));
            return model.forward(x).toType(DataType.FLOAT32, false).reshape(-1).toFloatArray();
        } finally {
            model.train(wasTraining);
            noGrad.close();
        }
    }

    private int[] codes(List<String> keys, boolean isItem) {
        int[] out = new int[keys.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = isItem ? cdls.encoder().requireItem(keys.get(i)) : cdls.encoder().requireUser(keys.get(i));
        }
        return out;
    }

    /** Rows {@code codes} of an embedding's weight, flat. */
    private static float[] lookup(Embedding e, int[] codes) {
        long[] idx = new long[codes.length];
        for (int i = 0; i < codes.length; i++) {
            idx[i] = codes[i];
        }
        NoGrad noGrad = NoGrad.enter();
        try (NDManager m = NDManager.newBaseManager()) {
            return e.forward(m.create(idx)).toType(DataType.FLOAT32, false).toFloatArray();
        } finally {
            noGrad.close();
        }
    }

    private EmbeddingDotBias dotBias(String what) {
        if (model() instanceof EmbeddingDotBias m) {
            return m;
        }
        throw new UnsupportedOperationException(what + " needs an EmbeddingDotBias model (useNN = false)");
    }

    private Embedding factors(boolean isItem) {
        if (model() instanceof EmbeddingDotBias m) {
            return isItem ? m.itemWeight() : m.userWeight();
        }
        if (model() instanceof TabularModel t) {
            return t.embeds().get(isItem ? 1 : 0);
        }
        throw new UnsupportedOperationException("no factors in a " + model().getClass().getSimpleName());
    }

    /** Builds {@link CollabLearner}s. */
    public static class Builder extends Learner.Builder {
        private final CollabDataLoaders cdls;

        protected Builder(CollabDataLoaders dls, Module model) {
            super(dls.dls(), model);
            this.cdls = dls;
        }

        @Override
        public CollabLearner build() {
            return new CollabLearner(this);
        }
    }
}

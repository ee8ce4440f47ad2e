package ai.fastai4j.tabular;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.fastai4j.export.Params;
import ai.fastai4j.nn.BatchNorm;
import ai.fastai4j.nn.Embedding;
import ai.fastai4j.nn.Layers;
import ai.fastai4j.nn.Linear;
import ai.fastai4j.nn.Module;
import ai.fastai4j.nn.Sequential;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * fastai's {@code TabularModel}: one embedding per categorical column (concatenated, then embedding dropout),
 * BatchNorm on the continuous columns, then {@code LinBnDrop} blocks ({@code Linear(bias=!bn), ReLU,
 * BatchNorm1d, Dropout}) of the given sizes and a final Linear, with an optional sigmoid range. Module names match
 * PyTorch's state dict of the fastai model ({@code embeds.0.weight}, {@code bn_cont.weight},
 * {@code layers.0.0.weight}, ...). Inputs: cats INT64 (N, nCat) and conts FLOAT32 (N, nCont).
 */
public class TabularModel extends Module {
    private final List<Embedding> embeds = new ArrayList<>();
    private final Module embDrop;
    private final BatchNorm bnCont;
    private final Sequential layers;
    private final int nEmb;
    private final int nCont;
    private final int outSz;

    /**
     * @param embSzs (cardinality, size) of each categorical column, {@code #na#} included in the cardinality
     * @param nCont number of continuous columns
     * @param outSz number of outputs
     * @param layerSizes sizes of the hidden blocks (fastai's default [200, 100])
     */
    public TabularModel(NDManager m, List<int[]> embSzs, int nCont, int outSz, List<Integer> layerSizes,
            TabularConfig config) {
        Sequential es = register("embeds", new Sequential());
        int ne = 0;
        for (int[] sz : embSzs) {
            Embedding e = new Embedding(m, sz[0], sz[1]);
            es.add(e);
            embeds.add(e);
            ne += sz[1];
        }
        this.nEmb = ne;
        this.nCont = nCont;
        this.outSz = outSz;
        this.embDrop = register("emb_drop", Layers.dropout((float) config.embedP()));
        if (config.bnCont() && nCont > 0) {
            // a plain nn.BatchNorm1d: weight 1, bias 0
            this.bnCont = register("bn_cont", new BatchNorm(m, nCont));
            try (NDArray zero = m.zeros(new ai.djl.ndarray.types.Shape(nCont))) {
                bnCont.bias().copyFrom(zero);
            }
        } else {
            this.bnCont = null;
        }
        List<Integer> sizes = new ArrayList<>();
        sizes.add(nEmb + nCont);
        sizes.addAll(layerSizes);
        sizes.add(outSz);
        List<Double> ps = new ArrayList<>(config.dropouts(layerSizes.size()));
        ps.add(0.0);
        this.layers = register("layers", new Sequential());
        int nBlocks = sizes.size() - 1;
        for (int i = 0; i < nBlocks; i++) {
            boolean last = i == nBlocks - 1;
            boolean bn = config.useBn() && (!last || config.bnFinal());
            layers.add(linBnDrop(m, sizes.get(i), sizes.get(i + 1), bn, ps.get(i).floatValue(), !last,
                    config.linFirst()));
        }
        double[] yr = config.yRange();
        if (yr != null) {
            layers.add(sigmoidRange(yr[0], yr[1]));
        }
    }

    /**
     * fastai's {@code LinBnDrop}: with {@code linFirst}, Linear (no bias when there is a BatchNorm), ReLU,
     * BatchNorm1d(nOut), Dropout; otherwise BatchNorm1d(nIn), Dropout, Linear, ReLU. Dropout only when p is not 0.
     */
    public static Sequential linBnDrop(NDManager m, int nIn, int nOut, boolean bn, float p, boolean act,
            boolean linFirst) {
        return Layers.linBnDrop(m, nIn, nOut, bn, p, act, linFirst);
    }

    /** fastai's {@code SigmoidRange}: {@code sigmoid(x) * (high - low) + low}. */
    public static Module sigmoidRange(double low, double high) {
        float lo = (float) low;
        float span = (float) (high - low);
        return Layers.lambda("SigmoidRange", x -> ai.djl.nn.Activation.sigmoid(x).mul(span).add(lo));
    }

    /** fastai's {@code emb_sz_rule}: {@code min(600, round(1.6 * nCat^0.56))} (Python's round half to even). */
    public static int embSzRule(int nCat) {
        return (int) Math.min(600, Math.rint(1.6 * Math.pow(nCat, 0.56)));
    }

    /**
     * fastai's {@code get_emb_sz}: (cardinality, size) of each categorical column of {@code processor}, sizes by
     * {@link #embSzRule} unless given in {@code overrides} (column to size).
     */
    public static List<int[]> embSzs(TabularProcessor processor, Map<String, Integer> overrides) {
        List<int[]> out = new ArrayList<>();
        int[] card = processor.cardinalities();
        List<String> names = processor.catNames();
        for (int j = 0; j < card.length; j++) {
            Integer sz = overrides.get(names.get(j));
            out.add(new int[] {card[j], sz != null ? sz : embSzRule(card[j])});
        }
        return out;
    }

    /**
     * What a {@link TabularModel} is made of, as stored in an exported model's manifest (the parameters of the
     * {@value TabularExport#MODEL_FACTORY} model factory, which {@link TabularLearners#create} records in the
     * learner's provenance).
     *
     * @param embSzs (cardinality, size) of each categorical column, {@code #na#} included in the cardinality
     * @param nCont number of continuous columns
     * @param outSz number of outputs
     * @param layerSizes sizes of the hidden blocks
     * @param config the other options
     */
    public record Spec(List<int[]> embSzs, int nCont, int outSz, List<Integer> layerSizes, TabularConfig config) {

        public Spec {
            List<int[]> copy = new ArrayList<>();
            for (int[] sz : embSzs) {
                if (sz.length != 2 || sz[0] < 1 || sz[1] < 1) {
                    throw new IllegalArgumentException("an embedding size is a pair of positive integers "
                            + "[cardinality, size], got " + java.util.Arrays.toString(sz));
                }
                copy.add(sz.clone());
            }
            embSzs = java.util.Collections.unmodifiableList(copy);
            layerSizes = List.copyOf(layerSizes);
            java.util.Objects.requireNonNull(config, "config");
            if (nCont < 0 || outSz < 1) {
                throw new IllegalArgumentException("n_cont must be at least 0 and out_sz at least 1, got " + nCont
                        + " and " + outSz);
            }
        }

        /** A new model with these sizes (fresh weights) whose parameters live in {@code m}. */
        public TabularModel build(NDManager m) {
            return new TabularModel(m, embSzs, nCont, outSz, layerSizes, config);
        }

        /**
         * As JSON values: {@code emb_szs, n_cont, out_sz, layers, ps, embed_p, use_bn, bn_final, bn_cont,
         * lin_first} and, when there is one, {@code y_range}.
         */
        public Map<String, Object> toParams() {
            Map<String, Object> p = new LinkedHashMap<>();
            List<List<Integer>> sz = new ArrayList<>();
            for (int[] e : embSzs) {
                sz.add(List.of(e[0], e[1]));
            }
            p.put("emb_szs", sz);
            p.put("n_cont", nCont);
            p.put("out_sz", outSz);
            p.put("layers", layerSizes);
            p.put("ps", config.ps());
            p.put("embed_p", config.embedP());
            double[] yr = config.yRange();
            if (yr != null) {
                p.put("y_range", List.of(yr[0], yr[1]));
            }
            p.put("use_bn", config.useBn());
            p.put("bn_final", config.bnFinal());
            p.put("bn_cont", config.bnCont());
            p.put("lin_first", config.linFirst());
            return p;
        }

        /**
         * Reads {@link #toParams()}; every key but {@code y_range} is required, and a missing or mistyped one is an
         * {@link IllegalArgumentException} naming it.
         */
        public static Spec fromParams(Map<String, Object> p) {
            List<?> l = Params.getList(p, "emb_szs");
            List<int[]> szs = new ArrayList<>();
            for (int i = 0; i < l.size(); i++) {
                Integer card = l.get(i) instanceof List<?> pair && pair.size() == 2 ? integral(pair.get(0)) : null;
                Integer size = l.get(i) instanceof List<?> pair && pair.size() == 2 ? integral(pair.get(1)) : null;
                if (card == null || size == null || card < 1 || size < 1) {
                    throw new IllegalArgumentException("parameter 'emb_szs' element " + i + " must be a pair of "
                            + "positive integers [cardinality, size], got " + l.get(i));
                }
                szs.add(new int[] {card, size});
            }
            List<?> ll = Params.getList(p, "layers");
            List<Integer> layers = new ArrayList<>();
            for (int i = 0; i < ll.size(); i++) {
                Integer v = integral(ll.get(i));
                if (v == null || v < 1) {
                    throw new IllegalArgumentException("parameter 'layers' element " + i + " must be a positive "
                            + "integer, got " + ll.get(i));
                }
                layers.add(v);
            }
            List<?> psl = Params.getList(p, "ps");
            double[] ps = new double[psl.size()];
            for (int i = 0; i < ps.length; i++) {
                if (!(psl.get(i) instanceof Number n) || !(n.doubleValue() >= 0 && n.doubleValue() < 1)) {
                    throw new IllegalArgumentException("parameter 'ps' element " + i + " must be a probability in "
                            + "[0, 1), got " + psl.get(i));
                }
                ps[i] = n.doubleValue();
            }
            if (ps.length > 1 && ps.length != layers.size()) {
                throw new IllegalArgumentException("parameter 'ps' has " + ps.length + " values for " + layers.size()
                        + " layers");
            }
            double embedP = Params.getDouble(p, "embed_p");
            if (!(embedP >= 0 && embedP < 1)) {
                throw new IllegalArgumentException("parameter 'embed_p' must be a probability in [0, 1), got " + embedP);
            }
            TabularConfig c = TabularConfig.defaults().withPs(ps).withEmbedP(embedP)
                    .withUseBn(Params.getBoolean(p, "use_bn")).withBnFinal(Params.getBoolean(p, "bn_final"))
                    .withBnCont(Params.getBoolean(p, "bn_cont")).withLinFirst(Params.getBoolean(p, "lin_first"));
            double[] yr = yRange(p);
            if (yr != null) {
                c = c.withYRange(yr[0], yr[1]);
            }
            return new Spec(szs, Params.getInt(p, "n_cont", 0), Params.getInt(p, "out_sz", 1), layers, c);
        }
    }

    /** A model from {@link Spec#toParams()} parameters (see {@link Spec#fromParams}). */
    public static TabularModel fromParams(NDManager m, Map<String, Object> p) {
        return Spec.fromParams(p).build(m);
    }

    /** The optional {@code y_range} parameter: two increasing numbers, or null when absent. */
    public static double[] yRange(Map<String, Object> p) {
        if (!p.containsKey("y_range")) {
            return null;
        }
        List<?> l = Params.getList(p, "y_range");
        if (l.size() != 2 || !(l.get(0) instanceof Number lo) || !(l.get(1) instanceof Number hi)
                || !Double.isFinite(lo.doubleValue()) || !Double.isFinite(hi.doubleValue())
                || !(lo.doubleValue() < hi.doubleValue())) {
            throw new IllegalArgumentException("parameter 'y_range' must be two increasing numbers, got " + l);
        }
        return new double[] {lo.doubleValue(), hi.doubleValue()};
    }

    /** An integer-valued number as an int, else null. */
    private static Integer integral(Object o) {
        if (o instanceof Integer || o instanceof Long || o instanceof Short || o instanceof Byte) {
            long v = ((Number) o).longValue();
            return v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE ? (Integer) (int) v : null;
        }
        if (o instanceof Double d && d == Math.rint(d) && Math.abs(d) <= Integer.MAX_VALUE) {
            return d.intValue();
        }
        return null;
    }

    @Override
    public NDArray forward(NDList inputs) {
        NDArray cats = inputs.get(0);
        NDArray conts = inputs.size() > 1 ? inputs.get(1) : null;
        NDArray x = null;
        if (nEmb != 0) {
            NDArray emb;
            if (embeds.size() == 1) {
                emb = embeds.get(0).call(cats.get(new NDIndex(":, 0")));
            } else {
                // fewer engine calls than a slice and a reshape per column: one split into (N, 1) columns, the
                // (N, 1, d_i) lookups joined on the last axis, one reshape to (N, sum d_i)
                NDList cols = cats.split(embeds.size(), 1);
                NDList es = new NDList(embeds.size());
                for (int i = 0; i < embeds.size(); i++) {
                    es.add(embeds.get(i).call(cols.get(i)));
                }
                emb = NDArrays.concat(es, 2).reshape(cats.getShape().get(0), nEmb);
            }
            x = embDrop.call(emb);
        }
        if (nCont != 0) {
            if (conts == null) {
                throw new IllegalArgumentException("this model has " + nCont + " continuous inputs: pass (cats, conts)");
            }
            NDArray c = bnCont != null ? bnCont.call(conts) : conts;
            x = x == null ? c : x.concat(c, 1);
        }
        return layers.call(x);
    }

    /** A single input is the categorical codes (models without continuous columns). */
    @Override
    public NDArray forward(NDArray cats) {
        return forward(new NDList(cats));
    }

    public List<Embedding> embeds() {
        return List.copyOf(embeds);
    }

    /** The blocks after the inputs ({@code layers}). */
    public Sequential layers() {
        return layers;
    }

    /** Total embedding width. */
    public int nEmb() {
        return nEmb;
    }

    public int nCont() {
        return nCont;
    }

    public int outSz() {
        return outSz;
    }
}

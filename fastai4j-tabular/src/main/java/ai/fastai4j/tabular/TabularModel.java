package ai.fastai4j.tabular;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.fastai4j.nn.BatchNorm;
import ai.fastai4j.nn.Embedding;
import ai.fastai4j.nn.Layers;
import ai.fastai4j.nn.Linear;
import ai.fastai4j.nn.Module;
import ai.fastai4j.nn.Sequential;
import java.util.ArrayList;
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
        List<Module> bnDrop = new ArrayList<>();
        if (bn) {
            bnDrop.add(new BatchNorm(m, linFirst ? nOut : nIn));
        }
        if (p != 0f) {
            bnDrop.add(Layers.dropout(p));
        }
        List<Module> lin = new ArrayList<>();
        lin.add(new Linear(m, nIn, nOut, !bn));
        if (act) {
            lin.add(Layers.relu());
        }
        Sequential s = new Sequential();
        List<Module> all = new ArrayList<>(linFirst ? lin : bnDrop);
        all.addAll(linFirst ? bnDrop : lin);
        all.forEach(s::add);
        return s;
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
     * A model from the parameters {@link TabularLearners#create} records in the learner's provenance ({@code emb_szs,
     * n_cont, out_sz, layers, ps, embed_p, y_range, use_bn, bn_final, bn_cont, lin_first}), e.g. to rebuild an
     * exported model before loading its weights.
     */
    @SuppressWarnings("unchecked")
    public static TabularModel fromParams(NDManager m, Map<String, Object> p) {
        List<int[]> szs = new ArrayList<>();
        for (Object o : (List<Object>) p.get("emb_szs")) {
            List<Number> pair = (List<Number>) o;
            szs.add(new int[] {pair.get(0).intValue(), pair.get(1).intValue()});
        }
        List<Integer> layers = new ArrayList<>();
        for (Object o : (List<Object>) p.get("layers")) {
            layers.add(((Number) o).intValue());
        }
        return new TabularModel(m, szs, ((Number) p.get("n_cont")).intValue(), ((Number) p.get("out_sz")).intValue(),
                layers, configFromParams(p));
    }

    /** The {@link TabularConfig} stored by {@link TabularLearners#create} (missing keys: fastai's defaults). */
    @SuppressWarnings("unchecked")
    static TabularConfig configFromParams(Map<String, Object> p) {
        TabularConfig c = TabularConfig.defaults();
        Object ps = p.get("ps");
        if (ps instanceof List<?> l && !l.isEmpty()) {
            c = c.withPs(((List<Number>) l).stream().mapToDouble(Number::doubleValue).toArray());
        }
        if (p.get("embed_p") instanceof Number n) {
            c = c.withEmbedP(n.doubleValue());
        }
        if (p.get("y_range") instanceof List<?> yr) {
            c = c.withYRange(((Number) yr.get(0)).doubleValue(), ((Number) yr.get(1)).doubleValue());
        }
        if (p.get("use_bn") instanceof Boolean b) {
            c = c.withUseBn(b);
        }
        if (p.get("bn_final") instanceof Boolean b) {
            c = c.withBnFinal(b);
        }
        if (p.get("bn_cont") instanceof Boolean b) {
            c = c.withBnCont(b);
        }
        if (p.get("lin_first") instanceof Boolean b) {
            c = c.withLinFirst(b);
        }
        return c;
    }

    @Override
    public NDArray forward(NDList inputs) {
        NDArray cats = inputs.get(0);
        NDArray conts = inputs.size() > 1 ? inputs.get(1) : null;
        NDArray x = null;
        if (nEmb != 0) {
            NDArray emb;
            if (embeds.size() == 1) {
                emb = embeds.get(0).forward(cats.get(new NDIndex(":, 0")));
            } else {
                // fewer engine calls than a slice and a reshape per column: one split into (N, 1) columns, the
                // (N, 1, d_i) lookups joined on the last axis, one reshape to (N, sum d_i)
                NDList cols = cats.split(embeds.size(), 1);
                NDList es = new NDList(embeds.size());
                for (int i = 0; i < embeds.size(); i++) {
                    es.add(embeds.get(i).forward(cols.get(i)));
                }
                emb = NDArrays.concat(es, 2).reshape(cats.getShape().get(0), nEmb);
            }
            x = embDrop.forward(emb);
        }
        if (nCont != 0) {
            if (conts == null) {
                throw new IllegalArgumentException("this model has " + nCont + " continuous inputs: pass (cats, conts)");
            }
            NDArray c = bnCont != null ? bnCont.forward(conts) : conts;
            x = x == null ? c : x.concat(c, 1);
        }
        return layers.forward(x);
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

package ai.fastai4j.tabular;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * fastai's {@code tabular_config}: the options of {@link TabularModel} besides the sizes. Defaults: no dropout,
 * no embedding dropout, no y_range, BatchNorm in the hidden blocks, none after the last layer, BatchNorm on the
 * continuous inputs, Linear before the activation and BatchNorm ({@code lin_first}).
 *
 * @param ps dropout probability of each hidden block (empty: none; one value: the same for all)
 * @param embedP dropout on the concatenated embeddings
 * @param yRange low and high of the final sigmoid range, or null
 * @param useBn BatchNorm1d in the hidden blocks
 * @param bnFinal BatchNorm1d on the output layer
 * @param bnCont BatchNorm1d on the continuous inputs
 * @param linFirst Linear first in each block (Linear, ReLU, BatchNorm, Dropout) rather than last
 */
public record TabularConfig(List<Double> ps, double embedP, double[] yRange, boolean useBn, boolean bnFinal,
        boolean bnCont, boolean linFirst) {

    public TabularConfig {
        ps = List.copyOf(ps);
        if (yRange != null && (yRange.length != 2 || !(yRange[0] < yRange[1]))) {
            throw new IllegalArgumentException("y_range must be two increasing numbers");
        }
        yRange = yRange == null ? null : yRange.clone();
    }

    /** fastai's defaults. */
    public static TabularConfig defaults() {
        return new TabularConfig(List.of(), 0, null, true, false, true, true);
    }

    public TabularConfig withPs(double... p) {
        List<Double> l = new ArrayList<>();
        for (double d : p) {
            l.add(d);
        }
        return new TabularConfig(l, embedP, yRange, useBn, bnFinal, bnCont, linFirst);
    }

    public TabularConfig withEmbedP(double p) {
        return new TabularConfig(ps, p, yRange, useBn, bnFinal, bnCont, linFirst);
    }

    public TabularConfig withYRange(double low, double high) {
        return new TabularConfig(ps, embedP, new double[] {low, high}, useBn, bnFinal, bnCont, linFirst);
    }

    public TabularConfig withUseBn(boolean b) {
        return new TabularConfig(ps, embedP, yRange, b, bnFinal, bnCont, linFirst);
    }

    public TabularConfig withBnFinal(boolean b) {
        return new TabularConfig(ps, embedP, yRange, useBn, b, bnCont, linFirst);
    }

    public TabularConfig withBnCont(boolean b) {
        return new TabularConfig(ps, embedP, yRange, useBn, bnFinal, b, linFirst);
    }

    public TabularConfig withLinFirst(boolean b) {
        return new TabularConfig(ps, embedP, yRange, useBn, bnFinal, bnCont, b);
    }

    @Override
    public double[] yRange() {
        return yRange == null ? null : yRange.clone();
    }

    /** The dropout of each of {@code nLayers} hidden blocks. */
    List<Double> dropouts(int nLayers) {
        if (ps.isEmpty()) {
            return Collections.nCopies(nLayers, 0.0);
        }
        if (ps.size() == 1) {
            return Collections.nCopies(nLayers, ps.get(0));
        }
        if (ps.size() != nLayers) {
            throw new IllegalArgumentException(ps.size() + " dropout values for " + nLayers + " layers");
        }
        return ps;
    }
}

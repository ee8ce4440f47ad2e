package ai.fastai4j.callback;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.fastai4j.hooks.Hooks;
import ai.fastai4j.learner.Callback;
import ai.fastai4j.learner.Learner;
import ai.fastai4j.nn.Module;
import ai.fastai4j.plot.Heatmaps;
import ai.fastai4j.plot.Plots;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * fastai's {@code ActivationStats}: during training, the mean, standard deviation and share of near-zero values
 * (at most 0.05) of the output of every layer with parameters, batch by batch; with {@link #withHist()} also a
 * 40-bin histogram over [0, 10] for fastai's "colorful dimension" plot ({@link #colorDim}).
 *
 * <p>Only Java numbers are kept (no native memory); the hooks are removed after fit.
 */
public final class ActivationStats implements Callback {
    /** Bins of the histogram over [0, {@value #HIST_MAX}]. */
    public static final int HIST_BINS = 40;
    public static final float HIST_MAX = 10f;
    /** fastai's threshold for a "near zero" activation. */
    public static final float NEAR_ZERO = 0.05f;

    /** One layer's statistics for one batch; {@code hist} is null without {@link #withHist()}. */
    public record LayerStats(double mean, double std, double nearZero, long[] hist) {}

    private final boolean withHist;
    private final List<Module> modulesGiven;
    private Learner learn;
    private Hooks<LayerStats> hooks;
    private final List<String> names = new ArrayList<>();
    private final List<List<LayerStats>> stats = new ArrayList<>();

    private ActivationStats(boolean withHist, List<Module> modules) {
        this.withHist = withHist;
        this.modulesGiven = modules;
    }

    /** Statistics of every leaf layer with parameters, without histograms (fastai's default). */
    public static ActivationStats create() {
        return new ActivationStats(false, null);
    }

    /** Also records histograms, for {@link #colorDim}. */
    public static ActivationStats withHist() {
        return new ActivationStats(true, null);
    }

    /** Statistics of the given modules only. */
    public static ActivationStats of(List<? extends Module> modules, boolean withHist) {
        return new ActivationStats(withHist, List.copyOf(modules));
    }

    @Override
    public int order() {
        return -20;
    }

    @Override
    public void beforeFit(Learner l) {
        this.learn = l;
        stats.clear();
        names.clear();
        Map<Module, String> byModule = new IdentityHashMap<>();
        l.model().namedModules().forEach((n, m) -> byModule.putIfAbsent(m, n));
        List<Module> modules = modulesGiven != null ? modulesGiven
                : Hooks.leaves(l.model()).stream().filter(m -> !m.ownParameters().isEmpty()).toList();
        for (Module m : modules) {
            names.add(byModule.getOrDefault(m, m.typeName()) + " " + m.typeName());
        }
        hooks = Hooks.forward(modules, (m, in, out) -> learn.isTraining() ? measure(out) : null);
    }

    @Override
    public void afterBatch(Learner l) {
        if (l.isTraining() && hooks != null) {
            stats.add(List.copyOf(hooks.stored()));
        }
    }

    @Override
    public void afterFit(Learner l) {
        remove();
    }

    @Override
    public void afterCancelFit(Learner l) {
        remove();
    }

    private void remove() {
        if (hooks != null) {
            hooks.close();
            hooks = null;
        }
    }

    private LayerStats measure(NDArray output) {
        return statsOf(output, withHist);
    }

    /**
     * One tensor's statistics as fastai's hook computes them: mean, unbiased std (torch's {@code std()}), the
     * share of values at most 0.05 and, with {@code withHist}, {@code histc(40, 0, 10)}; one read from the engine.
     */
    public static LayerStats statsOf(NDArray output, boolean withHist) {
        NDArray o = output.toType(DataType.FLOAT32, false);
        long n = o.size();
        NDArray mean = o.mean();
        NDArray std = o.sub(mean).square().sum().div(Math.max(1, n - 1)).sqrt();
        NDArray near = o.lte(NEAR_ZERO).toType(DataType.FLOAT32, false).sum().div(n);
        NDList parts = new NDList(mean.reshape(1), std.reshape(1), near.reshape(1));
        float[] v = NDArrays.concat(parts, 0).toFloatArray();
        long[] hist = null;
        if (withHist) {
            // torch.histc(40, 0, 10), counted in Java: one copy of the activations instead of a 40-fold comparison
            // tensor on the engine; 10 itself falls into the last bin, values outside [0, 10] are ignored
            hist = new long[HIST_BINS];
            float scale = HIST_BINS / HIST_MAX;
            for (float x : o.toFloatArray()) {
                if (x >= 0 && x <= HIST_MAX) {
                    hist[Math.min(HIST_BINS - 1, (int) (x * scale))]++;
                }
            }
        }
        return new LayerStats(v[0], v[1], v[2], hist);
    }

    /** The hooked layers' names ({@code "0.layer1.0.conv1 Conv2d"}), in hook order. */
    public List<String> layerNames() {
        return List.copyOf(names);
    }

    /** Per training batch, one entry per hooked layer. */
    public List<List<LayerStats>> stats() {
        return List.copyOf(stats);
    }

    /** fastai's {@code layer_stats(idx)}: the means, standard deviations and near-zero shares over batches. */
    public double[][] layerStats(int idx) {
        checkIndex(idx);
        double[][] out = new double[3][stats.size()];
        for (int b = 0; b < stats.size(); b++) {
            LayerStats s = stats.get(b).get(idx);
            out[0][b] = s.mean();
            out[1][b] = s.std();
            out[2][b] = s.nearZero();
        }
        return out;
    }

    /** fastai's {@code hist(idx)}: {@code log1p} of the counts, bins by batches (row-major, 40 rows). */
    public float[] hist(int idx) {
        checkIndex(idx);
        if (!withHist) {
            throw new IllegalStateException("histograms were not recorded: use ActivationStats.withHist()");
        }
        int nb = stats.size();
        float[] out = new float[HIST_BINS * nb];
        for (int b = 0; b < nb; b++) {
            long[] h = stats.get(b).get(idx).hist();
            for (int i = 0; i < HIST_BINS; i++) {
                out[i * nb + b] = (float) Math.log1p(h[i]);
            }
        }
        return out;
    }

    /** fastai's {@code plot_layer_stats(idx)}: mean, std and % near zero over the batches, as a PNG. */
    public Path plotLayerStats(int idx, Path png) {
        double[][] s = layerStats(idx);
        double[] pct = s[2].clone();
        Map<String, double[]> series = new LinkedHashMap<>();
        series.put("mean", s[0]);
        series.put("std", s[1]);
        series.put("% near zero", pct);
        return Plots.linePanels(series, png);
    }

    /**
     * fastai's "colorful dimension" plot ({@code color_dim(idx)}): the histogram of each batch as a column,
     * bins bottom to top, {@code log1p} of the counts in viridis, as a PNG.
     */
    public Path colorDim(int idx, Path png) {
        float[] h = hist(idx);
        int nb = stats.size();
        int scale = Math.max(1, Math.min(8, 800 / Math.max(1, nb)));
        return Heatmaps.writePng(Heatmaps.image(h, HIST_BINS, nb, Heatmaps.Colormap.VIRIDIS, scale, true), png);
    }

    private void checkIndex(int idx) {
        if (stats.isEmpty()) {
            throw new IllegalStateException("no statistics: fit with this callback first");
        }
        if (idx < 0 || idx >= names.size()) {
            throw new IndexOutOfBoundsException("layer " + idx + " of " + names.size() + " hooked layers");
        }
    }
}

package ai.fastai4j.interpret;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import ai.fastai4j.data.Batch;
import ai.fastai4j.data.DataLoader;
import ai.fastai4j.data.HostBatch;
import ai.fastai4j.data.ImageRenderer;
import ai.fastai4j.hooks.Hook;
import ai.fastai4j.hooks.Hooks;
import ai.fastai4j.learner.Learner;
import ai.fastai4j.nn.Linear;
import ai.fastai4j.nn.Module;
import ai.fastai4j.nn.Parameter;
import ai.fastai4j.plot.Heatmaps;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Class activation maps (fastai's lesson on looking inside a CNN): where in an image the model sees a class.
 *
 * <ul>
 *   <li>{@link #gradCam}: Grad-CAM (Selvaraju et al.) for any CNN: the activations of a layer (the body, child
 *       "0", by default) weighted per channel by the mean gradient of the class score, summed over channels,
 *       negative parts cut (ReLU). Uses a forward {@link Hook} for the activations and a backward hook for the
 *       gradients.
 *   <li>{@link #cam}: the original CAM for models that end in average pooling and one linear layer: the
 *       activations weighted by the linear layer's row of the class.
 * </ul>
 *
 * Each map comes with the (decoded) input picture; {@link Heatmap#overlay()} lays it over the picture.
 */
public final class Cam {
    private Cam() {}

    /**
     * One class activation map.
     *
     * @param values the map, row-major, at the hooked layer's resolution
     * @param rows its height
     * @param cols its width
     * @param targetClass the class it explains
     * @param picture the input as it was fed (after item transforms), for the overlay
     */
    public record Heatmap(float[] values, int rows, int cols, int targetClass, BufferedImage picture) {
        /** The map resized to the picture (bilinear) laid over it in magma with alpha 0.6, as fastai shows it. */
        public BufferedImage overlay() {
            return Heatmaps.overlay(picture, values, rows, cols, Heatmaps.Colormap.MAGMA, 0.6);
        }

        /** Writes {@link #overlay()} as a PNG, enlarged for small pictures. */
        public Path writePng(Path png) {
            BufferedImage o = overlay();
            int f = Math.max(1, 224 / Math.max(o.getWidth(), o.getHeight()));
            return Heatmaps.writePng(f > 1 ? Heatmaps.enlarge(o, f) : o, png);
        }

        /** The map resized to the picture's size (bilinear, as the overlay draws it). */
        public float[] upsampled() {
            return Heatmaps.resizeBilinear(values, rows, cols, picture.getHeight(), picture.getWidth());
        }

        /** Row and column of the map's highest value in picture coordinates (of {@link #upsampled()}). */
        public int[] peak() {
            float[] up = upsampled();
            int best = 0;
            for (int i = 1; i < up.length; i++) {
                if (up[i] > up[best]) {
                    best = i;
                }
            }
            return new int[] {best / picture.getWidth(), best % picture.getWidth()};
        }
    }

    /** Grad-CAM of {@code cls} for one item (what the learner's test loader takes: a path, an image...). */
    public static Heatmap gradCam(Learner learn, Object item, int cls) {
        return gradCam(learn, item, cls, defaultLayer(learn.model()));
    }

    /** Grad-CAM of {@code cls} at {@code layer}'s output, which must be (N, C, H, W). */
    public static Heatmap gradCam(Learner learn, Object item, int cls, Module layer) {
        DataLoader dl = learn.dls().testDl(List.of(item));
        return compute(learn, dl, new int[] {0}, new int[] {cls}, layer, false).get(0);
    }

    /**
     * Plain CAM of {@code cls} for a model whose body (child "0") is followed only by average pooling, flatten or
     * dropout, and one {@link Linear} layer.
     *
     * @throws IllegalArgumentException for other models (use {@link #gradCam})
     */
    public static Heatmap cam(Learner learn, Object item, int cls) {
        DataLoader dl = learn.dls().testDl(List.of(item));
        return compute(learn, dl, new int[] {0}, new int[] {cls}, defaultLayer(learn.model()), true).get(0);
    }

    /** Grad-CAM maps of items {@code itemIndices} of {@code dl}, each for its class in {@code classes}. */
    public static List<Heatmap> gradCam(Learner learn, DataLoader dl, int[] itemIndices, int[] classes) {
        return compute(learn, dl, itemIndices, classes, defaultLayer(learn.model()), false);
    }

    /** fastai's choice: the body, child "0" of a body/head model. */
    static Module defaultLayer(Module model) {
        Module body = model.children().get("0");
        if (body == null || model.children().size() < 2) {
            throw new IllegalArgumentException("class activation maps need a body/head model (children \"0\", "
                    + "\"1\"...) or an explicit layer; " + model.typeName() + " is not one");
        }
        return body;
    }

    /** The final linear layer when everything after the body is average pooling, flatten, dropout and it. */
    static Linear camLinear(Module model) {
        List<Module> after = new ArrayList<>();
        model.children().forEach((n, c) -> {
            if (!n.equals("0")) {
                after.addAll(Hooks.leaves(c));
            }
        });
        String why = "plain CAM needs a model ending in average pooling and one linear layer; use Grad-CAM";
        if (after.isEmpty() || !after.get(0).typeName().startsWith("AdaptiveAvgPool")
                || !(after.get(after.size() - 1) instanceof Linear lin)) {
            throw new IllegalArgumentException(why);
        }
        for (Module m : after.subList(1, after.size() - 1)) {
            if (!m.ownParameters().isEmpty()
                    || !(m.typeName().equals("Flatten") || m.typeName().equals("Dropout")
                            || m.typeName().equals("Identity"))) {
                throw new IllegalArgumentException(why + " (found " + m.typeName() + ")");
            }
        }
        return lin;
    }

    private static List<Heatmap> compute(Learner learn, DataLoader dl, int[] itemIndices, int[] classes,
            Module layer, boolean plain) {
        Objects.requireNonNull(layer, "layer");
        if (itemIndices.length != classes.length) {
            throw new IllegalArgumentException("one class per item: " + itemIndices.length + " items, "
                    + classes.length + " classes");
        }
        if (!(dl.blocks().get(0) instanceof ImageRenderer renderer)) {
            throw new IllegalArgumentException("class activation maps need image inputs; "
                    + dl.blocks().get(0).name() + " is not one");
        }
        Module model = learn.model();
        Linear lin = plain ? camLinear(model) : null;
        List<Heatmap> out = new ArrayList<>();
        boolean wasTraining = model.isTraining();
        model.eval();
        int bs = Math.max(1, dl.batchSize());
        try {
            for (int from = 0; from < itemIndices.length; from += bs) {
                int to = Math.min(itemIndices.length, from + bs);
                int[] idx = java.util.Arrays.copyOfRange(itemIndices, from, to);
                HostBatch hb = dl.batchOf(idx);
                try (NDManager m = NDManager.newBaseManager(); NDScope scope = new NDScope()) {
                    scope.suppressNotUsedWarning();
                    Batch b = dl.toBatch(hb, m);
                    Batch shown = dl.decodeBatch(b);
                    Maps maps = plain ? plainMaps(model, lin, b, layer, classes, from)
                            : gradMaps(model, b, layer, classes, from);
                    for (int j = 0; j < idx.length; j++) {
                        out.add(new Heatmap(maps.values()[j], maps.rows(), maps.cols(), classes[from + j],
                                renderer.render(shown.inputs().get(0), j)));
                    }
                }
            }
        } finally {
            model.train(wasTraining);
        }
        return out;
    }

    /** A batch of maps, each {@code rows x cols}. */
    private record Maps(float[][] values, int rows, int cols) {}

    private static Maps gradMaps(Module model, Batch b, Module layer, int[] classes, int from) {
        long n = b.size();
        try (Hook<NDArray> act = Hook.output(layer); Hook<NDArray> grad = Hook.gradOutput(layer);
                GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray y = model.call(b.xb());
            NDArray score = selected(y, classes, from, n);
            gc.backward(score.sum());
            NDArray a = act.stored();
            NDArray g = grad.stored();
            checkMaps(a, layer);
            if (g == null) {
                throw new IllegalStateException("no gradient reached " + layer.typeName());
            }
            // (N, C, 1, 1): mean gradient per channel
            NDArray w = g.sum(new int[] {2, 3}, true).div(g.getShape().get(2) * g.getShape().get(3));
            NDArray maps = w.mul(a).sum(new int[] {1}).maximum(0f); // ReLU of the weighted sum
            return rows(maps, a);
        } finally {
            zeroGradients(model);
        }
    }

    private static Maps plainMaps(Module model, Linear lin, Batch b, Module layer, int[] classes, int from) {
        try (ai.fastai4j.engine.NoGrad noGrad = ai.fastai4j.engine.NoGrad.enter();
                Hook<NDArray> act = Hook.output(layer)) {
            model.call(b.xb());
            NDArray a = act.stored();
            checkMaps(a, layer);
            long n = a.getShape().get(0);
            long c = a.getShape().get(1);
            long[] cls = new long[(int) n];
            for (int i = 0; i < n; i++) {
                cls[i] = classes[from + i];
            }
            NDArray rowsW = lin.weight().data().get(a.getManager().create(cls)); // (N, C)
            NDArray maps = rowsW.reshape(n, c, 1, 1).mul(a).sum(new int[] {1});
            return rows(maps, a);
        }
    }

    private static NDArray selected(NDArray y, int[] classes, int from, long n) {
        long[] idx = new long[(int) n];
        for (int i = 0; i < n; i++) {
            int c = classes[from + i];
            if (c < 0 || c >= y.getShape().get(1)) {
                throw new IllegalArgumentException("class " + c + " is not an output of the model (0.."
                        + (y.getShape().get(1) - 1) + ")");
            }
            idx[i] = i * y.getShape().get(1) + c;
        }
        return y.reshape(-1).get(y.getManager().create(idx));
    }

    private static void checkMaps(NDArray a, Module layer) {
        if (a == null || a.getShape().dimension() != 4) {
            throw new IllegalArgumentException("the hooked layer " + layer.typeName() + " must give (N, C, H, W) "
                    + "activations, got " + (a == null ? "nothing (it did not run)" : a.getShape()));
        }
    }

    private static Maps rows(NDArray maps, NDArray act) {
        NDArray f = maps.toType(DataType.FLOAT32, false);
        int n = (int) f.getShape().get(0);
        float[] all = f.toFloatArray();
        int per = all.length / n;
        float[][] out = new float[n][];
        for (int i = 0; i < n; i++) {
            out[i] = java.util.Arrays.copyOfRange(all, i * per, (i + 1) * per);
        }
        return new Maps(out, (int) act.getShape().get(2), (int) act.getShape().get(3));
    }

    private static void zeroGradients(Module model) {
        for (Parameter p : model.parameters()) {
            if (p.isTrainable()) {
                p.zeroGrad();
            }
        }
    }
}

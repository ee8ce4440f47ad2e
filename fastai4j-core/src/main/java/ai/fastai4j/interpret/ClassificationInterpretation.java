package ai.fastai4j.interpret;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.fastai4j.data.Batch;
import ai.fastai4j.data.CategoryBlock;
import ai.fastai4j.data.DataLoader;
import ai.fastai4j.data.Datasets;
import ai.fastai4j.data.HostBatch;
import ai.fastai4j.data.ImageRenderer;
import ai.fastai4j.data.TransformBlock;
import ai.fastai4j.learner.Learner;
import ai.fastai4j.learner.Preds;
import ai.fastai4j.plot.ImageGrid;
import ai.fastai4j.plot.Plots;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * fastai's {@code ClassificationInterpretation} for a single-label category target: the predictions, targets
 * and per-item losses of a data set (the validation set by default), and what to make of them: the confusion
 * matrix, the most confused pairs of classes, the items with the highest losses, and scikit-learn's
 * classification report.
 *
 * <pre>{@code
 * ClassificationInterpretation interp = ClassificationInterpretation.fromLearner(learn);
 * interp.plotConfusionMatrix(Path.of("cm.png"), false);
 * interp.mostConfused(2).forEach(System.out::println);
 * interp.plotTopLosses(9, Path.of("top_losses.png"));
 * System.out.println(interp.classificationReport());
 * }</pre>
 *
 * <p>Everything is copied to Java arrays when it is made: it holds no native memory and outlives the learner's
 * predictions (drawing items still needs the loader it came from).
 */
public final class ClassificationInterpretation {
    private final List<String> vocab;
    private final float[][] probs;
    private final int[] targets;
    private final int[] decoded;
    private final float[] losses;
    private final DataLoader dl;
    private final int[] itemIndices;

    private ClassificationInterpretation(List<String> vocab, float[][] probs, int[] targets, int[] decoded,
            float[] losses, DataLoader dl, int[] itemIndices) {
        this.vocab = List.copyOf(vocab);
        this.probs = probs;
        this.targets = targets;
        this.decoded = decoded;
        this.losses = losses;
        this.dl = dl;
        this.itemIndices = itemIndices;
        int n = targets.length;
        if (probs.length != n || decoded.length != n || losses.length != n) {
            throw new IllegalArgumentException("probs, targets, decoded and losses must have one entry per item, got "
                    + probs.length + ", " + n + ", " + decoded.length + " and " + losses.length);
        }
        int c = this.vocab.size();
        for (int i = 0; i < n; i++) {
            if (probs[i].length != c) {
                throw new IllegalArgumentException("item " + i + " has " + probs[i].length + " probabilities for "
                        + c + " classes");
            }
            checkClass(targets[i], c, "target", i);
            checkClass(decoded[i], c, "prediction", i);
        }
    }

    private static void checkClass(int v, int c, String what, int i) {
        if (v < 0 || v >= c) {
            throw new IllegalArgumentException("item " + i + ": " + what + " " + v + " is not a class index (0.." + (c - 1)
                    + ")");
        }
    }

    /** Interprets {@code learn}'s predictions on its validation set. */
    public static ClassificationInterpretation fromLearner(Learner learn) {
        return fromLearner(learn, learn.dls().valid());
    }

    /**
     * Interprets {@code learn}'s predictions on {@code dl}: probabilities, targets and decoded classes from
     * {@link Learner#getPreds(DataLoader)}, per-item losses from the learner's loss function.
     *
     * @throws IllegalArgumentException when the target is not one single-label {@link CategoryBlock}, or the
     *     loader has no targets
     */
    public static ClassificationInterpretation fromLearner(Learner learn, DataLoader dl) {
        Datasets<?> ds = learn.dls().datasets();
        List<TransformBlock> blocks = ds.blocks();
        int nInputs = ds.nInputs();
        if (blocks.size() != nInputs + 1 || !(blocks.get(nInputs) instanceof CategoryBlock)) {
            throw new IllegalArgumentException("ClassificationInterpretation needs one single-label CategoryBlock "
                    + "target; this data's targets are " + blocks.subList(nInputs, blocks.size()).stream()
                            .map(TransformBlock::name).toList());
        }
        if (dl.numItems() == 0) {
            throw new IllegalArgumentException("the loader has no items to interpret");
        }
        try (Preds p = learn.getPreds(dl)) {
            if (p.targets() == null) {
                throw new IllegalArgumentException("the loader has no targets to compare the predictions with");
            }
            float[][] probs = rows(p.probs());
            int[] targets = ints(p.targets());
            int[] decoded = ints(p.decoded());
            float[] losses = p.losses().toType(DataType.FLOAT32, false).toFloatArray();
            return new ClassificationInterpretation(learn.dls().vocab(), probs, targets, decoded, losses, dl,
                    p.itemIndices());
        }
    }

    /**
     * An interpretation of given predictions (no items to draw); the decoded class of each item is the argmax of
     * its probabilities.
     *
     * @param probs per item, one probability per class
     * @param targets per item, the target class index
     * @param losses per item, its loss
     * @param vocab the class names
     */
    public static ClassificationInterpretation of(float[][] probs, int[] targets, float[] losses, List<String> vocab) {
        float[][] p = new float[probs.length][];
        int[] decoded = new int[probs.length];
        for (int i = 0; i < probs.length; i++) {
            p[i] = probs[i].clone();
            int best = 0;
            for (int c = 1; c < p[i].length; c++) {
                if (p[i][c] > p[i][best]) {
                    best = c;
                }
            }
            decoded[i] = best;
        }
        return new ClassificationInterpretation(vocab, p, targets.clone(), decoded, losses.clone(), null, null);
    }

    private static float[][] rows(NDArray a) {
        long[] s = a.getShape().getShape();
        if (s.length != 2) {
            throw new IllegalArgumentException("expected (items, classes) probabilities, got shape " + a.getShape());
        }
        float[] flat = a.toType(DataType.FLOAT32, false).toFloatArray();
        int n = (int) s[0];
        int c = (int) s[1];
        float[][] out = new float[n][];
        for (int i = 0; i < n; i++) {
            out[i] = Arrays.copyOfRange(flat, i * c, (i + 1) * c);
        }
        return out;
    }

    private static int[] ints(NDArray a) {
        long[] v = a.toType(DataType.INT64, false).toLongArray();
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (int) v[i];
        }
        return out;
    }

    // ---------------------------------------------------------------- the numbers

    /** Class names, in index order. */
    public List<String> vocab() {
        return vocab;
    }

    /** Number of items. */
    public int size() {
        return targets.length;
    }

    /** Target class index of each item (a copy). */
    public int[] targets() {
        return targets.clone();
    }

    /** Predicted class index of each item (a copy). */
    public int[] decoded() {
        return decoded.clone();
    }

    /** Loss of each item (a copy). */
    public float[] losses() {
        return losses.clone();
    }

    /** Probabilities of item {@code i} (a copy). */
    public float[] probs(int i) {
        return probs[i].clone();
    }

    /** fastai's {@code confusion_matrix()}: {@code cm[actual][predicted]} counts, classes in vocabulary order. */
    public long[][] confusionMatrix() {
        int c = vocab.size();
        long[][] cm = new long[c][c];
        for (int i = 0; i < targets.length; i++) {
            cm[targets[i]][decoded[i]]++;
        }
        return cm;
    }

    /**
     * fastai's {@code most_confused(min_val)}: the off-diagonal cells with at least {@code minVal} items, largest
     * first (ties in row-major order: by actual class, then predicted class). A {@code minVal} of 0 lists every
     * pair of different classes.
     */
    public List<Confusion> mostConfused(int minVal) {
        long[][] cm = confusionMatrix();
        List<Confusion> out = new ArrayList<>();
        for (int i = 0; i < cm.length; i++) {
            for (int j = 0; j < cm.length; j++) {
                if (i != j && cm[i][j] >= minVal) {
                    out.add(new Confusion(vocab.get(i), vocab.get(j), cm[i][j]));
                }
            }
        }
        out.sort(Comparator.comparingLong(Confusion::count).reversed());
        return out;
    }

    /** fastai's {@code most_confused()} with {@code min_val} 1. */
    public List<Confusion> mostConfused() {
        return mostConfused(1);
    }

    /**
     * fastai's {@code top_losses(k)}: the {@code k} items with the highest losses, highest first (ties by index);
     * fewer when there are fewer items.
     */
    public List<TopLoss> topLosses(int k) {
        if (k < 0) {
            throw new IllegalArgumentException("k must not be negative, got " + k);
        }
        Integer[] order = new Integer[losses.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> {
            int c = Float.compare(losses[b], losses[a]);
            return c != 0 ? c : Integer.compare(a, b);
        });
        List<TopLoss> out = new ArrayList<>();
        for (int r = 0; r < Math.min(k, order.length); r++) {
            int i = order[r];
            out.add(new TopLoss(i, losses[i], probs[i][decoded[i]], vocab.get(decoded[i]), vocab.get(targets[i]),
                    describeItem(i)));
        }
        return out;
    }

    /** A readable name of item {@code i}: the loader's description of it, or {@code "#i"} without a loader. */
    public String describeItem(int i) {
        Objects.checkIndex(i, targets.length);
        return dl == null ? "#" + i : dl.describe(itemIndices[i]);
    }

    /** scikit-learn's classification report of these predictions. */
    public ClassificationReport classificationReport() {
        return ClassificationReport.fromConfusionMatrix(confusionMatrix(), vocab);
    }

    // ---------------------------------------------------------------- pictures

    /** Writes the confusion matrix as a heat map (row-normalised fractions with {@code normalize}). */
    public Path plotConfusionMatrix(Path png, boolean normalize) {
        long[][] cm = confusionMatrix();
        int[][] counts = new int[cm.length][cm.length];
        for (int i = 0; i < cm.length; i++) {
            for (int j = 0; j < cm.length; j++) {
                counts[i][j] = Math.toIntExact(cm[i][j]);
            }
        }
        return Plots.confusionMatrixPlot(counts, vocab, normalize, png);
    }

    /** Whether the items can be drawn: they came from a loader whose input block is an image. */
    public boolean canDrawItems() {
        return dl != null && dl.blocks().get(0) instanceof ImageRenderer;
    }

    /**
     * fastai's {@code plot_top_losses(k)}: the {@code k} items with the highest losses in a PNG grid, each titled
     * {@code predicted/actual} and, below, {@code loss / probability}.
     *
     * @throws UnsupportedOperationException when the items cannot be drawn (see {@link #canDrawItems()})
     */
    public Path plotTopLosses(int k, Path png) {
        if (!canDrawItems()) {
            throw new UnsupportedOperationException(dl == null
                    ? "this interpretation was made from bare predictions: there are no items to draw"
                    : "plotTopLosses draws image inputs; " + dl.blocks().get(0).name() + " is not one");
        }
        List<TopLoss> top = topLosses(k);
        if (top.isEmpty()) {
            throw new IllegalArgumentException("no items to draw (k " + k + ", " + size() + " items)");
        }
        ImageRenderer renderer = (ImageRenderer) dl.blocks().get(0);
        List<BufferedImage> images = new ArrayList<>();
        List<String> titles = new ArrayList<>();
        int bs = Math.max(1, dl.batchSize());
        for (int from = 0; from < top.size(); from += bs) {
            List<TopLoss> chunk = top.subList(from, Math.min(top.size(), from + bs));
            int[] idx = chunk.stream().mapToInt(t -> itemIndices[t.index()]).toArray();
            HostBatch hb = dl.batchOf(idx);
            try (NDManager m = NDManager.newBaseManager()) {
                Batch shown = dl.decodeBatch(dl.toBatch(hb, m));
                for (int j = 0; j < chunk.size(); j++) {
                    TopLoss t = chunk.get(j);
                    images.add(renderer.render(shown.inputs().get(0), j));
                    titles.add(t.predicted() + "/" + t.actual() + "\n"
                            + String.format(Locale.ROOT, "%.2f / %.2f", t.loss(), t.probability()));
                }
            }
        }
        return ImageGrid.write(images, titles, (int) Math.ceil(Math.sqrt(images.size())), 128, png);
    }

    /**
     * The {@code k} top losses with their Grad-CAM heat maps for the predicted class over each picture (see
     * {@link Cam}), titled as {@link #plotTopLosses}; {@code learn} must be the learner these predictions came
     * from.
     *
     * @throws UnsupportedOperationException when the items cannot be drawn
     * @throws IllegalArgumentException when the model is not a body/head model
     */
    public Path plotTopLossesCam(Learner learn, int k, Path png) {
        if (!canDrawItems()) {
            throw new UnsupportedOperationException("plotTopLossesCam draws image inputs");
        }
        List<TopLoss> top = topLosses(k);
        if (top.isEmpty()) {
            throw new IllegalArgumentException("no items to draw (k " + k + ", " + size() + " items)");
        }
        int[] idx = top.stream().mapToInt(t -> itemIndices[t.index()]).toArray();
        int[] cls = top.stream().mapToInt(t -> decoded[t.index()]).toArray();
        List<Cam.Heatmap> maps = Cam.gradCam(learn, dl, idx, cls);
        List<BufferedImage> images = new ArrayList<>();
        List<String> titles = new ArrayList<>();
        for (int j = 0; j < top.size(); j++) {
            TopLoss t = top.get(j);
            images.add(maps.get(j).overlay());
            titles.add(t.predicted() + "/" + t.actual() + "\n"
                    + String.format(Locale.ROOT, "%.2f / %.2f", t.loss(), t.probability()));
        }
        return ImageGrid.write(images, titles, (int) Math.ceil(Math.sqrt(images.size())), 128, png);
    }
}

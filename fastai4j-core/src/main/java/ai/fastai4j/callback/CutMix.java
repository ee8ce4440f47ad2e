package ai.fastai4j.callback;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.fastai4j.learner.Learner;
import java.util.Random;

/**
 * fastai's {@code CutMix} (Yun et al.): one random box of every training image (area share {@code 1 - l},
 * {@code l ~ Beta(alpha, alpha)}, centre uniform, clipped to the image) is replaced by the same box of another
 * image of the batch; targets (or losses) are mixed with {@code lam} = the share of the image left untouched.
 * Inputs are (N, C, H, W).
 */
public final class CutMix extends MixHandler {
    private int[] box;

    /** fastai's default alpha 1. */
    public CutMix() {
        this(1.0);
    }

    public CutMix(double alpha) {
        super(alpha);
    }

    @Override
    protected NDArray mix(Learner learn, NDArray x, NDArray xShuffled, Random rng) {
        if (x.getShape().dimension() != 4) {
            throw new IllegalArgumentException("CutMix needs (N, C, H, W) inputs, got " + x.getShape());
        }
        int h = (int) x.getShape().get(2);
        int w = (int) x.getShape().get(3);
        double l = beta(alpha, rng);
        box = randBox(w, h, l, rng);
        int x1 = box[0];
        int y1 = box[1];
        int x2 = box[2];
        int y2 = box[3];
        NDArray out = x.duplicate();
        if (x2 > x1 && y2 > y1) {
            NDIndex region = new NDIndex(":, :, {}:{}, {}:{}", y1, y2, x1, x2);
            out.set(region, xShuffled.get(region));
        }
        float kept = (float) (1 - (double) (x2 - x1) * (y2 - y1) / ((double) w * h));
        lam = x.getManager().create(kept);
        return out;
    }

    /** fastai's rand_bbox: a box of {@code sqrt(1 - lam)} of each side around a uniform centre, clipped. */
    static int[] randBox(int w, int h, double lam, Random rng) {
        double cut = Math.sqrt(1 - lam);
        int cw = (int) (w * cut);
        int ch = (int) (h * cut);
        int cx = rng.nextInt(w);
        int cy = rng.nextInt(h);
        return new int[] {clamp(cx - cw / 2, w), clamp(cy - ch / 2, h), clamp(cx + cw / 2, w), clamp(cy + ch / 2, h)};
    }

    private static int clamp(int v, int hi) {
        return Math.max(0, Math.min(hi, v));
    }

    /** The last box: x1, y1, x2, y2. */
    public int[] box() {
        return box == null ? null : box.clone();
    }
}

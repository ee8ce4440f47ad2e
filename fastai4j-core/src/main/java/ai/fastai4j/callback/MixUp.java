package ai.fastai4j.callback;

import ai.djl.ndarray.NDArray;
import ai.fastai4j.learner.Learner;
import java.util.Random;

/**
 * fastai's {@code MixUp} (Zhang et al.): every training item becomes {@code lam * x + (1 - lam) * x[perm]} with
 * its own {@code lam = max(l, 1 - l)}, {@code l ~ Beta(alpha, alpha)}; targets (or, for classification, losses)
 * are mixed with the same {@code lam}.
 */
public final class MixUp extends MixHandler {
    /** fastai's default alpha 0.4. */
    public MixUp() {
        this(0.4);
    }

    public MixUp(double alpha) {
        super(alpha);
    }

    @Override
    protected NDArray mix(Learner learn, NDArray x, NDArray xShuffled, Random rng) {
        int n = (int) x.getShape().get(0);
        float[] l = new float[n];
        for (int i = 0; i < n; i++) {
            double b = beta(alpha, rng);
            l[i] = (float) Math.max(b, 1 - b);
        }
        lam = x.getManager().create(l);
        return lerp(xShuffled, x, lam);
    }
}

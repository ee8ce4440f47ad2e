package ai.fastai4j.callback;

import ai.djl.ndarray.NDArray;
import ai.fastai4j.learner.Callback;
import ai.fastai4j.learner.Learner;
import ai.fastai4j.nn.Parameter;
import java.util.ArrayList;
import java.util.List;

/**
 * fastai's {@code GradientClip} ({@code torch.nn.utils.clip_grad_norm_}): before every step, when the global L2
 * norm of all trainable gradients exceeds {@code maxNorm}, every gradient is scaled by
 * {@code maxNorm / (norm + 1e-6)}.
 */
public final class GradientClip implements Callback {
    private final double maxNorm;
    private double lastNorm = Double.NaN;

    /** fastai's default: max norm 1. */
    public GradientClip() {
        this(1.0);
    }

    public GradientClip(double maxNorm) {
        if (!(maxNorm > 0)) {
            throw new IllegalArgumentException("maxNorm must be positive, got " + maxNorm);
        }
        this.maxNorm = maxNorm;
    }

    /** After GradientAccumulation (so the accumulated gradient is clipped). */
    @Override
    public int order() {
        return 1;
    }

    @Override
    public void beforeStep(Learner learn) {
        List<NDArray> grads = new ArrayList<>();
        double sq = 0;
        for (Parameter p : learn.model().parameters()) {
            if (p.isTrainable() && p.data().hasGradient()) {
                NDArray g = p.data().getGradient();
                grads.add(g);
                sq += g.square().sum().getFloat();
            }
        }
        lastNorm = Math.sqrt(sq);
        double coef = maxNorm / (lastNorm + 1e-6);
        if (coef < 1) {
            for (NDArray g : grads) {
                g.muli((float) coef);
            }
        }
    }

    /** The global gradient norm before clipping at the last step. */
    public double lastNorm() {
        return lastNorm;
    }
}

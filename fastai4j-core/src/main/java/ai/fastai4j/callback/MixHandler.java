package ai.fastai4j.callback;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.fastai4j.learner.Callback;
import ai.fastai4j.learner.Learner;
import java.util.Random;

/**
 * fastai's {@code MixHandler}, the common part of {@link MixUp} and {@link CutMix}: on training batches, each item
 * is mixed with another item of the batch (a random permutation); for integer targets (classification) the loss
 * becomes {@code lam * loss(pred, y) + (1 - lam) * loss(pred, y[perm])} per item, otherwise the targets
 * themselves are mixed with the same {@code lam}. Draws come from the learner's per-batch generator, so a run
 * repeats exactly (and a resumed one too).
 */
abstract class MixHandler implements Callback {
    protected final double alpha;
    /** Per-item (or one) weight of the item's own input and target in the running batch. */
    protected NDArray lam;
    protected NDArray shuffledTarget;
    private boolean mixLosses;

    MixHandler(double alpha) {
        if (!(alpha > 0)) {
            throw new IllegalArgumentException("alpha must be positive, got " + alpha);
        }
        this.alpha = alpha;
    }

    @Override
    public void beforeBatch(Learner learn) {
        lam = null;
        shuffledTarget = null;
        if (!learn.isTraining() || learn.yb().isEmpty()) {
            return;
        }
        NDArray x = learn.xb().get(0);
        NDArray y = learn.yb().get(0);
        int n = (int) x.getShape().get(0);
        Random rng = learn.batchRandom(0);
        int[] perm = permutation(n, rng);
        NDArray idx = x.getManager().create(perm);
        NDArray xShuffled = x.get(new NDIndex("{}", idx));
        NDArray yShuffled = y.get(new NDIndex("{}", idx));
        mixLosses = y.getDataType().isInteger();
        learn.setXb(new NDList(mix(learn, x, xShuffled, rng)));
        if (mixLosses) {
            shuffledTarget = yShuffled;
        } else {
            learn.setYb(new NDList(lerp(yShuffled, y, lam)));
        }
    }

    /** Mixes the inputs and sets {@link #lam}. */
    protected abstract NDArray mix(Learner learn, NDArray x, NDArray xShuffled, Random rng);

    @Override
    public void afterLoss(Learner learn) {
        if (lam == null || !mixLosses || learn.lossGrad() == null) {
            return;
        }
        NDArray own = learn.lossFunction().perItem(learn.pred(), learn.yb().get(0));
        NDArray other = learn.lossFunction().perItem(learn.pred(), shuffledTarget);
        NDArray mixed = lerp(other, own, lam).mean();
        learn.setLossGrad(mixed);
        learn.setLoss(mixed.getFloat());
    }

    /** {@code a + w * (b - a)}, w broadcast from the batch axis. */
    static NDArray lerp(NDArray a, NDArray b, NDArray w) {
        NDArray wb = w;
        if (w.getShape().dimension() == 1) {
            long[] shape = new long[a.getShape().dimension()];
            java.util.Arrays.fill(shape, 1);
            shape[0] = w.getShape().get(0);
            wb = w.reshape(shape);
        }
        NDArray af = a.toType(DataType.FLOAT32, false);
        return af.add(b.toType(DataType.FLOAT32, false).sub(af).mul(wb));
    }

    static int[] permutation(int n, Random rng) {
        return ai.fastai4j.data.Splitters.permutation(n, rng);
    }

    /** A Beta(a, a) draw: X / (X + Y) with X, Y ~ Gamma(a, 1). */
    static double beta(double a, Random rng) {
        double x = gamma(a, rng);
        double y = gamma(a, rng);
        return x / (x + y);
    }

    /** Marsaglia and Tsang's Gamma(a, 1) sampler (with the a < 1 boost). */
    static double gamma(double a, Random rng) {
        if (a < 1) {
            return gamma(a + 1, rng) * Math.pow(rng.nextDouble(), 1 / a);
        }
        double d = a - 1.0 / 3;
        double c = 1 / Math.sqrt(9 * d);
        while (true) {
            double z;
            double v;
            do {
                z = rng.nextGaussian();
                v = 1 + c * z;
            } while (v <= 0);
            v = v * v * v;
            double u = rng.nextDouble();
            if (Math.log(u) < 0.5 * z * z + d - d * v + d * Math.log(v)) {
                return d * v;
            }
        }
    }

    /** The weights of the last training batch (null outside training), for tests and inspection. */
    public NDArray lam() {
        return lam;
    }
}

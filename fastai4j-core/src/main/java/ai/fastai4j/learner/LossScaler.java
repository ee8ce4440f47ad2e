package ai.fastai4j.learner;

/**
 * The dynamic loss scale of mixed-precision training (torch's {@code GradScaler}, as fastai's
 * {@code MixedPrecision} uses it): the loss is multiplied by {@link #scale()} before backward so that small
 * FLOAT16 gradients do not flush to zero, and the gradients divided by it before the step. A step whose gradients
 * hold an inf or NaN is skipped and the scale halved; after {@link #growthInterval()} clean steps in a row the
 * scale doubles. Plain arithmetic: no tensors.
 */
public final class LossScaler {

    /** torch's and fastai's initial scale, 2^16. */
    public static final double INIT_SCALE = 65536.0;
    /** Clean steps before the scale doubles (torch's default). */
    public static final int GROWTH_INTERVAL = 2000;

    private final int growthInterval;
    private double scale;
    private int cleanSteps;
    private long skipped;

    /** A scaler with torch's defaults: scale 2^16, doubling after 2000 clean steps, halving on overflow. */
    public LossScaler() {
        this(INIT_SCALE, GROWTH_INTERVAL);
    }

    /** A scaler starting at {@code initScale} (positive, finite) that doubles after {@code growthInterval} steps. */
    public LossScaler(double initScale, int growthInterval) {
        if (!(initScale > 0) || Double.isInfinite(initScale)) {
            throw new IllegalArgumentException("initial loss scale must be positive and finite, got " + initScale);
        }
        if (growthInterval < 1) {
            throw new IllegalArgumentException("growth interval must be at least 1, got " + growthInterval);
        }
        this.scale = initScale;
        this.growthInterval = growthInterval;
    }

    /** The factor the loss is multiplied by now. */
    public double scale() {
        return scale;
    }

    /** Clean steps needed for the scale to double. */
    public int growthInterval() {
        return growthInterval;
    }

    /** Clean steps since the scale last changed. */
    public int cleanSteps() {
        return cleanSteps;
    }

    /** Steps skipped so far because of inf or NaN gradients. */
    public long skippedSteps() {
        return skipped;
    }

    /**
     * Records one step's outcome and returns whether the optimizer may take it: false (skip; the scale halves,
     * the clean count restarts) when the gradients were not all finite; true otherwise (the scale doubles when
     * this makes {@link #growthInterval()} clean steps in a row).
     */
    public boolean update(boolean gradientsFinite) {
        if (!gradientsFinite) {
            scale *= 0.5;
            cleanSteps = 0;
            skipped++;
            return false;
        }
        cleanSteps++;
        if (cleanSteps == growthInterval) {
            scale *= 2;
            cleanSteps = 0;
        }
        return true;
    }
}

package ai.fastai4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.fastai4j.engine.Autocast;

/**
 * Batch normalisation over the channel axis 1, for (N, C) and (N, C, H, W) inputs, with PyTorch's names
 * (weight, bias, running_mean, running_var, num_batches_tracked) and momentum 0.1.
 */
public final class BatchNorm extends Module {
    private final Parameter weight;
    private final Parameter bias;
    private final Parameter runningMean;
    private final Parameter runningVar;
    private final Parameter numBatchesTracked;
    private final float momentum;
    private final float eps;
    private NDArray one;

    /** fastai's init: weight 1, bias 1e-3 (use {@link #zeroInit} for the last BN of a residual branch). */
    public BatchNorm(NDManager m, int features) {
        this(m, features, 0.1f, 1e-5f, 1f);
    }

    public BatchNorm(NDManager m, int features, float momentum, float eps, float weightInit) {
        this.weight = parameter("weight", Parameter.Kind.NORM, m.full(new Shape(features), weightInit));
        this.bias = parameter("bias", Parameter.Kind.NORM, m.full(new Shape(features), 1e-3f));
        this.runningMean = parameter("running_mean", Parameter.Kind.BUFFER, m.zeros(new Shape(features)));
        this.runningVar = parameter("running_var", Parameter.Kind.BUFFER, m.ones(new Shape(features)));
        this.numBatchesTracked = parameter("num_batches_tracked", Parameter.Kind.BUFFER,
                m.zeros(new Shape(), DataType.INT64));
        this.momentum = momentum;
        this.eps = eps;
        this.one = m.create(1L); // kept, so that counting a batch creates no tensor
    }

    @Override
    protected void moveOwnTo(ai.djl.Device device) {
        super.moveOwnTo(device);
        if (!one.getDevice().equals(device)) {
            NDArray moved = one.toDevice(device, true);
            moved.attach(one.getManager());
            one.close();
            one = moved;
        }
    }

    /** A BatchNorm whose scale starts at zero, so a residual block starts as the identity. */
    public static BatchNorm zeroInit(NDManager m, int features) {
        return new BatchNorm(m, features, 0.1f, 1e-5f, 0f);
    }

    public Parameter weight() {
        return weight;
    }

    public Parameter bias() {
        return bias;
    }

    public Parameter runningMean() {
        return runningMean;
    }

    public Parameter runningVar() {
        return runningVar;
    }

    @Override
    public NDArray forward(NDArray x) {
        boolean train = isTraining();
        if (train) {
            numBatchesTracked.data().addi(one); // as torch: one more batch seen in training mode
        }
        // DJL passes (1 - momentum) to torch: give it 1 - 0.1 to get PyTorch's 0.1
        return ai.djl.nn.norm.BatchNorm.batchNorm(Autocast.full(x), runningMean.data(), runningVar.data(), weight.data(),
                bias.data(), 1, 1f - momentum, eps, train).singletonOrThrow();
    }
}

package ai.fastai4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.fastai4j.engine.Autocast;

/** Fully connected layer {@code y = x W^T + b}, weight shaped (out, in) as in PyTorch. */
public final class Linear extends Module {
    private final Parameter weight;
    private final Parameter bias;
    private final int inFeatures;
    private final int outFeatures;

    public Linear(NDManager m, int inFeatures, int outFeatures, boolean bias) {
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        this.weight = parameter("weight", Parameter.Kind.WEIGHT,
                uniformFanIn(m, new Shape(outFeatures, inFeatures), inFeatures));
        this.bias = bias ? parameter("bias", Parameter.Kind.BIAS, uniformFanIn(m, new Shape(outFeatures), inFeatures)) : null;
    }

    public Parameter weight() {
        return weight;
    }

    public Parameter bias() {
        return bias;
    }

    public int inFeatures() {
        return inFeatures;
    }

    public int outFeatures() {
        return outFeatures;
    }

    @Override
    public NDArray forward(NDArray x) {
        return ai.djl.nn.core.Linear.linear(Autocast.half(x), Autocast.half(weight.data()),
                bias == null ? null : Autocast.half(bias.data())).singletonOrThrow();
    }
}

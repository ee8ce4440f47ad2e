package ai.fastai4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.fastai4j.engine.Autocast;

/** 2-d convolution, weight shaped (out, in/groups, k, k) as in PyTorch; Kaiming-normal (fan-out) init. */
public final class Conv2d extends Module {
    private final Parameter weight;
    private final Parameter bias;
    private final Shape stride;
    private final Shape padding;
    private final Shape dilation;
    private final int groups;

    public Conv2d(NDManager m, int in, int out, int kernel, int stride, int padding, boolean bias) {
        this(m, in, out, kernel, stride, padding, 1, 1, bias);
    }

    public Conv2d(NDManager m, int in, int out, int kernel, int stride, int padding, int dilation, int groups,
            boolean bias) {
        Shape w = new Shape(out, in / groups, kernel, kernel);
        // torchvision ResNets use kaiming_normal_(mode="fan_out", nonlinearity="relu")
        this.weight = parameter("weight", Parameter.Kind.WEIGHT, kaimingNormal(m, w, (long) out * kernel * kernel));
        this.bias = bias ? parameter("bias", Parameter.Kind.BIAS,
                uniformFanIn(m, new Shape(out), (long) in / groups * kernel * kernel)) : null;
        this.stride = new Shape(stride, stride);
        this.padding = new Shape(padding, padding);
        this.dilation = new Shape(dilation, dilation);
        this.groups = groups;
    }

    public Parameter weight() {
        return weight;
    }

    @Override
    public NDArray forward(NDArray x) {
        return ai.djl.nn.convolutional.Conv2d.conv2d(Autocast.half(x), Autocast.half(weight.data()),
                bias == null ? null : Autocast.half(bias.data()),
                stride, padding, dilation, groups).singletonOrThrow();
    }
}

package ai.fastai4j.vision.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.fastai4j.nn.BatchNorm;
import ai.fastai4j.nn.Conv2d;
import ai.fastai4j.nn.Layers;
import ai.fastai4j.nn.Module;
import ai.fastai4j.nn.Sequential;

/**
 * torchvision's {@code BasicBlock}: two 3x3 convolutions with a residual connection. Children, in
 * torchvision's order: conv1, bn1, relu, conv2, bn2 and, when the shape changes, downsample (0: 1x1 conv,
 * 1: BatchNorm).
 */
public final class BasicBlock extends Module {
    /** Output channels per {@code planes}. */
    public static final int EXPANSION = 1;

    private final Conv2d conv1;
    private final BatchNorm bn1;
    private final Module relu;
    private final Conv2d conv2;
    private final BatchNorm bn2;
    private final Sequential downsample;

    /**
     * @param zeroInitResidual start bn2's weight at zero (torchvision's {@code zero_init_residual})
     */
    public BasicBlock(NDManager m, int inplanes, int planes, int stride, boolean zeroInitResidual) {
        conv1 = register("conv1", new Conv2d(m, inplanes, planes, 3, stride, 1, false));
        bn1 = register("bn1", Init.torchvisionBn(m, planes, false));
        relu = register("relu", Layers.relu());
        conv2 = register("conv2", new Conv2d(m, planes, planes, 3, 1, 1, false));
        bn2 = register("bn2", Init.torchvisionBn(m, planes, zeroInitResidual));
        downsample = stride != 1 || inplanes != planes * EXPANSION
                ? register("downsample", downsample(m, inplanes, planes * EXPANSION, stride)) : null;
    }

    /** torchvision's shortcut: 1x1 convolution with stride, then BatchNorm. */
    static Sequential downsample(NDManager m, int in, int out, int stride) {
        return new Sequential(new Conv2d(m, in, out, 1, stride, 0, false), Init.torchvisionBn(m, out, false));
    }

    /** The shortcut branch, or null when the block keeps the shape. */
    public Sequential downsample() {
        return downsample;
    }

    @Override
    public NDArray forward(NDArray x) {
        NDArray out = relu.call(bn1.call(conv1.call(x)));
        out = bn2.call(conv2.call(out));
        NDArray identity = downsample == null ? x : downsample.call(x);
        return relu.call(out.add(identity));
    }
}

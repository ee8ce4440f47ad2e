package ai.fastai4j.vision.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.fastai4j.nn.BatchNorm;
import ai.fastai4j.nn.Conv2d;
import ai.fastai4j.nn.Layers;
import ai.fastai4j.nn.Module;
import ai.fastai4j.nn.Sequential;

/**
 * torchvision's {@code Bottleneck} (ResNet v1.5: the stride sits on the 3x3 convolution): 1x1, 3x3, 1x1
 * convolutions, output {@code planes * 4} channels. Children: conv1, bn1, conv2, bn2, conv3, bn3, relu,
 * downsample.
 */
public final class Bottleneck extends Module {
    /** Output channels per {@code planes}. */
    public static final int EXPANSION = 4;

    private final Conv2d conv1;
    private final BatchNorm bn1;
    private final Conv2d conv2;
    private final BatchNorm bn2;
    private final Conv2d conv3;
    private final BatchNorm bn3;
    private final Module relu;
    private final Sequential downsample;

    /**
     * @param zeroInitResidual start bn3's weight at zero (torchvision's {@code zero_init_residual})
     */
    public Bottleneck(NDManager m, int inplanes, int planes, int stride, boolean zeroInitResidual) {
        int out = planes * EXPANSION;
        conv1 = register("conv1", new Conv2d(m, inplanes, planes, 1, 1, 0, false));
        bn1 = register("bn1", Init.torchvisionBn(m, planes, false));
        conv2 = register("conv2", new Conv2d(m, planes, planes, 3, stride, 1, false));
        bn2 = register("bn2", Init.torchvisionBn(m, planes, false));
        conv3 = register("conv3", new Conv2d(m, planes, out, 1, 1, 0, false));
        bn3 = register("bn3", Init.torchvisionBn(m, out, zeroInitResidual));
        relu = register("relu", Layers.relu());
        downsample = stride != 1 || inplanes != out
                ? register("downsample", BasicBlock.downsample(m, inplanes, out, stride)) : null;
    }

    /** The shortcut branch, or null when the block keeps the shape. */
    public Sequential downsample() {
        return downsample;
    }

    @Override
    public NDArray forward(NDArray x) {
        NDArray out = relu.call(bn1.call(conv1.call(x)));
        out = relu.call(bn2.call(conv2.call(out)));
        out = bn3.call(conv3.call(out));
        NDArray identity = downsample == null ? x : downsample.call(x);
        return relu.call(out.add(identity));
    }
}

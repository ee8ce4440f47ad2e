package ai.fastai4j.vision.models;

import ai.djl.ndarray.NDManager;

/** Small ResNets for small images, built with {@link ResNet#builder()}. */
public final class ResNets {
    private ResNets() {}

    /**
     * A ResNet for 28x28 images (Fashion-MNIST) on a CPU: stem 3x3 conv 32 channels + BN + ReLU (no max
     * pool), three stages of {@link BasicBlock}s with 32, 64, 128 channels and strides 1, 2, 2, global
     * average pool, linear. Same names as torchvision's (conv1, bn1, layer1..layer3, fc).
     */
    public static ResNet smallResNet(NDManager m, int inChannels, int numClasses) {
        return smallResNetBuilder(inChannels).numClasses(numClasses).build(m);
    }

    static ResNet.Builder smallResNetBuilder(int inChannels) {
        return ResNet.builder().block(ResNet.Block.BASIC).layers(SMALL_LAYERS).widths(32, 64, 128).strides(1, 2, 2)
                .stem(32, 3, 1, false).inChannels(inChannels);
    }

    static final int[] SMALL_LAYERS = {1, 1, 1};
}

package ai.fastai4j.vision.models;

import ai.djl.ndarray.NDManager;
import ai.fastai4j.nn.Sequential;

/**
 * The architectures a vision learner can build: each makes its body (the network cut before its pooling
 * layer) and knows the body's output channels. ResNet bodies keep torchvision's child names (conv1, bn1,
 * relu, maxpool, layer1..layer4) so pretrained weights load by name.
 */
public enum Arch {
    /** torchvision resnet18; 512 features. */
    RESNET18(512),
    /** torchvision resnet34; 512 features. */
    RESNET34(512),
    /** torchvision resnet50; 2048 features. */
    RESNET50(2048),
    /** torchvision resnet101; 2048 features. */
    RESNET101(2048),
    /** torchvision resnet152; 2048 features. */
    RESNET152(2048),
    /** {@link ResNets#smallResNet} for 28x28 images; 128 features. */
    SMALL_RESNET(128),
    /** {@link SimpleCnn#body}; 64 features. */
    SIMPLE_CNN(64);

    private final int numFeatures;

    Arch(int numFeatures) {
        this.numFeatures = numFeatures;
    }

    /** Channels out of the body: fastai's {@code num_features_model}. */
    public int numFeatures() {
        return numFeatures;
    }

    /** Whether torchvision publishes weights whose names this arch's body uses. */
    public boolean isTorchvisionResNet() {
        return ordinal() <= RESNET152.ordinal();
    }

    /** fastai's {@code create_body} without weights: the model cut before its pooling layer. */
    public Sequential createBody(NDManager m, int nIn) {
        return switch (this) {
            case RESNET18 -> resnet(ResNet.Block.BASIC, 2, 2, 2, 2).inChannels(nIn).buildBody(m);
            case RESNET34 -> resnet(ResNet.Block.BASIC, 3, 4, 6, 3).inChannels(nIn).buildBody(m);
            case RESNET50 -> resnet(ResNet.Block.BOTTLENECK, 3, 4, 6, 3).inChannels(nIn).buildBody(m);
            case RESNET101 -> resnet(ResNet.Block.BOTTLENECK, 3, 4, 23, 3).inChannels(nIn).buildBody(m);
            case RESNET152 -> resnet(ResNet.Block.BOTTLENECK, 3, 8, 36, 3).inChannels(nIn).buildBody(m);
            case SMALL_RESNET -> ResNets.smallResNetBuilder(nIn).buildBody(m);
            case SIMPLE_CNN -> SimpleCnn.body(m, nIn);
        };
    }

    private static ResNet.Builder resnet(ResNet.Block block, int... layers) {
        return ResNet.builder().block(block).layers(layers);
    }
}

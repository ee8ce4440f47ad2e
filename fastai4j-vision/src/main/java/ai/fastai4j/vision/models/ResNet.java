package ai.fastai4j.vision.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.fastai4j.nn.Conv2d;
import ai.fastai4j.nn.Layers;
import ai.fastai4j.nn.Linear;
import ai.fastai4j.nn.Module;
import ai.fastai4j.nn.Sequential;
import java.util.Arrays;
import java.util.Map;

/**
 * torchvision's ResNet with its exact layout and state names ({@code conv1, bn1, relu, maxpool,
 * layer1..layer4, avgpool, fc}), so a torchvision state dict loads 1:1 with {@link #loadStateDict}.
 *
 * <p>Init as in torchvision: convolutions Kaiming-normal (fan-out, ReLU), BatchNorm weight 1 and bias 0
 * (not fastai's 1e-3), {@code fc} PyTorch's default uniform. The builder also makes smaller variants
 * (other stems, widths and strides; see {@link ResNets#smallResNet}).
 */
public final class ResNet extends Module {

    /** Residual block type. */
    public enum Block {
        /** {@link BasicBlock}, expansion 1 (resnet18, resnet34). */
        BASIC(BasicBlock.EXPANSION),
        /** {@link Bottleneck}, expansion 4 (resnet50 and deeper). */
        BOTTLENECK(Bottleneck.EXPANSION);

        private final int expansion;

        Block(int expansion) {
            this.expansion = expansion;
        }

        /** Output channels per {@code planes}. */
        public int expansion() {
            return expansion;
        }

        Module create(NDManager m, int inplanes, int planes, int stride, boolean zeroInit) {
            return this == BASIC ? new BasicBlock(m, inplanes, planes, stride, zeroInit)
                    : new Bottleneck(m, inplanes, planes, stride, zeroInit);
        }
    }

    private final Sequential body;
    private final Module avgpool;
    private final Linear fc;
    private final int numFeatures;

    private ResNet(NDManager m, Builder b) {
        this.body = b.buildBody(m);
        for (Map.Entry<String, Module> e : body.children().entrySet()) {
            register(e.getKey(), e.getValue());
        }
        this.numFeatures = b.numFeatures();
        this.avgpool = register("avgpool", Layers.adaptiveAvgPool2d(1));
        this.fc = register("fc", new Linear(m, numFeatures, b.numClasses, true));
    }

    /** torchvision's resnet18 (BasicBlock, [2, 2, 2, 2]), 3 input channels. */
    public static ResNet resnet18(NDManager m, int numClasses) {
        return resnet18(m, numClasses, 3);
    }

    /** resnet18 with {@code inChannels} input channels (1 for grey images). */
    public static ResNet resnet18(NDManager m, int numClasses, int inChannels) {
        return builder().block(Block.BASIC).layers(2, 2, 2, 2).numClasses(numClasses).inChannels(inChannels).build(m);
    }

    /** torchvision's resnet34 (BasicBlock, [3, 4, 6, 3]). */
    public static ResNet resnet34(NDManager m, int numClasses) {
        return resnet34(m, numClasses, 3);
    }

    /** resnet34 with {@code inChannels} input channels. */
    public static ResNet resnet34(NDManager m, int numClasses, int inChannels) {
        return builder().block(Block.BASIC).layers(3, 4, 6, 3).numClasses(numClasses).inChannels(inChannels).build(m);
    }

    /** torchvision's resnet50 (Bottleneck, [3, 4, 6, 3]). */
    public static ResNet resnet50(NDManager m, int numClasses) {
        return resnet50(m, numClasses, 3);
    }

    /** resnet50 with {@code inChannels} input channels. */
    public static ResNet resnet50(NDManager m, int numClasses, int inChannels) {
        return builder().block(Block.BOTTLENECK).layers(3, 4, 6, 3).numClasses(numClasses).inChannels(inChannels)
                .build(m);
    }

    /** torchvision's resnet101 (Bottleneck, [3, 4, 23, 3]). */
    public static ResNet resnet101(NDManager m, int numClasses, int inChannels) {
        return builder().block(Block.BOTTLENECK).layers(3, 4, 23, 3).numClasses(numClasses).inChannels(inChannels)
                .build(m);
    }

    /** torchvision's resnet152 (Bottleneck, [3, 8, 36, 3]). */
    public static ResNet resnet152(NDManager m, int numClasses, int inChannels) {
        return builder().block(Block.BOTTLENECK).layers(3, 8, 36, 3).numClasses(numClasses).inChannels(inChannels)
                .build(m);
    }

    /** A builder; {@code block} and {@code layers} are required, the rest defaults to torchvision's. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Everything before the pooling layer (conv1 ... layerN), sharing this model's modules and names:
     * fastai's cut for ResNets.
     */
    public Sequential body() {
        return body;
    }

    /** The classifier layer. */
    public Linear fc() {
        return fc;
    }

    /** Channels out of the body (512 for resnet18/34, 2048 for resnet50). */
    public int numFeatures() {
        return numFeatures;
    }

    @Override
    public NDArray forward(NDArray x) {
        NDArray y = avgpool.call(body.call(x));
        return fc.call(y.reshape(y.getShape().get(0), -1));
    }

    /** Options for a ResNet; torchvision's defaults except for {@code block} and {@code layers}. */
    public static final class Builder {
        private Block block;
        private int[] layers;
        private int[] widths;
        private int[] strides;
        private int inChannels = 3;
        private int numClasses = 1000;
        private int stemWidth = 64;
        private int stemKernel = 7;
        private int stemStride = 2;
        private boolean maxPool = true;
        private boolean zeroInitResidual;

        private Builder() {}

        public Builder block(Block block) {
            this.block = block;
            return this;
        }

        /** Blocks per stage, e.g. {@code 2, 2, 2, 2}; stage i is named {@code layer(i+1)}. */
        public Builder layers(int... layers) {
            this.layers = layers.clone();
            return this;
        }

        /** {@code planes} per stage; default 64, 128, 256, 512. */
        public Builder widths(int... widths) {
            this.widths = widths.clone();
            return this;
        }

        /** Stride of each stage's first block; default 1, 2, 2, 2. */
        public Builder strides(int... strides) {
            this.strides = strides.clone();
            return this;
        }

        /** Input channels; default 3. */
        public Builder inChannels(int inChannels) {
            this.inChannels = inChannels;
            return this;
        }

        /** Outputs of {@code fc}; default 1000. */
        public Builder numClasses(int numClasses) {
            this.numClasses = numClasses;
            return this;
        }

        /** Stem convolution: width, kernel (padding kernel/2), stride, and whether a 3x3/2 max pool follows. */
        public Builder stem(int width, int kernel, int stride, boolean maxPool) {
            this.stemWidth = width;
            this.stemKernel = kernel;
            this.stemStride = stride;
            this.maxPool = maxPool;
            return this;
        }

        /** Start each block's last BatchNorm at zero; default false as in torchvision. */
        public Builder zeroInitResidual(boolean zeroInitResidual) {
            this.zeroInitResidual = zeroInitResidual;
            return this;
        }

        /** Builds the model; its parameters live on {@code m}. */
        public ResNet build(NDManager m) {
            if (numClasses < 1) {
                throw new IllegalArgumentException("numClasses must be positive, got " + numClasses);
            }
            return new ResNet(m, this);
        }

        /** Only the body (conv1 ... layerN), named as in torchvision, without avgpool and fc. */
        public Sequential buildBody(NDManager m) {
            validate();
            Sequential body = new Sequential();
            body.add("conv1", new Conv2d(m, inChannels, stemWidth, stemKernel, stemStride, stemKernel / 2, false));
            body.add("bn1", Init.torchvisionBn(m, stemWidth, false));
            body.add("relu", Layers.relu());
            if (maxPool) {
                body.add("maxpool", Layers.maxPool2d(3, 2, 1));
            }
            int[] w = widths();
            int[] s = strides();
            int inplanes = stemWidth;
            for (int i = 0; i < layers.length; i++) {
                Sequential stage = new Sequential();
                for (int j = 0; j < layers[i]; j++) {
                    stage.add(block.create(m, inplanes, w[i], j == 0 ? s[i] : 1, zeroInitResidual));
                    inplanes = w[i] * block.expansion();
                }
                body.add("layer" + (i + 1), stage);
            }
            return body;
        }

        int numFeatures() {
            validate();
            return widths()[layers.length - 1] * block.expansion();
        }

        private int[] widths() {
            return widths != null ? widths : Arrays.copyOf(new int[] {64, 128, 256, 512}, layers.length);
        }

        private int[] strides() {
            return strides != null ? strides : Arrays.copyOf(new int[] {1, 2, 2, 2}, layers.length);
        }

        private void validate() {
            if (block == null || layers == null || layers.length == 0) {
                throw new IllegalStateException("block and layers are required");
            }
            if (widths == null && layers.length > 4 || strides == null && layers.length > 4) {
                throw new IllegalStateException("more than 4 stages need explicit widths and strides");
            }
            if (widths != null && widths.length != layers.length || strides != null && strides.length != layers.length) {
                throw new IllegalStateException("layers, widths and strides must have the same length");
            }
            if (inChannels < 1) {
                throw new IllegalArgumentException("inChannels must be positive, got " + inChannels);
            }
            for (int n : layers) {
                if (n < 1) {
                    throw new IllegalArgumentException("every stage needs at least one block: " + Arrays.toString(layers));
                }
            }
        }
    }
}

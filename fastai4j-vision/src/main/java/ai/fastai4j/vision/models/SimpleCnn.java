package ai.fastai4j.vision.models;

import ai.djl.ndarray.NDManager;
import ai.fastai4j.nn.Conv2d;
import ai.fastai4j.nn.Layers;
import ai.fastai4j.nn.Sequential;

/**
 * fastai's {@code simple_cnn}: a stack of stride-2 {@link #convLayer ConvLayers} (conv, BatchNorm, ReLU)
 * ending in a plain convolution to the classes and a pool-flatten. As in fastbook chapter 13, the last
 * convolution has no BatchNorm and no ReLU (fastai's {@code simple_cnn} puts a ReLU on the logits).
 */
public final class SimpleCnn {
    private SimpleCnn() {}

    /** Hidden channels of {@link #create(NDManager, int, int)}. */
    static final int[] DEFAULT_CHANNELS = {8, 16, 32, 64};

    /**
     * fastbook's MNIST net for 28x28 images: 5x5 then 3x3 convolutions, channels in, 8, 16, 32, 64,
     * numClasses; spatial size 28, 14, 7, 4, 2, 1. Children "0".."4" conv layers, "5" pool-flatten.
     */
    public static Sequential create(NDManager m, int inChannels, int numClasses) {
        int[] ch = new int[DEFAULT_CHANNELS.length + 2];
        ch[0] = inChannels;
        System.arraycopy(DEFAULT_CHANNELS, 0, ch, 1, DEFAULT_CHANNELS.length);
        ch[ch.length - 1] = numClasses;
        return create(m, ch, 5);
    }

    /**
     * A simple CNN over {@code channels} (input first, classes last): stride-2 conv layers, the first with
     * kernel {@code firstKernel}, the others 3x3, then pool-flatten.
     */
    public static Sequential create(NDManager m, int[] channels, int firstKernel) {
        if (channels.length < 2) {
            throw new IllegalArgumentException("need at least input and output channels");
        }
        Sequential net = new Sequential();
        int n = channels.length - 1;
        for (int i = 0; i < n; i++) {
            boolean last = i == n - 1;
            net.add(convLayer(m, channels[i], channels[i + 1], i == 0 ? firstKernel : 3, 2, !last, !last));
        }
        net.add(poolFlatten());
        return net;
    }

    /** The body of {@link #create(NDManager, int, int)}: its conv layers without the classifier (64 channels). */
    public static Sequential body(NDManager m, int inChannels) {
        Sequential body = new Sequential();
        int in = inChannels;
        for (int i = 0; i < DEFAULT_CHANNELS.length; i++) {
            body.add(convLayer(m, in, DEFAULT_CHANNELS[i], i == 0 ? 5 : 3, 2, true, true));
            in = DEFAULT_CHANNELS[i];
        }
        return body;
    }

    /**
     * fastai's {@code ConvLayer}: conv (padding kernel/2, bias only without BatchNorm), then BatchNorm (fastai
     * init) and ReLU when asked; children "0", "1", "2".
     */
    public static Sequential convLayer(NDManager m, int in, int out, int kernel, int stride, boolean bn,
            boolean relu) {
        Sequential layer = new Sequential(new Conv2d(m, in, out, kernel, stride, kernel / 2, !bn));
        if (bn) {
            layer.add(new ai.fastai4j.nn.BatchNorm(m, out));
        }
        if (relu) {
            layer.add(Layers.relu());
        }
        return layer;
    }

    /** fastai's {@code PoolFlatten}: global average pool, then flatten. */
    public static Sequential poolFlatten() {
        return new Sequential(Layers.adaptiveAvgPool2d(1), Layers.flatten());
    }
}

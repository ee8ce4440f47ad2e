package ai.fastai4j.vision.models.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.fastai4j.hooks.Hook;
import ai.fastai4j.nn.BatchNorm;
import ai.fastai4j.nn.Layers;
import ai.fastai4j.nn.Module;
import ai.fastai4j.nn.Sequential;

/**
 * fastai's {@code UnetBlock}: upsamples the decoder's input with a {@link PixelShuffleIcnr} to half its channels,
 * resizes it (nearest) to the encoder activation stored by its hook when the sizes differ (odd input sizes),
 * concatenates it with that activation after a BatchNorm, and runs ReLU and two 3x3 ConvLayers (the second with
 * optional {@link SelfAttention}).
 */
public final class UnetBlock extends Module {
    private final Hook<NDArray> hook;
    private final PixelShuffleIcnr shuf;
    private final BatchNorm bn;
    private final Sequential conv1;
    private final Sequential conv2;
    private final Module relu;
    private final int outChannels;

    /**
     * @param upIn channels coming up the decoder
     * @param xIn channels of the encoder activation (the cross connection)
     * @param hook stores that activation during the forward pass
     * @param finalDiv whether the convolutions keep {@code upIn / 2 + xIn} channels (false halves them: the last
     *     block)
     */
    public UnetBlock(NDManager m, int upIn, int xIn, Hook<NDArray> hook, boolean finalDiv, boolean blur,
            boolean selfAttention) {
        this.hook = hook;
        shuf = register("shuf", new PixelShuffleIcnr(m, upIn, upIn / 2, 2, blur));
        bn = register("bn", new BatchNorm(m, xIn));
        int ni = upIn / 2 + xIn;
        int nf = finalDiv ? ni : ni / 2;
        conv1 = register("conv1", UnetLayers.convLayer(m, ni, nf, 3, true));
        conv2 = UnetLayers.convLayer(m, nf, nf, 3, true);
        if (selfAttention) {
            conv2.add(new SelfAttention(m, nf));
        }
        register("conv2", conv2);
        relu = register("relu", Layers.relu());
        outChannels = nf;
    }

    /** Channels this block outputs. */
    public int outChannels() {
        return outChannels;
    }

    @Override
    public NDArray forward(NDArray upIn) {
        NDArray s = hook.stored();
        if (s == null) {
            throw new IllegalStateException("the encoder did not run before this U-Net block (its hook is empty)");
        }
        NDArray up = shuf.call(upIn);
        long h = s.getShape().get(2);
        long w = s.getShape().get(3);
        if (up.getShape().get(2) != h || up.getShape().get(3) != w) {
            up = UnetLayers.nearest(up, h, w);
        }
        NDArray cat = relu.call(up.concat(bn.call(s), 1));
        return conv2.call(conv1.call(cat));
    }
}

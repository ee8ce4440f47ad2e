package ai.fastai4j.vision.models.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.fastai4j.nn.Conv2d;
import ai.fastai4j.nn.Layers;
import ai.fastai4j.nn.Sequential;

/**
 * fastai's {@code PixelShuffle_ICNR(ni, nf, scale, blur)} without normalisation: a 1x1 {@link UnetLayers#convLayer
 * ConvLayer} (conv + ReLU) to {@code nf scale^2} channels with {@link UnetLayers#icnr ICNR} weights and zero bias,
 * a pixel shuffle by {@code scale}, and optionally fastai's blur. Children "0" (ConvLayer), "1" (PixelShuffle),
 * "2" (Blur).
 */
public final class PixelShuffleIcnr extends Sequential {
    private final Conv2d conv;
    private final int scale;

    public PixelShuffleIcnr(NDManager m, int ni, int nf, int scale, boolean blur) {
        this.scale = scale;
        Sequential cl = UnetLayers.convLayer(m, ni, nf * scale * scale, 1, true);
        this.conv = (Conv2d) cl.get(0);
        try (NDArray w = UnetLayers.icnr(m, conv.weight().data().getShape(), scale)) {
            conv.weight().copyFrom(w);
        }
        add(cl);
        add(Layers.lambda("PixelShuffle", x -> UnetLayers.pixelShuffle(x, scale)));
        if (blur) {
            add(UnetLayers.blur());
        }
    }

    /** The 1x1 convolution before the shuffle. */
    public Conv2d conv() {
        return conv;
    }

    public int scale() {
        return scale;
    }
}

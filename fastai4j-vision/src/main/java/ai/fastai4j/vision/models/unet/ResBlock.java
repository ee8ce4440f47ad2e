package ai.fastai4j.vision.models.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.fastai4j.nn.Layers;
import ai.fastai4j.nn.Module;
import ai.fastai4j.nn.Sequential;

/**
 * fastai's {@code ResBlock(1, ni, nf, norm_type=None)} as the U-Net uses it: {@code convpath} = ConvLayer(ni, nf, 3)
 * with ReLU, ConvLayer(nf, nf, 3) without; {@code idpath} = a 1x1 ConvLayer when {@code ni != nf}, else the
 * identity; output {@code ReLU(convpath(x) + idpath(x))}.
 */
public final class ResBlock extends Module {
    private final Sequential convpath;
    private final Module idpath;
    private final Module act;

    public ResBlock(NDManager m, int ni, int nf) {
        convpath = register("convpath", new Sequential(UnetLayers.convLayer(m, ni, nf, 3, true),
                UnetLayers.convLayer(m, nf, nf, 3, false)));
        idpath = register("idpath", ni == nf ? new Sequential() : new Sequential(UnetLayers.convLayer(m, ni, nf, 1,
                false)));
        act = register("act", Layers.relu());
    }

    @Override
    public NDArray forward(NDArray x) {
        return act.call(convpath.call(x).add(idpath.call(x)));
    }
}

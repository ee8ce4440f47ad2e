package ai.fastai4j.vision.models.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.fastai4j.engine.NoGrad;
import ai.fastai4j.hooks.Hook;
import ai.fastai4j.hooks.Hooks;
import ai.fastai4j.nn.BatchNorm;
import ai.fastai4j.nn.Layers;
import ai.fastai4j.nn.Module;
import ai.fastai4j.nn.Sequential;
import java.util.ArrayList;
import java.util.List;

/**
 * fastai's {@code DynamicUnet} ({@code fastai/vision/models/unet.py}) over any encoder that is a
 * {@link Sequential} of (N, C, H, W) stages, such as a ResNet body. The encoder runs once on a dummy image of the
 * given size to find where the resolution changes; the output of the stage before each change gets a forward
 * {@link Hook}, and the decoder climbs back with one {@link UnetBlock} per change, each concatenating its
 * upsampled input with the hooked activation (the cross connections).
 *
 * <p>Children, as fastai's list of layers: "0" the encoder, "1" BatchNorm, "2" ReLU, "3" the middle convolutions,
 * "4".. the U-Net blocks, then (when the encoder's first stage already halves the image) a
 * {@link PixelShuffleIcnr}, {@code ResizeToOrig} (nearest, to the input's size), and with {@code lastCross} the
 * concatenation with the input ({@code MergeLayer(dense=True)}) and a {@link ResBlock}, and a final 1x1 ConvLayer
 * to {@code nOut} channels. The output has the input's height and width, odd sizes included.
 *
 * <p>The hooks keep each thread's activations apart ({@link Hook#perThread()}), so several threads may run the
 * model at once (an inference server's workers). {@link #close()} removes the hooks and frees the weights.
 */
public final class DynamicUnet extends Module {
    private final List<Module> layers = new ArrayList<>();
    private final Hooks<NDArray> sfs;
    private final int nOut;

    /** Options beyond the encoder and the output classes, fastai's defaults. */
    public record Config(boolean blur, boolean blurFinal, boolean selfAttention, boolean lastCross, boolean bottle) {
        /** fastai's defaults: no blur (blur_final true), no self-attention, last cross connection, no bottleneck. */
        public static Config defaults() {
            return new Config(false, true, false, true, false);
        }

        public Config withBlur(boolean b) {
            return new Config(b, blurFinal, selfAttention, lastCross, bottle);
        }

        public Config withSelfAttention(boolean b) {
            return new Config(blur, blurFinal, b, lastCross, bottle);
        }

        public Config withLastCross(boolean b) {
            return new Config(blur, blurFinal, selfAttention, b, bottle);
        }
    }

    /**
     * Builds the U-Net around {@code encoder}.
     *
     * @param nIn channels of the input images
     * @param imgHeight height of the images the model is sized on (fastai's {@code img_size})
     */
    public DynamicUnet(NDManager m, Sequential encoder, int nIn, int nOut, int imgHeight, int imgWidth, Config cfg) {
        this.nOut = nOut;
        List<long[]> sizes = modelSizes(encoder, nIn, imgHeight, imgWidth);
        List<Integer> changes = sizeChangeIndices(sizes);
        List<Module> hooked = new ArrayList<>();
        for (int idx : changes) {
            hooked.add(encoder.get(idx));
        }
        sfs = Hooks.hookOutputs(hooked, false).perThread();
        try {
            int ni = (int) sizes.get(sizes.size() - 1)[1];
            add("0", encoder);
            add("1", new BatchNorm(m, ni));
            add("2", Layers.relu());
            add("3", new Sequential(UnetLayers.convLayer(m, ni, ni * 2, 3, true),
                    UnetLayers.convLayer(m, ni * 2, ni, 3, true)));
            int x = ni;
            for (int i = 0; i < changes.size(); i++) {
                boolean notFinal = i != changes.size() - 1;
                int xIn = (int) sizes.get(changes.get(i))[1];
                boolean doBlur = cfg.blur() && (notFinal || cfg.blurFinal());
                boolean sa = cfg.selfAttention() && i == changes.size() - 3;
                UnetBlock block = new UnetBlock(m, x, xIn, sfs.get(i), notFinal, doBlur, sa);
                add(Integer.toString(layers.size()), block);
                x = block.outChannels();
            }
            long[] first = sizes.get(0);
            if (first[2] != imgHeight || first[3] != imgWidth) {
                add(Integer.toString(layers.size()), new PixelShuffleIcnr(m, x, x, 2, false));
            }
            add(Integer.toString(layers.size()), new ResizeToOrig());
            if (cfg.lastCross()) {
                add(Integer.toString(layers.size()), new MergeLayer());
                x += nIn;
                add(Integer.toString(layers.size()), new ResBlock(m, x, cfg.bottle() ? x / 2 : x));
                x = cfg.bottle() ? x / 2 : x;
            }
            Sequential last = UnetLayers.convLayer(m, x, nOut, 1, false);
            add(Integer.toString(layers.size()), last);
        } catch (RuntimeException e) {
            sfs.close();
            throw e;
        }
    }

    private void add(String name, Module m) {
        register(name, m);
        layers.add(m);
    }

    /** Number of output channels (classes). */
    public int nOut() {
        return nOut;
    }

    /** The encoder (child "0"). */
    public Sequential encoder() {
        return (Sequential) layers.get(0);
    }

    /** The decoder's blocks, deepest first. */
    public List<UnetBlock> blocks() {
        return layers.stream().filter(UnetBlock.class::isInstance).map(UnetBlock.class::cast).toList();
    }

    /** fastai's {@code SequentialEx}: every layer sees the model's input as {@code orig}. */
    @Override
    public NDArray forward(NDArray x) {
        NDArray res = x;
        for (Module l : layers) {
            res = l instanceof OrigAware ? l.call(new NDList(res, x)) : l.call(res);
        }
        return res;
    }

    /** Output shapes (N, C, H, W) of each child of {@code encoder} for a zero image, in evaluation mode. */
    static List<long[]> modelSizes(Sequential encoder, int nIn, int h, int w) {
        List<long[]> out = new ArrayList<>();
        boolean wasTraining = encoder.isTraining();
        encoder.eval();
        try (NoGrad ng = NoGrad.enter(); NDManager tmp = NDManager.newBaseManager();
                NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray x = tmp.zeros(new Shape(1, nIn, h, w));
            for (Module child : encoder.layers()) {
                x = child.call(x);
                if (x.getShape().dimension() != 4) {
                    throw new IllegalArgumentException("a U-Net encoder's stages must give (N, C, H, W), "
                            + child.typeName() + " gave " + x.getShape());
                }
                out.add(x.getShape().getShape());
            }
        } finally {
            encoder.train(wasTraining);
        }
        return out;
    }

    /** fastai's {@code _get_sz_change_idxs}, reversed: stages after which the width changes, deepest first. */
    static List<Integer> sizeChangeIndices(List<long[]> sizes) {
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < sizes.size() - 1; i++) {
            if (sizes.get(i)[3] != sizes.get(i + 1)[3]) {
                idx.add(0, i);
            }
        }
        return idx;
    }

    /** Removes the cross-connection hooks and frees the weights. */
    @Override
    public void close() {
        sfs.close();
        super.close();
    }

    /** A layer that also sees the model's input ({@code inputs = [x, orig]}). */
    private abstract static class OrigAware extends Module {
        @Override
        public NDArray forward(NDArray x) {
            throw new UnsupportedOperationException(typeName() + " needs the U-Net's input too");
        }
    }

    /** fastai's {@code ResizeToOrig}: nearest resize to the input's height and width when they differ. */
    static final class ResizeToOrig extends OrigAware {
        @Override
        public NDArray forward(NDList inputs) {
            NDArray x = inputs.get(0);
            Shape o = inputs.get(1).getShape();
            return UnetLayers.nearest(x, o.get(2), o.get(3));
        }
    }

    /** fastai's {@code MergeLayer(dense=True)}: the input concatenated on the channel axis. */
    static final class MergeLayer extends OrigAware {
        @Override
        public NDArray forward(NDList inputs) {
            return inputs.get(0).concat(inputs.get(1), 1);
        }
    }
}

package ai.fastai4j.vision.models.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.pooling.Pool;
import ai.fastai4j.nn.Conv2d;
import ai.fastai4j.nn.Layers;
import ai.fastai4j.nn.Module;
import ai.fastai4j.nn.Parameter;
import ai.fastai4j.nn.Sequential;

/** fastai's layers the U-Net is made of ({@code fastai/layers.py}), and the tensor operations they need. */
public final class UnetLayers {
    private UnetLayers() {}

    /**
     * fastai's {@code ConvLayer(ni, nf, ks, norm_type=None)}: a convolution with bias (padding {@code ks / 2}),
     * then ReLU when {@code relu}; children "0" (conv) and "1" (ReLU). Kaiming-normal weights (fan-in, ReLU gain,
     * fastai's {@code apply_init} of the U-Net), zero bias.
     */
    public static Sequential convLayer(NDManager m, int ni, int nf, int ks, boolean relu) {
        Conv2d conv = new Conv2d(m, ni, nf, ks, 1, (ks - 1) / 2, true);
        kaimingNormal(m, conv.weight());
        zero(m, conv.ownParameters().get("bias"));
        Sequential s = new Sequential(conv);
        if (relu) {
            s.add(Layers.relu());
        }
        return s;
    }

    /** PyTorch's {@code kaiming_normal_} (fan-in, ReLU gain): N(0, 2 / fan_in). */
    static void kaimingNormal(NDManager m, Parameter p) {
        Shape s = p.data().getShape();
        long fanIn = s.size() / s.get(0);
        try (NDArray v = m.randomNormal(0f, (float) Math.sqrt(2.0 / fanIn), s, DataType.FLOAT32)) {
            p.copyFrom(v);
        }
    }

    static void zero(NDManager m, Parameter p) {
        try (NDArray v = m.zeros(p.data().getShape(), p.data().getDataType())) {
            p.copyFrom(v);
        }
    }

    /**
     * PyTorch's {@code pixel_shuffle}: (N, C r^2, H, W) to (N, C, H r, W r), output channel c at sub-pixel
     * (i, j) of each r x r block taking input channel {@code c r^2 + i r + j}.
     */
    public static NDArray pixelShuffle(NDArray x, int r) {
        Shape s = x.getShape();
        long n = s.get(0);
        long c = s.get(1) / ((long) r * r);
        if (c * r * r != s.get(1)) {
            throw new IllegalArgumentException("pixel shuffle by " + r + " needs channels divisible by " + r * r
                    + ", got " + s);
        }
        long h = s.get(2);
        long w = s.get(3);
        return x.reshape(n, c, r, r, h, w).transpose(0, 1, 4, 2, 5, 3).reshape(n, c, h * r, w * r);
    }

    /**
     * fastai's {@code icnr_init}: a weight of {@code shape} (out = nf scale^2, in, kh, kw) whose output channels
     * come in groups of {@code scale^2} equal kernels (out channel {@code j scale^2 + k} is kernel j), so that
     * after a pixel shuffle the sub-pixels of each block start equal (no checkerboard). The kernels are
     * Kaiming-normal (fan-in).
     */
    public static NDArray icnr(NDManager m, Shape shape, int scale) {
        long out = shape.get(0);
        long r2 = (long) scale * scale;
        if (out % r2 != 0) {
            throw new IllegalArgumentException("ICNR needs output channels divisible by " + r2 + ", got " + shape);
        }
        long in = shape.get(1);
        long kh = shape.get(2);
        long kw = shape.get(3);
        float std = (float) Math.sqrt(2.0 / (in * kh * kw));
        NDArray base = m.randomNormal(0f, std, new Shape(out / r2, 1, in, kh, kw), DataType.FLOAT32);
        return base.repeat(1, r2).reshape(shape);
    }

    /**
     * Nearest-neighbour resize of (N, C, H, W) to (N, C, h, w) with PyTorch's {@code interpolate(mode='nearest')}
     * rule (source index {@code floor(i * H / h)}); differentiable (a gather).
     */
    public static NDArray nearest(NDArray x, long h, long w) {
        Shape s = x.getShape();
        NDArray y = x;
        if (s.get(2) != h) {
            y = y.get(new NDIndex(":, :, {}", indices(x.getManager(), s.get(2), h)));
        }
        if (s.get(3) != w) {
            y = y.get(new NDIndex(":, :, :, {}", indices(x.getManager(), s.get(3), w)));
        }
        return y;
    }

    private static NDArray indices(NDManager m, long in, long out) {
        long[] idx = new long[(int) out];
        for (int i = 0; i < out; i++) {
            idx[i] = Math.min(in - 1, (long) Math.floor(i * (double) in / out));
        }
        return m.create(idx);
    }

    /** fastai's blur after a pixel shuffle: {@code ReplicationPad2d((1, 0, 1, 0))} then {@code AvgPool2d(2, 1)}. */
    public static Module blur() {
        return Layers.lambda("Blur", x -> {
            NDArray padded = NDArrays.concat(new NDList(x.get(new NDIndex(":, :, 0:1, :")), x), 2);
            padded = NDArrays.concat(new NDList(padded.get(new NDIndex(":, :, :, 0:1")), padded), 3);
            return Pool.avgPool2d(padded, new Shape(2, 2), new Shape(1, 1), new Shape(0, 0), false, true);
        });
    }
}

package ai.fastai4j.vision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.fastai4j.data.DataException;
import ai.fastai4j.data.HostTensor;
import ai.fastai4j.data.ImageRenderer;
import ai.fastai4j.data.TensorKind;
import ai.fastai4j.data.Transform;
import ai.fastai4j.data.TransformBlock;
import ai.fastai4j.data.VocabHolder;
import ai.fastai4j.losses.LossFunction;
import ai.fastai4j.losses.Losses;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * fastai's {@code MaskBlock(codes)}: a segmentation target. Raw values (mask PNG paths, palette or grey, whose
 * pixel values are class codes; encoded bytes; Java2D images; {@link Mask}s) become {@link Mask}s on the loader
 * threads, are collated to an int64 (N, H, W) batch, and the loss is fastai's
 * {@code CrossEntropyLossFlat(axis=1)}. The codes name the classes: code {@code i} is {@code codes.get(i)}.
 */
public final class MaskBlock implements TransformBlock, ImageRenderer {
    private final List<String> codes;

    private MaskBlock(List<String> codes) {
        this.codes = List.copyOf(codes);
        if (this.codes.isEmpty() || this.codes.size() > 256) {
            throw new IllegalArgumentException("a mask needs 1 to 256 codes, got " + this.codes.size());
        }
    }

    /** A mask whose pixel values 0..codes.size()-1 are the classes {@code codes}. */
    public static MaskBlock of(List<String> codes) {
        return new MaskBlock(Objects.requireNonNull(codes, "codes"));
    }

    public List<String> codes() {
        return codes;
    }

    @Override
    public List<Transform<?, ?>> typeTransforms() {
        return List.of(new LoadMask(codes));
    }

    @Override
    public TensorKind kind() {
        return TensorKind.MASK;
    }

    @Override
    public HostTensor collate(List<Object> values) {
        Mask first = (Mask) values.get(0);
        int h = first.height();
        int w = first.width();
        ByteBuffer buf = HostTensor.allocate(8L * values.size() * h * w);
        for (Object o : values) {
            Mask m = (Mask) o;
            if (m.height() != h || m.width() != w) {
                throw new DataException("masks in a batch differ in size (" + first + " and " + m
                        + "): add an item transform such as Resize.squish(size)");
            }
            for (byte b : m.codes()) {
                buf.putLong(b & 0xff);
            }
        }
        return new HostTensor(buf, new Shape(values.size(), h, w), DataType.INT64, TensorKind.MASK);
    }

    @Override
    public Optional<LossFunction> defaultLoss() {
        return Optional.of(Losses.crossEntropy());
    }

    /** Row {@code i} of an (N, H, W) tensor of codes (targets, or decoded predictions) as a {@link Mask}. */
    @Override
    public Object fromTensor(NDArray tensor, int i) {
        NDArray row = tensor.get(i).toType(DataType.INT32, false);
        Shape s = row.getShape();
        int[] v = row.toIntArray();
        byte[] out = new byte[v.length];
        for (int k = 0; k < v.length; k++) {
            out[k] = (byte) v[k];
        }
        return new Mask((int) s.get(0), (int) s.get(1), out);
    }

    @Override
    public String show(Object decoded) {
        return decoded instanceof Mask m ? m.toString() : String.valueOf(decoded);
    }

    /** The mask's codes in {@link Mask#PALETTE} colours. */
    @Override
    public BufferedImage render(NDArray decodedBatchTensor, int i) {
        return ((Mask) fromTensor(decodedBatchTensor, i)).toColorImage();
    }

    @Override
    public String name() {
        return "MaskBlock(" + codes.size() + " codes)";
    }

    /** Decodes a raw value into a {@link Mask}, checking that every code names a class. */
    public static final class LoadMask implements Transform<Object, Mask>, VocabHolder {
        private final List<String> codes;

        LoadMask(List<String> codes) {
            this.codes = codes;
        }

        @Override
        public Mask encode(Object input) {
            Mask m;
            String source;
            if (input instanceof Mask mask) {
                m = mask;
                source = mask.toString();
            } else if (input instanceof Path p) {
                m = Mask.fromBufferedImage(ImageFiles.readBuffered(p), p.toString());
                source = p.toString();
            } else if (input instanceof BufferedImage b) {
                m = Mask.fromBufferedImage(b, "(image)");
                source = "(image)";
            } else if (input instanceof byte[] bytes) {
                source = "(" + bytes.length + " bytes)";
                m = Mask.fromBufferedImage(ImageFiles.decodeBuffered(bytes, source), source);
            } else {
                throw new DataException("cannot make a mask from "
                        + (input == null ? "null" : input.getClass().getName()));
            }
            int max = m.maxCode();
            if (max >= codes.size()) {
                throw new DataException("mask " + source + " holds code " + max + " but there are only "
                        + codes.size() + " codes (0.." + (codes.size() - 1) + ")");
            }
            return m;
        }

        @Override
        public Object decode(Mask output) {
            return output;
        }

        @Override
        public List<String> vocab() {
            return codes;
        }

        @Override
        public String name() {
            return "LoadMask(" + codes.size() + " codes)";
        }
    }
}

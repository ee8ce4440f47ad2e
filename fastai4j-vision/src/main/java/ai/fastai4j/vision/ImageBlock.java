package ai.fastai4j.vision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.fastai4j.data.BatchTransform;
import ai.fastai4j.data.DataException;
import ai.fastai4j.data.HostTensor;
import ai.fastai4j.data.ImageRenderer;
import ai.fastai4j.data.TensorKind;
import ai.fastai4j.data.Transform;
import ai.fastai4j.data.TransformBlock;
import ai.fastai4j.plot.ImageGrid;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/**
 * An image input: raw values (file paths, encoded bytes, Java2D images or {@link Image}s) are decoded on the
 * loader threads, collated to a uint8 (N, C, H, W) batch, and turned into floats in [0, 1] on the batch.
 */
public final class ImageBlock implements TransformBlock, ImageRenderer {
    private final int channels;

    private ImageBlock(int channels) {
        this.channels = channels;
    }

    /** Colour images (3 channels; grey files are converted). */
    public static ImageBlock rgb() {
        return new ImageBlock(3);
    }

    /** Grey images (1 channel; colour files are converted). */
    public static ImageBlock grey() {
        return new ImageBlock(1);
    }

    public int channels() {
        return channels;
    }

    @Override
    public List<Transform<?, ?>> typeTransforms() {
        return List.of(new LoadImage(channels));
    }

    @Override
    public TensorKind kind() {
        return TensorKind.IMAGE;
    }

    @Override
    public HostTensor collate(List<Object> values) {
        Image first = (Image) values.get(0);
        int h = first.height();
        int w = first.width();
        int c = first.channels();
        int plane = h * w;
        ByteBuffer buf = HostTensor.allocate((long) values.size() * c * plane);
        byte[] chw = new byte[c * plane];
        for (Object o : values) {
            Image img = (Image) o;
            if (img.height() != h || img.width() != w || img.channels() != c) {
                throw new DataException("images in a batch differ in size (" + first + " and " + img
                        + "): add an item transform such as Resize.squish(size)");
            }
            byte[] px = img.pixels();
            if (c == 1) {
                buf.put(px);
            } else {
                for (int i = 0; i < plane; i++) {
                    chw[i] = px[3 * i];
                    chw[plane + i] = px[3 * i + 1];
                    chw[2 * plane + i] = px[3 * i + 2];
                }
                buf.put(chw);
            }
        }
        return new HostTensor(buf, new Shape(values.size(), c, h, w), DataType.UINT8, TensorKind.IMAGE);
    }

    @Override
    public List<BatchTransform> batchTransforms() {
        return List.of(new IntToFloatTensor());
    }

    @Override
    public BufferedImage render(NDArray decodedBatchTensor, int i) {
        NDArray x = decodedBatchTensor.get(i).toType(DataType.FLOAT32, false);
        Shape s = x.getShape();
        float[] px = x.toFloatArray();
        if (decodedBatchTensor.getDataType() == DataType.UINT8) {
            for (int k = 0; k < px.length; k++) {
                px[k] /= 255f;
            }
        }
        return ImageGrid.fromChwFloat(px, (int) s.get(0), (int) s.get(1), (int) s.get(2));
    }

    @Override
    public String name() {
        return channels == 1 ? "ImageBlock(grey)" : "ImageBlock(rgb)";
    }

    /** Decodes a raw value into an {@link Image} with the block's channel count. */
    public static final class LoadImage implements Transform<Object, Image> {
        private final int channels;

        public LoadImage(int channels) {
            this.channels = channels;
        }

        @Override
        public Image encode(Object input) {
            if (input instanceof Image img) {
                return img.channels() == channels ? img : Image.fromBufferedImage(img.toBufferedImage(), channels);
            }
            if (input instanceof Path p) {
                return ImageFiles.read(p, channels);
            }
            if (input instanceof BufferedImage b) {
                return Image.fromBufferedImage(b, channels);
            }
            if (input instanceof byte[] bytes) {
                return ImageFiles.decode(bytes, channels, "(" + bytes.length + " bytes)");
            }
            throw new DataException("cannot make an image from " + (input == null ? "null" : input.getClass().getName()));
        }

        @Override
        public Object decode(Image output) {
            return output;
        }

        @Override
        public String name() {
            return "LoadImage(channels=" + channels + ")";
        }
    }
}

package ai.fastai4j.data;

import ai.djl.ndarray.NDArray;
import ai.fastai4j.plot.ImageGrid;
import java.awt.image.BufferedImage;
import java.util.List;

/**
 * Test-only input block: a {@link VectorBlock} that can also be drawn, each vector as a grey image of one row,
 * value v shown as (v + 4) / 8 (so -4..4 spans black to white).
 */
public final class PixelVectorBlock implements TransformBlock, ImageRenderer {
    private final VectorBlock vectors;

    public PixelVectorBlock(int dim) {
        this.vectors = VectorBlock.of(dim);
    }

    @Override
    public List<Transform<?, ?>> typeTransforms() {
        return vectors.typeTransforms();
    }

    @Override
    public TensorKind kind() {
        return vectors.kind();
    }

    @Override
    public HostTensor collate(List<Object> values) {
        return vectors.collate(values);
    }

    @Override
    public BufferedImage render(NDArray batch, int i) {
        float[] v = batch.get(i).toFloatArray();
        float[] px = new float[v.length];
        for (int k = 0; k < v.length; k++) {
            px[k] = (v[k] + 4) / 8;
        }
        return ImageGrid.fromChwFloat(px, 1, 1, v.length);
    }

    @Override
    public String name() {
        return "PixelVectorBlock";
    }
}

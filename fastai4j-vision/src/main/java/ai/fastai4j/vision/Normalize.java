package ai.fastai4j.vision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.fastai4j.data.Batch;
import ai.fastai4j.data.BatchTransform;
import ai.fastai4j.data.Split;
import ai.fastai4j.data.TensorKind;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Normalises image batches per channel: {@code (x - mean) / std}; decode reverses it. */
public final class Normalize implements BatchTransform {
    private final float[] mean;
    private final float[] std;

    private Normalize(float[] mean, float[] std) {
        if (mean.length != std.length || mean.length == 0) {
            throw new IllegalArgumentException("mean and std need the same, non-zero number of channels");
        }
        for (float s : std) {
            if (!(s > 0)) {
                throw new IllegalArgumentException("std must be positive, got " + s);
            }
        }
        this.mean = mean.clone();
        this.std = std.clone();
    }

    /** Per-channel statistics. */
    public static Normalize of(float[] mean, float[] std) {
        return new Normalize(mean, std);
    }

    /** ImageNet statistics (mean 0.485, 0.456, 0.406; std 0.229, 0.224, 0.225), used with pretrained weights. */
    public static Normalize imagenet() {
        return new Normalize(new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f});
    }

    /** MNIST statistics (0.131, 0.308), fastai's mnist_stats. */
    public static Normalize mnist() {
        return new Normalize(new float[] {0.131f}, new float[] {0.308f});
    }

    public float[] mean() {
        return mean.clone();
    }

    public float[] std() {
        return std.clone();
    }

    private NDArray stat(NDArray like, float[] v) {
        int c = (int) like.getShape().get(1);
        if (c != v.length && v.length != 1) {
            throw new IllegalArgumentException("Normalize has " + v.length + " channels, images have " + c);
        }
        return like.getManager().create(v, new Shape(1, v.length, 1, 1));
    }

    @Override
    public Batch encode(Batch batch, Split split) {
        return batch.mapInputs(TensorKind.IMAGE, x -> x.sub(stat(x, mean)).divi(stat(x, std)));
    }

    @Override
    public Batch decode(Batch batch) {
        return batch.mapInputs(TensorKind.IMAGE, x -> x.mul(stat(x, std)).addi(stat(x, mean)));
    }

    @Override
    public Map<String, Object> params() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mean", toList(mean));
        m.put("std", toList(std));
        return m;
    }

    private static List<Double> toList(float[] v) {
        Double[] d = new Double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = (double) v[i];
        }
        return List.of(d);
    }
}

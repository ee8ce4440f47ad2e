package ai.fastai4j.text.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.fastai4j.nn.Layers;
import ai.fastai4j.nn.Module;
import ai.fastai4j.nn.Sequential;
import java.util.List;

/**
 * fastai's {@code PoolingLinearClassifier}: concat pooling of the encoder's outputs over the non-padding
 * positions (the last one's output, the max and the mean: 3 * embSz features), then {@code LinBnDrop} layers
 * (BatchNorm, Dropout, Linear without bias; ReLU between) of sizes {@code dims}, e.g. [3*emb, 50, nClasses].
 */
public final class PoolingLinearClassifier extends Module {
    private final Sequential layers;

    /**
     * @param dims layer sizes, the first 3 * embSz
     * @param ps one dropout probability per linear layer (fastai: [output_p, 0.1])
     */
    public PoolingLinearClassifier(NDManager m, List<Integer> dims, List<Float> ps) {
        if (dims.size() < 2 || ps.size() != dims.size() - 1) {
            throw new IllegalArgumentException("need one dropout per layer: dims " + dims + ", ps " + ps);
        }
        this.layers = register("layers", new Sequential());
        for (int i = 0; i < dims.size() - 1; i++) {
            layers.add(Layers.linBnDrop(m, dims.get(i), dims.get(i + 1), true, ps.get(i), i < dims.size() - 2,
                    false));
        }
    }

    /** The head's output for encoded outputs (batch, len, emb) and their padding mask (batch, len). */
    public NDArray forward(NDArray output, NDArray padMask) {
        return layers.forward(concatPool(output, padMask));
    }

    /** [last non-padding output, max over non-padding, mean over non-padding], shape (batch, 3 * emb). */
    public static NDArray concatPool(NDArray output, NDArray padMask) {
        long len = output.getShape().get(1);
        NDArray keep = padMask.logicalNot();
        NDArray keepF = keep.toType(output.getDataType(), false);
        NDArray lens = keepF.sum(new int[] {1}).maximum(1f);
        NDArray avg = output.mul(keepF.expandDims(-1)).sum(new int[] {1}).div(lens.expandDims(-1));
        NDArray max = output.add(keepF.neg().add(1f).mul(-1e30f).expandDims(-1)).max(new int[] {1});
        NDArray positions = output.getManager().arange(0L, len, 1L, DataType.INT64);
        NDArray lastIdx = keep.toType(DataType.INT64, false).mul(positions).max(new int[] {1}); // (batch)
        long emb = output.getShape().get(2);
        NDArray gatherIdx = lastIdx.reshape(-1, 1, 1).broadcast(output.getShape().get(0), 1, emb);
        NDArray last = output.gather(gatherIdx, 1).reshape(-1, emb);
        return NDArrays.concat(new NDList(last, max, avg), 1);
    }

    @Override
    public NDArray forward(NDArray x) {
        throw new UnsupportedOperationException("PoolingLinearClassifier takes the encoder's output and mask");
    }
}

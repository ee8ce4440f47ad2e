package ai.fastai4j.tabular;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.fastai4j.data.Batch;
import ai.fastai4j.data.BatchTransform;
import ai.fastai4j.data.Split;
import ai.fastai4j.data.TensorKind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * fastai's {@code ReadTabBatch}: splits the collated (N, nCat + nCont) tensor of a {@link TabularBlock} into the
 * model's inputs, cats INT64 (N, nCat) and conts FLOAT32 (N, nCont). {@link #decode} joins them back.
 */
public final class ReadTabBatch implements BatchTransform {
    private final int nCat;
    private final int nCont;

    public ReadTabBatch(int nCat, int nCont) {
        if (nCat < 0 || nCont < 0) {
            throw new IllegalArgumentException("negative column counts");
        }
        this.nCat = nCat;
        this.nCont = nCont;
    }

    public int nCat() {
        return nCat;
    }

    public int nCont() {
        return nCont;
    }

    @Override
    public Batch encode(Batch batch, Split split) {
        if (batch.inputs().size() != 1) {
            return batch; // already split
        }
        NDArray x = batch.inputs().get(0);
        long w = x.getShape().get(1);
        if (w != nCat + nCont) {
            throw new IllegalStateException("a tabular batch has " + w + " columns, expected " + nCat + " + " + nCont);
        }
        NDList parts = x.split(new long[] {nCat}, 1);
        NDArray cats = parts.get(0).toType(DataType.INT64, false);
        NDArray conts = parts.get(1);
        return new Batch(List.of(cats, conts), List.of(TensorKind.OTHER, TensorKind.CONTINUOUS), batch.targets(),
                batch.targetKinds());
    }

    @Override
    public Batch decode(Batch batch) {
        if (batch.inputs().size() != 2) {
            return batch;
        }
        NDArray joined = batch.inputs().get(0).toType(DataType.FLOAT32, false).concat(batch.inputs().get(1), 1);
        List<NDArray> in = new ArrayList<>(List.of(joined));
        return new Batch(in, List.of(TensorKind.OTHER), batch.targets(), batch.targetKinds());
    }

    @Override
    public Map<String, Object> params() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("n_cat", nCat);
        m.put("n_cont", nCont);
        return m;
    }

    @Override
    public String name() {
        return "ReadTabBatch";
    }
}

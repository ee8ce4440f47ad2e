package ai.fastai4j.vision;

import ai.djl.ndarray.types.DataType;
import ai.fastai4j.data.Batch;
import ai.fastai4j.data.BatchTransform;
import ai.fastai4j.data.Split;
import ai.fastai4j.data.TensorKind;
import java.util.Map;

/** uint8 images to float32 in [0, 1] (divided by 255) and masks to int64, on the batch (fastai's IntToFloatTensor). */
public final class IntToFloatTensor implements BatchTransform {
    @Override
    public Batch encode(Batch batch, Split split) {
        return batch.map(TensorKind.IMAGE, x -> x.getDataType() == DataType.FLOAT32 ? x
                : x.toType(DataType.FLOAT32, false).divi(255f))
                .map(TensorKind.MASK, x -> x.toType(DataType.INT64, false));
    }

    @Override
    public Map<String, Object> params() {
        return Map.of("div", 255.0);
    }
}

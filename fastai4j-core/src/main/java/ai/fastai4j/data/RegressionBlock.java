package ai.fastai4j.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.fastai4j.losses.LossFunction;
import ai.fastai4j.losses.Losses;
import java.util.List;
import java.util.Optional;

/** A numeric target (one value per sample); loss: flattened MSE. Non-numeric values are errors. */
public final class RegressionBlock implements TransformBlock {

    public static RegressionBlock create() {
        return new RegressionBlock();
    }

    @Override
    public List<Transform<?, ?>> typeTransforms() {
        return List.of(new ToFloat());
    }

    @Override
    public TensorKind kind() {
        return TensorKind.CONTINUOUS;
    }

    @Override
    public HostTensor collate(List<Object> values) {
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ((Number) values.get(i)).floatValue();
        }
        return HostTensor.ofFloats(out, new Shape(out.length), TensorKind.CONTINUOUS);
    }

    @Override
    public Optional<LossFunction> defaultLoss() {
        return Optional.of(Losses.mse());
    }

    @Override
    public Object fromTensor(NDArray tensor, int i) {
        return tensor.get(i).toType(ai.djl.ndarray.types.DataType.FLOAT32, false).getFloat();
    }

    /** Parses numbers; NaN and non-numeric values are rejected with the value in the message. */
    static final class ToFloat implements Transform<Object, Float> {
        @Override
        public Float encode(Object input) {
            float v;
            if (input instanceof Number n) {
                v = n.floatValue();
            } else {
                try {
                    v = Float.parseFloat(String.valueOf(input).trim());
                } catch (NumberFormatException e) {
                    throw new DataException("target '" + input + "' is not a number");
                }
            }
            if (Float.isNaN(v)) {
                throw new DataException("target is NaN");
            }
            return v;
        }

        @Override
        public Object decode(Float output) {
            return output;
        }
    }
}

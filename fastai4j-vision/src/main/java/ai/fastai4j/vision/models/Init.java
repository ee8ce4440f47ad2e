package ai.fastai4j.vision.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.fastai4j.nn.BatchNorm;
import ai.fastai4j.nn.Parameter;

/** Initialisation helpers shared by the model factories of this package. */
final class Init {
    private Init() {}

    /** torchvision's BatchNorm init: weight 1 (0 when {@code zero}), bias 0. */
    static BatchNorm torchvisionBn(NDManager m, int features, boolean zero) {
        BatchNorm bn = zero ? BatchNorm.zeroInit(m, features) : new BatchNorm(m, features);
        fill(m, bn.bias(), 0f);
        return bn;
    }

    /** Overwrites {@code p} with a constant. */
    static void fill(NDManager m, Parameter p, float value) {
        try (NDArray v = m.full(p.data().getShape(), value, p.data().getDataType())) {
            p.copyFrom(v);
        }
    }

    /** PyTorch's {@code kaiming_normal_} with its defaults (fan-in, ReLU gain): std = sqrt(2 / fan_in). */
    static void kaimingNormalFanIn(NDManager m, Parameter p) {
        Shape s = p.data().getShape();
        long fanIn = s.size() / s.get(0);
        float std = (float) Math.sqrt(2.0 / fanIn);
        try (NDArray v = m.randomNormal(0f, std, s, DataType.FLOAT32)) {
            p.copyFrom(v);
        }
    }
}

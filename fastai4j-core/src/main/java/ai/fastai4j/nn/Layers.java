package ai.fastai4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.pooling.Pool;
import ai.fastai4j.engine.Kernels;
import java.util.function.UnaryOperator;

/** Parameter-free layers: activations, pooling, flatten, dropout, identity. */
public final class Layers {
    private Layers() {}

    /** A module that applies a function; {@code name} is shown in summaries. */
    public static Module lambda(String name, UnaryOperator<NDArray> fn) {
        return new Lambda(name, fn);
    }

    public static Module relu() {
        return lambda("ReLU", ai.djl.nn.Activation::relu);
    }

    public static Module identity() {
        return lambda("Identity", x -> x);
    }

    /** Flattens all axes but the batch axis. */
    public static Module flatten() {
        return lambda("Flatten", x -> x.reshape(x.getShape().get(0), -1));
    }

    public static Module maxPool2d(int kernel, int stride, int padding) {
        Shape k = new Shape(kernel, kernel);
        Shape s = new Shape(stride, stride);
        Shape p = new Shape(padding, padding);
        return lambda("MaxPool2d", x -> Pool.maxPool2d(x, k, s, p, false));
    }

    /** Adaptive average pooling to a fixed output size (1 = global). */
    public static Module adaptiveAvgPool2d(int size) {
        return lambda("AdaptiveAvgPool2d", x -> adaptiveAvgPool(x, size));
    }

    /** fastai's AdaptiveConcatPool2d: max pool and average pool concatenated on the channel axis. */
    public static Module adaptiveConcatPool2d() {
        return lambda("AdaptiveConcatPool2d",
                x -> NDArrays.concat(new ai.djl.ndarray.NDList(Pool.globalMaxPool2d(x), Pool.globalAvgPool2d(x)), 1)
                        .reshape(x.getShape().get(0), -1, 1, 1));
    }

    static NDArray adaptiveAvgPool(NDArray x, int size) {
        return Kernels.adaptiveAvgPool2d(x, size);
    }

    /**
     * fastai's {@code LinBnDrop}: with {@code linFirst}, Linear (no bias when there is a BatchNorm), ReLU,
     * BatchNorm1d(nOut), Dropout; otherwise BatchNorm1d(nIn), Dropout, Linear, ReLU. Dropout only when p is not 0,
     * ReLU only when {@code act}.
     */
    public static Sequential linBnDrop(ai.djl.ndarray.NDManager m, int nIn, int nOut, boolean bn, float p,
            boolean act, boolean linFirst) {
        java.util.List<Module> bnDrop = new java.util.ArrayList<>();
        if (bn) {
            bnDrop.add(new BatchNorm(m, linFirst ? nOut : nIn));
        }
        if (p != 0f) {
            bnDrop.add(dropout(p));
        }
        java.util.List<Module> lin = new java.util.ArrayList<>();
        lin.add(new Linear(m, nIn, nOut, !bn));
        if (act) {
            lin.add(relu());
        }
        Sequential s = new Sequential();
        (linFirst ? lin : bnDrop).forEach(s::add);
        (linFirst ? bnDrop : lin).forEach(s::add);
        return s;
    }

    /** Dropout with probability {@code p}, active only in training mode. */
    public static Module dropout(float p) {
        return new Dropout(p);
    }

    private static final class Lambda extends Module {
        private final String name;
        private final UnaryOperator<NDArray> fn;

        Lambda(String name, UnaryOperator<NDArray> fn) {
            this.name = name;
            this.fn = fn;
        }

        @Override
        public NDArray forward(NDArray x) {
            return fn.apply(x);
        }

        @Override
        public String typeName() {
            return name;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** Inverted dropout (PyTorch semantics). */
    public static final class Dropout extends Module {
        private final float p;

        Dropout(float p) {
            if (p < 0 || p >= 1) {
                throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + p);
            }
            this.p = p;
        }

        public float p() {
            return p;
        }

        @Override
        public NDArray forward(NDArray x) {
            if (!isTraining() || p == 0f) {
                return x;
            }
            return ai.djl.nn.norm.Dropout.dropout(x, p, true).singletonOrThrow();
        }
    }
}

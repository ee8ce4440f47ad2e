package ai.fastai4j.nn;

import ai.djl.ndarray.NDArray;
import ai.fastai4j.engine.NoGrad;
import java.util.Objects;

/**
 * A named tensor owned by a {@link Module}: a trainable weight, or a buffer such as BatchNorm's running
 * statistics. The data array is replaced in place by the optimizer, never swapped, so references stay valid.
 */
public final class Parameter implements AutoCloseable {

    /** What a parameter is; decides weight decay and whether it is trained at all. */
    public enum Kind {
        /** A weight of a linear, convolution or embedding layer. */
        WEIGHT,
        /** A bias of a linear or convolution layer: no weight decay by default. */
        BIAS,
        /** A normalisation layer's scale or shift: no weight decay by default, trains in a frozen body. */
        NORM,
        /** A non-trainable state tensor (running mean, running variance, counters). */
        BUFFER
    }

    private final String name;
    private final Kind kind;
    private NDArray data;
    private boolean trainable;

    Parameter(String name, Kind kind, NDArray data) {
        this.name = Objects.requireNonNull(name);
        this.kind = Objects.requireNonNull(kind);
        this.data = Objects.requireNonNull(data);
        this.trainable = kind != Kind.BUFFER;
        if (trainable) {
            data.setRequiresGradient(true);
        }
    }

    /** The local name inside its module, e.g. {@code weight}. */
    public String name() {
        return name;
    }

    public Kind kind() {
        return kind;
    }

    /** The live tensor. */
    public NDArray data() {
        return data;
    }

    /** Whether the optimizer updates this parameter (false for buffers and frozen weights). */
    public boolean isTrainable() {
        return trainable;
    }

    /** Freezes or unfreezes this parameter; buffers can never be trained. */
    public void setTrainable(boolean trainable) {
        if (kind == Kind.BUFFER || this.trainable == trainable) {
            return;
        }
        this.trainable = trainable;
        data.setRequiresGradient(trainable);
    }

    /** Whether weight decay applies by default (fastai: not on bias and normalisation parameters). */
    public boolean isBiasOrNorm() {
        return kind == Kind.BIAS || kind == Kind.NORM;
    }

    /**
     * Moves the tensor to {@code device} (a copy there replaces it; the old one is closed). Modules read
     * {@link #data()} at each forward, so they follow; an optimizer made before the move would not.
     */
    public void moveTo(ai.djl.Device device) {
        if (data.getDevice().equals(device)) {
            return;
        }
        NDArray moved;
        try (NoGrad noGrad = NoGrad.enter()) {
            moved = data.toDevice(device, true);
        }
        moved.attach(data.getManager());
        moved.setName(data.getName());
        if (trainable) {
            moved.setRequiresGradient(true);
        }
        data.close();
        data = moved;
    }

    /** Copies {@code values} into this parameter's tensor (shape must match). */
    public void copyFrom(NDArray values) {
        if (!values.getShape().equals(data.getShape())) {
            throw new IllegalArgumentException(
                    "shape mismatch for " + name + ": expected " + data.getShape() + ", got " + values.getShape());
        }
        try (NoGrad noGrad = NoGrad.enter()) {
            data.set(new ai.djl.ndarray.index.NDIndex("..."),
                    values.toType(data.getDataType(), false).toDevice(data.getDevice(), false));
        }
    }

    /** Zeroes the accumulated gradient (nothing when this parameter has none). */
    public void zeroGrad() {
        if (data.hasGradient()) {
            ai.fastai4j.engine.Gradients.zero(data);
        }
    }

    @Override
    public void close() {
        data.close();
    }

    @Override
    public String toString() {
        return name + " " + kind + " " + data.getShape() + (trainable ? "" : " (frozen)");
    }
}

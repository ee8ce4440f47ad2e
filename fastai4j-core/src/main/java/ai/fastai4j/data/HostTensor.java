package ai.fastai4j.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A collated batch tensor still in Java memory, prepared on a loader thread; {@link #toNDArray} copies it to
 * the engine on the training thread.
 */
public record HostTensor(ByteBuffer data, Shape shape, DataType dataType, TensorKind kind) {

    public NDArray toNDArray(NDManager manager) {
        data.rewind();
        return manager.create(data, shape, dataType);
    }

    /** A direct, native-order buffer of {@code bytes} bytes. */
    public static ByteBuffer allocate(long bytes) {
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("batch too large: " + bytes + " bytes");
        }
        return ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.nativeOrder());
    }

    public static HostTensor ofLongs(long[] values, TensorKind kind) {
        ByteBuffer b = allocate(8L * values.length);
        b.asLongBuffer().put(values);
        return new HostTensor(b, new Shape(values.length), DataType.INT64, kind);
    }

    public static HostTensor ofFloats(float[] values, Shape shape, TensorKind kind) {
        ByteBuffer b = allocate(4L * values.length);
        b.asFloatBuffer().put(values);
        return new HostTensor(b, shape, DataType.FLOAT32, kind);
    }
}

package ai.fastai4j.engine;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A one-element INT64 CPU array read and written in place through a direct view of its memory: no JNI call and
 * no temporary array per access (the optimizer's step counter). Valid while the array is open.
 */
public final class Int64Cell {

    private final ByteBuffer view;

    private Int64Cell(ByteBuffer view) {
        this.view = view;
    }

    /** A view of {@code a}, or null when it is not a one-element INT64 array in CPU memory the engine exposes. */
    public static Int64Cell of(NDArray a) {
        if (a.getDataType() != DataType.INT64 || a.size() != 1
                || !a.getDevice().getDeviceType().equals(Device.Type.CPU)) {
            return null;
        }
        ByteBuffer b = a.toByteBuffer(true);
        if (!b.isDirect() || b.capacity() != Long.BYTES) {
            return null;
        }
        return new Int64Cell(b.order(ByteOrder.nativeOrder()));
    }

    /** The value. */
    public long get() {
        return view.getLong(0);
    }

    /** Adds one and returns the new value. */
    public long increment() {
        long next = view.getLong(0) + 1;
        view.putLong(0, next);
        return next;
    }
}

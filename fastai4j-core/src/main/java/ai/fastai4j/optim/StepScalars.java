package ai.fastai4j.optim;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import java.util.HashMap;
import java.util.Map;

/**
 * The scalar operands of one {@link Optimizer#step()}: one 0-d array per distinct value, type and device, made on
 * first use and closed when the step ends. DJL turns every {@code muli(float)} into a fresh native scalar (a
 * direct buffer, a tensor, a close: about 20 us); with the hyper-parameters shared by all parameters of a group,
 * a step needs a handful of distinct scalars, not several per parameter. The arrays are the ones DJL would make
 * ({@code manager.create(float)} / {@code create(long)}), so results are bit for bit the same.
 */
final class StepScalars implements AutoCloseable {

    private record Key(Device device, DataType type, long bits) {
    }

    private final Map<Key, NDArray> cache = new HashMap<>();

    /** A 0-d FLOAT32 array holding {@code value} on {@code like}'s device. */
    NDArray of(NDManager like, float value) {
        return cache.computeIfAbsent(new Key(like.getDevice(), DataType.FLOAT32, Float.floatToIntBits(value)),
                k -> detached(like.create(value)));
    }

    /** A 0-d INT64 array holding {@code value} on {@code like}'s device. */
    NDArray of(NDManager like, long value) {
        return cache.computeIfAbsent(new Key(like.getDevice(), DataType.INT64, value),
                k -> detached(like.create(value)));
    }

    private static NDArray detached(NDArray a) {
        NDScope.unregister(a); // lives for the whole step, not for one parameter's scope
        return a;
    }

    /** Number of distinct scalars made so far (for tests). */
    int size() {
        return cache.size();
    }

    @Override
    public void close() {
        cache.values().forEach(NDArray::close);
        cache.clear();
    }
}

package ai.fastai4j.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * Autocast-style half precision on CUDA (torch's {@code autocast(dtype=float16)} for the layers that gain from it):
 * while a thread is inside {@code try (Autocast a = Autocast.enter()) {...}}, convolutions and linear layers cast
 * their FLOAT32 input and weights to FLOAT16 ({@link #half}), normalisation layers run in FLOAT32
 * ({@link #full}). The weights stay FLOAT32: the casts are differentiable, so gradients reach them in FLOAT32.
 *
 * <p>Never on the CPU: {@link #half} leaves arrays that are not on a GPU alone (half-precision CPU kernels abort the
 * JVM), so entering autocast on a CPU-only model changes nothing.
 */
public final class Autocast implements AutoCloseable {

    private static final ThreadLocal<Boolean> ON = ThreadLocal.withInitial(() -> Boolean.FALSE);

    private final boolean previous;
    private boolean closed;

    private Autocast(boolean previous) {
        this.previous = previous;
    }

    /** Turns autocast on for this thread until {@link #close()}. */
    public static Autocast enter() {
        boolean was = ON.get();
        ON.set(Boolean.TRUE);
        return new Autocast(was);
    }

    /** Whether autocast is on for this thread. */
    public static boolean isEnabled() {
        return ON.get();
    }

    /** {@code a} as FLOAT16 when autocast is on and {@code a} is a FLOAT32 array on a GPU, else {@code a} itself. */
    public static NDArray half(NDArray a) {
        if (a == null || !ON.get() || a.getDataType() != DataType.FLOAT32 || !a.getDevice().isGpu()) {
            return a;
        }
        return a.toType(DataType.FLOAT16, false);
    }

    /** {@code a} as FLOAT32 when it is FLOAT16 (for layers autocast runs in full precision), else {@code a}. */
    public static NDArray full(NDArray a) {
        return a != null && a.getDataType() == DataType.FLOAT16 ? a.toType(DataType.FLOAT32, false) : a;
    }

    /** Restores the state found by {@link #enter()}; a second call does nothing. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            ON.set(previous);
        }
    }
}

package ai.fastai4j.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * The native engine, libtorch through DJL: autograd mode and thread pools. Grad mode is per thread in PyTorch;
 * prefer {@link NoGrad} to switching it by hand.
 */
public final class Torch {

    private Torch() {
    }

    /** Whether autograd records operations on this thread. */
    public static boolean isGradEnabled() {
        return JniUtils.isGradMode();
    }

    /** Turns autograd recording on or off for this thread. */
    public static void setGradEnabled(boolean enabled) {
        JniUtils.setGradMode(enabled);
    }

    /** Whether {@code a} is a tensor of this engine, which the {@link Kernels} and {@link Gradients} accept. */
    public static boolean isNative(NDArray a) {
        return a instanceof PtNDArray;
    }

    /** Threads one operator may use (PyTorch's intra-op pool). */
    public static int intraOpThreads() {
        return JniUtils.getNumThreads();
    }

    /** Threads running independent operators in parallel (PyTorch's inter-op pool). */
    public static int interOpThreads() {
        return JniUtils.getNumInteropThreads();
    }

    /** Sets the intra-op pool size for the whole process. */
    public static void setIntraOpThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("intra-op threads must be at least 1, got " + threads);
        }
        JniUtils.setNumThreads(threads);
    }

    /** The folder libtorch was loaded from (a natives jar's cache, or {@code PYTORCH_LIBRARY_PATH}). */
    public static String libraryPath() {
        ai.djl.engine.Engine.getInstance(); // loads it
        return ai.djl.pytorch.jni.LibUtils.getLibtorchPath();
    }

    /** One line naming the engine, its version and its thread pools, for logs and benchmarks. */
    public static String describe() {
        ai.djl.engine.Engine e = ai.djl.engine.Engine.getInstance();
        return e.getEngineName() + " " + e.getVersion() + ", intra-op threads " + intraOpThreads() + ", inter-op "
                + interOpThreads();
    }
}

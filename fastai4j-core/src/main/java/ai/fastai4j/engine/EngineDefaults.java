package ai.fastai4j.engine;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;

/**
 * Thread settings that share a machine well, for applications to apply before the engine loads (libtorch and its
 * OpenMP runtime read them once, when they load). The {@code fastai4j} command line applies them first thing;
 * the library alone applies nothing.
 *
 * <p>{@link #apply()} sets, unless the environment already has it, {@code OMP_WAIT_POLICY=PASSIVE}: the engine's
 * OpenMP threads sleep when they run out of work instead of spinning. On a busy machine spinning threads take the
 * cores the other threads of the same operator wait for: a small tabular fit on a shared 2-core machine took a
 * median 36.9 s with libtorch's defaults (2 intra-op threads, spinning), 6.3 s with 1 thread and 2.4 s with 2
 * passive threads (bench/README.md, "Threads"). A passive wait costs a thread wake-up per parallel region. The intra-op thread
 * count stays libtorch's (one per physical core; {@code -Dai.djl.pytorch.num_threads=N} to change it), the
 * inter-op pool DJL's (1; {@code -Dai.djl.pytorch.num_interop_threads}).
 */
public final class EngineDefaults {

    /** The OpenMP variable {@link #apply()} sets. */
    public static final String OMP_WAIT_POLICY = "OMP_WAIT_POLICY";

    private EngineDefaults() {
    }

    interface LibC extends Library {
        int setenv(String name, String value, int overwrite);
    }

    /**
     * Sets {@code OMP_WAIT_POLICY=PASSIVE} in this process's environment unless it is set already. Takes effect only
     * if the engine has not loaded yet: call it at the start of {@code main}.
     *
     * @return whether the policy is PASSIVE now (false on platforms where the environment cannot be changed, or when
     *         the user chose another policy)
     */
    public static synchronized boolean apply() {
        String current = System.getenv(OMP_WAIT_POLICY);
        if (current != null) {
            return "PASSIVE".equalsIgnoreCase(current);
        }
        if (Platform.isWindows()) {
            return false;
        }
        try {
            return Native.load("c", LibC.class).setenv(OMP_WAIT_POLICY, "PASSIVE", 0) == 0;
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            return false;
        }
    }
}

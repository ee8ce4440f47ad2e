package ai.fastai4j.engine;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;

/**
 * Tunes glibc's allocator for training, once per process, and gives its free memory back between epochs.
 *
 * <p>{@link #tuneMalloc()}: large activations come from the heap rather than fresh {@code mmap}s, and a
 * {@linkplain #TOP_PAD top pad} of 64 MiB keeps glibc from unmapping (and the next step from faulting in again)
 * whole 64 MiB heaps of the training thread's arena after every step: 15-60x fewer page faults and 9-16% faster
 * steps (bench/README.md). Equivalent to starting the JVM with {@code MALLOC_MMAP_THRESHOLD_=33554432
 * MALLOC_TRIM_THRESHOLD_=17179869184 MALLOC_TOP_PAD_=67108864}, but it reaches library users too, through
 * {@code mallopt} (JNA ships with DJL). Skipped on other platforms, or when the system property
 * {@code fastai4j.malloc.tune=false} is set.
 *
 * <p>{@link #trim()}: glibc keeps what training frees (a 60k-image epoch left 3 GB resident with 80 MiB in use);
 * {@code malloc_trim(0)}, which the Learner calls after each epoch and after fit, returns it (about 310 MiB
 * resident after each epoch). Turned off by the system property {@code fastai4j.malloc.trim=false}.
 */
public final class NativeMemory {
    private static final int M_TRIM_THRESHOLD = -1;
    private static final int M_TOP_PAD = -2;
    private static final int M_MMAP_THRESHOLD = -3;
    /** Allocations up to 32 MiB come from the heap, not fresh mappings. */
    public static final int MMAP_THRESHOLD = 32 * 1024 * 1024;
    /** Freed heap memory is returned to the system only above 2 GiB of slack (mallopt takes an int). */
    public static final int TRIM_THRESHOLD = Integer.MAX_VALUE;
    /** Every heap grows, and stays, 64 MiB (a thread arena's heap size) beyond what is asked. */
    public static final int TOP_PAD = 64 * 1024 * 1024;

    private static volatile Boolean tuned;
    private static volatile LibC libc;
    private static volatile boolean trimBroken;

    private NativeMemory() {}

    interface LibC extends Library {
        int mallopt(int param, int value);

        int malloc_trim(long pad);
    }

    private static LibC libc() {
        LibC c = libc;
        if (c == null) {
            c = Native.load("c", LibC.class);
            libc = c;
        }
        return c;
    }

    /** Applies the tuning once; returns whether it is in effect. */
    public static synchronized boolean tuneMalloc() {
        if (tuned != null) {
            return tuned;
        }
        boolean ok = false;
        if (Platform.isLinux() && !Boolean.getBoolean("fastai4j.malloc.notune")
                && !"false".equalsIgnoreCase(System.getProperty("fastai4j.malloc.tune"))) {
            try {
                LibC c = libc();
                ok = c.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1 & c.mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1
                        & c.mallopt(M_TOP_PAD, TOP_PAD) == 1;
            } catch (UnsatisfiedLinkError | RuntimeException e) {
                ok = false;
            }
        }
        tuned = ok;
        return ok;
    }

    /** Whether {@link #trim()} is on: Linux, and the system property {@code fastai4j.malloc.trim} is not false. */
    public static boolean trimEnabled() {
        return Platform.isLinux() && !trimBroken
                && !"false".equalsIgnoreCase(System.getProperty("fastai4j.malloc.trim"));
    }

    /**
     * Returns the allocator's free memory to the system ({@code malloc_trim(0)}: every arena, free pages in the
     * middle of heaps too). Measured: 58 ms to give back 600 MiB of holes, 8 ms when there is nothing to give;
     * the memory it gives back is faulted in again when used (once per epoch: noise next to an epoch's steps).
     * Does nothing when {@link #trimEnabled() off} or unavailable (then it stays off for the process).
     *
     * @return whether memory was given back
     */
    public static boolean trim() {
        if (!trimEnabled()) {
            return false;
        }
        try {
            return libc().malloc_trim(0) == 1;
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            trimBroken = true; // not glibc: don't try again
            return false;
        }
    }

    /** Resident set size of this process in bytes (Linux), or -1 when unknown. */
    public static long residentBytes() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    String[] parts = line.trim().split("\\s+");
                    return Long.parseLong(parts[1]) * 1024;
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}

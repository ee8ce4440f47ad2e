package ai.fastai4j.engine;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;

/**
 * glibc allocator tuning for training, and giving its free memory back between epochs: only where the application
 * asks for it. Loading fastai4j changes nothing in the process; the one switch is the system property
 * {@value #PROPERTY}{@code =true} (the {@code fastai4j} command line sets it), which is the default of
 * {@code Learner.Builder.tuneNativeMemory}. A learner built with it on calls {@link #tuneMalloc()} once and
 * {@link #trim()} after each epoch and fit.
 *
 * <p>{@link #tuneMalloc()}: large activations come from the heap rather than fresh {@code mmap}s, and a
 * {@linkplain #TOP_PAD top pad} of 64 MiB keeps glibc from unmapping (and the next step from faulting in again)
 * whole 64 MiB heaps of the training thread's arena after every step: 15-60x fewer page faults and 9-16% faster
 * steps (bench/README.md). Through {@code mallopt} (JNA ships with DJL), for the whole process; the same as
 * starting the JVM with {@code MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=17179869184
 * MALLOC_TOP_PAD_=67108864}. Linux (glibc) only; elsewhere it does nothing.
 *
 * <p>{@link #trim()}: glibc keeps what training frees (a 60k-image epoch left 3 GB resident with 80 MiB in use);
 * {@code malloc_trim(0)} returns it (about 310 MiB resident after each epoch).
 */
public final class NativeMemory {
    /** The system property that turns tuning and trimming on for learners ({@code true}; off by default). */
    public static final String PROPERTY = "fastai4j.malloc.tune";

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
    private static volatile boolean unavailable;

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

    /** Whether the application asked for tuning: the system property {@value #PROPERTY} is {@code true}. */
    public static boolean requested() {
        return Boolean.getBoolean(PROPERTY);
    }

    /** Whether {@link #tuneMalloc()} has tuned the allocator in this process. */
    public static boolean isTuned() {
        return Boolean.TRUE.equals(tuned);
    }

    /** Tunes glibc's allocator for the whole process, once; returns whether the tuning is in effect. */
    public static synchronized boolean tuneMalloc() {
        if (tuned != null) {
            return tuned;
        }
        boolean ok = false;
        if (Platform.isLinux() && !unavailable) {
            try {
                LibC c = libc();
                ok = c.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1 & c.mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1
                        & c.mallopt(M_TOP_PAD, TOP_PAD) == 1;
            } catch (UnsatisfiedLinkError | RuntimeException e) {
                unavailable = true; // not glibc
            }
        }
        tuned = ok;
        return ok;
    }

    /**
     * Returns the allocator's free memory to the system ({@code malloc_trim(0)}: every arena, free pages in the
     * middle of heaps too). Measured: 58 ms to give back 600 MiB of holes, 8 ms when there is nothing to give;
     * the memory it gives back is faulted in again when used (once per epoch: noise next to an epoch's steps).
     * Does nothing where it is unavailable (not Linux, not glibc).
     *
     * @return whether memory was given back
     */
    public static boolean trim() {
        if (!Platform.isLinux() || unavailable) {
            return false;
        }
        try {
            return libc().malloc_trim(0) == 1;
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            unavailable = true; // not glibc: don't try again
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

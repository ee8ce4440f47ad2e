package ai.fastai4j.util;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;

/**
 * Tunes glibc's allocator for training, once per process. Without it every large activation is a fresh
 * {@code mmap} and a training step runs about 1.3x slower (see bench/ MallocTuningBench). Equivalent to starting
 * the JVM with {@code MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=17179869184}, but it reaches library
 * users too, through {@code mallopt} (JNA ships with DJL). Skipped on other platforms, or when the system
 * property {@code fastai4j.malloc.tune=false} is set.
 */
public final class NativeMemory {
    private static final int M_TRIM_THRESHOLD = -1;
    private static final int M_MMAP_THRESHOLD = -3;
    /** Allocations up to 32 MiB come from the heap, not fresh mappings. */
    public static final int MMAP_THRESHOLD = 32 * 1024 * 1024;
    /** Freed heap memory is returned to the system only above 1 GiB of slack (mallopt takes an int). */
    public static final int TRIM_THRESHOLD = Integer.MAX_VALUE;

    private static volatile Boolean tuned;

    private NativeMemory() {}

    interface LibC extends Library {
        int mallopt(int param, int value);
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
                LibC c = Native.load("c", LibC.class);
                ok = c.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1 & c.mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1;
            } catch (UnsatisfiedLinkError | RuntimeException e) {
                ok = false;
            }
        }
        tuned = ok;
        return ok;
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

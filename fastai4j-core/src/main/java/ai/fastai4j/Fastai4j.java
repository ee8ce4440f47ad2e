package ai.fastai4j;

import ai.djl.engine.Engine;

/**
 * Process-wide settings of the library. {@link #setSeed} is fastai's {@code set_seed}: one call makes a program's
 * runs repeat exactly on CPU.
 */
public final class Fastai4j {
    private static volatile Long seed;

    private Fastai4j() {}

    /**
     * Seeds every generator the library and the engine use: the engine's (weight initialisation, dropout), and
     * the seed learners derive their per-batch generators from (dropout and MixUp/CutMix draws are re-derived
     * from it and the batch's position before every training batch, which is also what makes a resumed training
     * repeat the uninterrupted one). Data loaders have their own seed ({@code DataLoaderOptions.seed}, 42 by
     * default) for splitting, shuffling and augmentation, which depends only on it and the epoch and item.
     */
    public static void setSeed(long n) {
        seed = n;
        Engine.getInstance().setRandomSeed((int) (n ^ (n >>> 32)));
    }

    /** The seed given to {@link #setSeed}, or {@code fallback} when it was never called. */
    public static long seedOr(long fallback) {
        Long s = seed;
        return s == null ? fallback : s;
    }

    /** Mixes a seed with positions into a well-spread 64-bit value (splitmix64 finaliser). */
    public static long mix(long seed, long a, long b) {
        long h = seed * 0x9E3779B97F4A7C15L + a * 0xC2B2AE3D27D4EB4FL + b * 0x165667B19E3779F9L;
        h ^= h >>> 30;
        h *= 0xBF58476D1CE4E5B9L;
        h ^= h >>> 27;
        h *= 0x94D049BB133111EBL;
        return h ^ (h >>> 31);
    }
}

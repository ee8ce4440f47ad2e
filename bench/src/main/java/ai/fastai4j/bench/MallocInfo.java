package ai.fastai4j.bench;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Structure;
import java.util.Locale;

/**
 * glibc's {@code mallinfo2()} (glibc 2.33 and later), summed over all arenas: tells a leak (bytes in use grow) from
 * allocator retention or fragmentation (free bytes held by the arenas grow). Returns null where unavailable.
 */
final class MallocInfo {
    private MallocInfo() {}

    /** struct mallinfo2: ten size_t fields. */
    @Structure.FieldOrder({"arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
            "fordblks", "keepcost"})
    public static final class MallInfo2 extends Structure implements Structure.ByValue {
        public long arena;
        public long ordblks;
        public long smblks;
        public long hblks;
        public long hblkhd;
        public long usmblks;
        public long fsmblks;
        public long uordblks;
        public long fordblks;
        public long keepcost;
    }

    interface LibC extends Library {
        MallInfo2 mallinfo2();
    }

    private static final LibC LIBC = load();

    private static LibC load() {
        try {
            return Native.load("c", LibC.class);
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            return null;
        }
    }

    /** "in use X MiB, free in arenas Y MiB, mmapped Z MiB", or "mallinfo2 unavailable". */
    static String summary() {
        if (LIBC == null) {
            return "mallinfo2 unavailable";
        }
        try {
            MallInfo2 m = LIBC.mallinfo2();
            return String.format(Locale.ROOT, "malloc: in use %d MiB (heap %d + mmapped %d), free kept in arenas %d MiB",
                    (m.uordblks + m.hblkhd) >> 20, m.uordblks >> 20, m.hblkhd >> 20, m.fordblks >> 20);
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            return "mallinfo2 unavailable";
        }
    }
}

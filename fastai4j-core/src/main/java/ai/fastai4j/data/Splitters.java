package ai.fastai4j.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import java.util.function.Predicate;

/** fastai's splitters: random with a seed, by grandparent folder, by a column or predicate, by index. */
public final class Splitters {
    private Splitters() {}

    /** A random {@code validPct} of the items go to validation; the same seed gives the same split. */
    public static <I> Splitter<I> random(double validPct, long seed) {
        if (validPct <= 0 || validPct >= 1) {
            throw new IllegalArgumentException("validPct must be in (0, 1), got " + validPct);
        }
        return items -> {
            int n = items.size();
            int[] perm = permutation(n, new Random(seed));
            int nValid = (int) (validPct * n);
            BitSet valid = new BitSet(n);
            for (int i = 0; i < nValid; i++) {
                valid.set(perm[i]);
            }
            return fromMask(n, valid);
        };
    }

    /** Items whose grandparent folder is named {@code train} or {@code valid}; others are dropped. */
    public static Splitter<Path> grandparent(String train, String valid) {
        return items -> {
            List<Integer> tr = new ArrayList<>();
            List<Integer> va = new ArrayList<>();
            for (int i = 0; i < items.size(); i++) {
                Path gp = items.get(i).toAbsolutePath().getParent();
                gp = gp == null ? null : gp.getParent();
                String name = gp == null || gp.getFileName() == null ? "" : gp.getFileName().toString();
                if (name.equals(train)) {
                    tr.add(i);
                } else if (name.equals(valid)) {
                    va.add(i);
                }
            }
            if (tr.isEmpty()) {
                throw new DataException("no items in a '" + train + "' folder (grandparent splitter)");
            }
            if (va.isEmpty()) {
                throw new DataException("no items in a '" + valid + "' folder (grandparent splitter)");
            }
            return new SplitIndices(toArray(tr), toArray(va));
        };
    }

    /** fastai's default folder layout: {@code train/} and {@code valid/}. */
    public static Splitter<Path> grandparent() {
        return grandparent("train", "valid");
    }

    /** Items for which {@code isValid} is true go to validation (fastai's FuncSplitter / ColSplitter). */
    public static <I> Splitter<I> byPredicate(Predicate<I> isValid) {
        return items -> {
            BitSet valid = new BitSet(items.size());
            for (int i = 0; i < items.size(); i++) {
                if (isValid.test(items.get(i))) {
                    valid.set(i);
                }
            }
            return fromMask(items.size(), valid);
        };
    }

    /** Rows whose boolean column {@code column} is true ("true", "1", "yes", "valid") go to validation. */
    public static Splitter<CsvTable.Row> byColumn(String column) {
        return byPredicate(r -> {
            String v = r.get(column).trim().toLowerCase(java.util.Locale.ROOT);
            return v.equals("true") || v.equals("1") || v.equals("yes") || v.equals("valid");
        });
    }

    /** The given indices are validation items; the rest train. */
    public static <I> Splitter<I> byIndex(int... validIndices) {
        return items -> {
            BitSet valid = new BitSet(items.size());
            for (int i : validIndices) {
                if (i < 0 || i >= items.size()) {
                    throw new DataException("validation index " + i + " out of range for " + items.size() + " items");
                }
                valid.set(i);
            }
            return fromMask(items.size(), valid);
        };
    }

    /** A random permutation of 0..n-1 (Fisher-Yates, from the last position down), the same for the same generator. */
    public static int[] permutation(int n, Random rng) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    private static SplitIndices fromMask(int n, BitSet valid) {
        int nValid = valid.cardinality();
        int[] tr = new int[n - nValid];
        int[] va = new int[nValid];
        int a = 0;
        int b = 0;
        for (int i = 0; i < n; i++) {
            if (valid.get(i)) {
                va[b++] = i;
            } else {
                tr[a++] = i;
            }
        }
        return new SplitIndices(tr, va);
    }

    private static int[] toArray(List<Integer> l) {
        return l.stream().mapToInt(Integer::intValue).toArray();
    }
}

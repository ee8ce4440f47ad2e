package ai.fastai4j.text.data;

import ai.fastai4j.data.DataLoaderOptions;
import ai.fastai4j.data.Datasets;
import ai.fastai4j.data.SampleSource;
import ai.fastai4j.data.Split;
import ai.fastai4j.data.TransformBlock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * fastai's {@code SortedDL} as a {@link SampleSource}: texts go through in order of decreasing length, so a
 * batch holds texts of similar lengths and little padding. Validation is exactly sorted (longest first, ties
 * in item order). Training with shuffling is fastai's {@code shuffle_fn}: a random permutation with the longest
 * text moved first, sorted within chunks of {@code 50 * bs}, cut into batches, and the batches between the
 * first (which holds the longest text) and the last shuffled. The encoded samples are kept in memory.
 */
public final class SortedDL implements SampleSource {
    private final List<List<Object>> samples;
    private final int[] lengths;
    private final int bs;
    private final Datasets<?> ds;
    private final int[] idx;
    private final int idxMax;

    SortedDL(Datasets<?> ds, int[] idx, List<List<Object>> samples, int bs) {
        this.ds = ds;
        this.idx = idx.clone();
        this.samples = List.copyOf(samples);
        this.bs = bs;
        this.lengths = new int[samples.size()];
        int max = 0;
        for (int i = 0; i < lengths.length; i++) {
            lengths[i] = ((int[]) samples.get(i).get(0)).length;
            if (lengths[i] > lengths[max]) {
                max = i;
            }
        }
        this.idxMax = max;
    }

    /** The factory a classification {@link TextBlock} returns as its loader type. */
    public static SampleSource.Factory factory() {
        return (Datasets<?> ds, int[] idx, Split split, DataLoaderOptions options) -> {
            List<List<Object>> samples = IntStream.range(0, idx.length).parallel().mapToObj(i -> ds.sample(idx[i]))
                    .toList();
            return new SortedDL(ds, idx, samples, options.batchSize());
        };
    }

    /** Token count of each sample (the sort key). */
    public int[] lengths() {
        return lengths.clone();
    }

    @Override
    public int numItems() {
        return samples.size();
    }

    @Override
    public int[] order(int epoch, boolean shuffle, Random rng) {
        int n = samples.size();
        if (!shuffle) {
            return sortedByLength(SampleSource.identity(n));
        }
        int[] perm = SampleSource.identity(n);
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        if (n == 0) {
            return perm;
        }
        for (int i = 0; i < n; i++) {
            if (perm[i] == idxMax) {
                perm[i] = perm[0];
                perm[0] = idxMax;
                break;
            }
        }
        int chunk = bs * 50;
        int[] sorted = new int[n];
        for (int from = 0; from < n; from += chunk) {
            int[] part = sortedByLength(Arrays.copyOfRange(perm, from, Math.min(n, from + chunk)));
            System.arraycopy(part, 0, sorted, from, part.length);
        }
        List<int[]> batches = new ArrayList<>();
        for (int from = 0; from < n; from += bs) {
            batches.add(Arrays.copyOfRange(sorted, from, Math.min(n, from + bs)));
        }
        if (batches.size() > 2) {
            List<int[]> middle = new ArrayList<>(batches.subList(1, batches.size() - 1));
            for (int i = middle.size() - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int[] t = middle.get(i);
                middle.set(i, middle.get(j));
                middle.set(j, t);
            }
            List<int[]> all = new ArrayList<>();
            all.add(batches.get(0));
            all.addAll(middle);
            all.add(batches.get(batches.size() - 1));
            batches = all;
        }
        int[] out = new int[n];
        int at = 0;
        for (int[] b : batches) {
            System.arraycopy(b, 0, out, at, b.length);
            at += b.length;
        }
        return out;
    }

    /** {@code positions} by decreasing length, ties in the given order (Python's stable sort with reverse). */
    private int[] sortedByLength(int[] positions) {
        return Arrays.stream(positions).boxed().sorted(Comparator.comparingInt((Integer p) -> lengths[p]).reversed())
                .mapToInt(Integer::intValue).toArray();
    }

    @Override
    public List<Object> sample(int position, int epoch) {
        return samples.get(position);
    }

    @Override
    public String describe(int position) {
        return ds.describeItem(idx[position]);
    }

    @Override
    public List<TransformBlock> blocks() {
        return ds.blocks();
    }

    @Override
    public int nInputs() {
        return ds.nInputs();
    }
}

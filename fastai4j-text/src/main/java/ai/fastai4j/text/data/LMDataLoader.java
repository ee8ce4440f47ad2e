package ai.fastai4j.text.data;

import ai.fastai4j.data.DataException;
import ai.fastai4j.data.DataLoaderOptions;
import ai.fastai4j.data.Datasets;
import ai.fastai4j.data.SampleSource;
import ai.fastai4j.data.Split;
import ai.fastai4j.data.TransformBlock;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * fastai 2's {@code LMDataLoader} as a {@link SampleSource}: the numericalized texts of a split are concatenated
 * (each starts with {@code xxbos}) into one stream, cut into {@code bs} contiguous streams of {@code bl} tokens
 * ({@code bl = (total - 1) / bs}, the leftover thrown away), and batch {@code b} holds tokens
 * {@code [b * seqLen, b * seqLen + seqLen)} of every stream as {@code x} and the same shifted by one as {@code y}:
 * row {@code r} of a batch continues exactly where row {@code r} of the previous batch stopped. The last batch is
 * shorter when {@code bl} is not a multiple of {@code seqLen}. On training (with shuffling on) the documents are
 * put in a new random order each epoch, from the seed and the epoch number.
 *
 * <p>Samples are {@code [x, y]}, two {@code int[]} of the same length; the text block collates each into an int64
 * {@code [bs, seqLen]} tensor.
 */
public final class LMDataLoader implements SampleSource {
    private final int[][] docs;
    private final long[] lengths;
    private final int bs;
    private final int seqLen;
    private final long bl;
    private final int nBatches;
    private final int lastLen;
    private final boolean shuffle;
    private final long seed;
    private final List<TransformBlock> blocks;
    private volatile Layout layout;

    /**
     * @param docs numericalized texts in split order
     * @param block the block that collates {@code x} and {@code y}
     */
    public LMDataLoader(List<int[]> docs, int bs, int seqLen, boolean shuffle, long seed, TransformBlock block) {
        if (seqLen < 1) {
            throw new IllegalArgumentException("seqLen must be at least 1, got " + seqLen);
        }
        this.docs = docs.toArray(new int[0][]);
        this.lengths = new long[this.docs.length];
        long total = 0;
        for (int i = 0; i < this.docs.length; i++) {
            lengths[i] = this.docs[i].length;
            total += lengths[i];
        }
        this.bs = bs;
        this.seqLen = seqLen;
        long corpus = total < 1 ? 0 : (total - 1) / bs * bs;
        this.bl = corpus / bs;
        if (docs.size() > 0 && bl == 0) {
            throw new DataException("the texts hold " + total + " tokens, too few for " + bs
                    + " streams: use a batch size of at most " + Math.max(1, total - 1));
        }
        long nb = bl / seqLen + (bl % seqLen != 0 ? 1 : 0);
        if (nb * bs > Integer.MAX_VALUE) {
            throw new DataException("corpus too large for one epoch of batches: " + total + " tokens");
        }
        this.nBatches = (int) nb;
        this.lastLen = (int) (bl - (nb - 1) * seqLen);
        this.shuffle = shuffle;
        this.seed = seed;
        this.blocks = List.of(block, block);
    }

    /** The factory a language-model {@link TextBlock} returns as its loader type. */
    public static SampleSource.Factory factory(int seqLen, TransformBlock block) {
        return (Datasets<?> ds, int[] idx, Split split, DataLoaderOptions options) -> {
            List<int[]> docs = IntStream.range(0, idx.length).parallel()
                    .mapToObj(i -> (int[]) ds.sample(idx[i]).get(0)).toList();
            boolean shuffle = split == Split.TRAIN && options.shuffleTrain();
            return new LMDataLoader(docs, options.batchSize(), seqLen, shuffle, options.seed(), block);
        };
    }

    /** Tokens per stream. */
    public long streamLength() {
        return bl;
    }

    public int seqLen() {
        return seqLen;
    }

    public int numBatches() {
        return nBatches;
    }

    @Override
    public int numItems() {
        return nBatches * bs;
    }

    /** The batch order is fixed (the streams must stay contiguous); documents are shuffled instead. */
    @Override
    public int[] order(int epoch, boolean shuffleItems, Random rng) {
        return SampleSource.identity(numItems());
    }

    @Override
    public List<Object> sample(int seq, int epoch) {
        if (seq < 0 || seq >= numItems()) {
            throw new IndexOutOfBoundsException("sample " + seq + " of " + numItems());
        }
        int sl = seq / bs == nBatches - 1 ? lastLen : seqLen;
        long start = (seq % bs) * bl + (long) (seq / bs) * seqLen;
        int[] txt = layout(epoch).slice(start, sl + 1);
        return List.of(Arrays.copyOfRange(txt, 0, sl), Arrays.copyOfRange(txt, 1, sl + 1));
    }

    @Override
    public String describe(int seq) {
        return "stream " + (seq % bs) + ", batch " + (seq / bs);
    }

    @Override
    public List<TransformBlock> blocks() {
        return blocks;
    }

    @Override
    public int nInputs() {
        return 1;
    }

    /** The document order of an epoch and where each document starts in the stream. */
    private Layout layout(int epoch) {
        Layout l = layout;
        if (l != null && l.epoch == epoch) {
            return l;
        }
        synchronized (this) {
            l = layout;
            if (l == null || l.epoch != epoch) {
                l = new Layout(epoch);
                layout = l;
            }
            return l;
        }
    }

    private final class Layout {
        final int epoch;
        final int[] order;
        final long[] starts;

        Layout(int epoch) {
            this.epoch = epoch;
            this.order = shuffle ? permutation(docs.length, new Random(seed * 0x9E3779B97F4A7C15L + epoch))
                    : SampleSource.identity(docs.length);
            this.starts = new long[docs.length + 1];
            for (int i = 0; i < docs.length; i++) {
                starts[i + 1] = starts[i] + lengths[order[i]];
            }
        }

        int[] slice(long from, int n) {
            int[] out = new int[n];
            int d = Arrays.binarySearch(starts, from);
            d = d >= 0 ? d : -d - 2;
            while (d < docs.length && starts[d + 1] <= from) {
                d++; // skip empty documents
            }
            long pos = from - starts[d];
            int filled = 0;
            while (filled < n) {
                int[] doc = docs[order[d]];
                int take = (int) Math.min(doc.length - pos, n - filled);
                System.arraycopy(doc, (int) pos, out, filled, take);
                filled += take;
                d++;
                pos = 0;
            }
            return out;
        }
    }

    private static int[] permutation(int n, Random rng) {
        return ai.fastai4j.data.Splitters.permutation(n, rng);
    }
}

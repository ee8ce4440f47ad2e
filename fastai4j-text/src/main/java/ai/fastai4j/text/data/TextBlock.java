package ai.fastai4j.text.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.fastai4j.data.DataException;
import ai.fastai4j.data.DataLoaders;
import ai.fastai4j.data.Datasets;
import ai.fastai4j.data.HostTensor;
import ai.fastai4j.data.SampleSource;
import ai.fastai4j.data.TensorKind;
import ai.fastai4j.data.Transform;
import ai.fastai4j.data.TransformBlock;
import ai.fastai4j.text.SpecialTokens;
import ai.fastai4j.text.tokenize.TokenCache;
import ai.fastai4j.text.tokenize.Tokenizer;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * fastai's {@code TextBlock}: a raw text (a {@code String} or a {@code Path} to a text file) is tokenized
 * ({@link Tokenize}) and numericalized ({@link Numericalize}, learned on the training split unless a vocabulary
 * is given). Its loader type is fastai's: a language-model block draws from an {@link LMDataLoader} (batches
 * {@code x, y}: int64 {@code [bs, seqLen]}, {@code y} is {@code x} shifted by one token), a classification block
 * from a {@link SortedDL} and collates with {@link PadInput#chunk} (int64 {@code [bs, len]} padded with
 * {@code xxpad}, index 1, in whole chunks of {@code seqLen} before the text).
 */
public final class TextBlock implements TransformBlock {
    /** fastai's default sequence length. */
    public static final int DEFAULT_SEQ_LEN = 72;

    private final boolean lm;
    private final Tokenizer tokenizer;
    private final Vocab vocab;
    private final int minFreq;
    private final int maxVocab;
    private final int seqLen;
    private final TokenCache cache;
    private final int workers;
    private final int maxLen;
    private final Map<Object, List<String>> memo = new ConcurrentHashMap<>();

    private TextBlock(Builder b) {
        this.lm = b.lm;
        this.tokenizer = b.tokenizer;
        this.vocab = b.vocab;
        this.minFreq = b.minFreq;
        this.maxVocab = b.maxVocab;
        this.seqLen = b.seqLen;
        this.cache = b.cache;
        this.workers = b.workers;
        this.maxLen = b.maxLen;
    }

    /** A block for language modelling (fastai's {@code is_lm=True}). */
    public static Builder languageModel() {
        return new Builder(true);
    }

    /** A block for classification inputs. */
    public static Builder classification() {
        return new Builder(false);
    }

    public boolean isLm() {
        return lm;
    }

    public int seqLen() {
        return seqLen;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /** Most tokens a text may have (0: no limit; blocks read from a model file have one). */
    public int maxLen() {
        return maxLen;
    }

    /** The vocabulary given to this block, if any (else each dataset learns its own). */
    public Optional<Vocab> givenVocab() {
        return Optional.ofNullable(vocab);
    }

    @Override
    public List<Transform<?, ?>> typeTransforms() {
        Numericalize num = vocab != null ? new Numericalize(vocab) : new Numericalize(minFreq, maxVocab);
        return List.of(new Tokenize(tokenizer, cache, workers, memo, maxLen), num);
    }

    @Override
    public TensorKind kind() {
        return TensorKind.OTHER;
    }

    @Override
    public HostTensor collate(List<Object> values) {
        List<int[]> seqs = new ArrayList<>(values.size());
        for (Object v : values) {
            if (!(v instanceof int[] ids)) {
                throw new DataException("a text block collates token ids (int[]), got "
                        + (v == null ? "null" : v.getClass().getSimpleName()));
            }
            seqs.add(ids);
        }
        int width = PadInput.maxLength(seqs);
        long[] data = lm ? PadInput.chunk(seqs, SpecialTokens.PAD_INDEX, true, Integer.MAX_VALUE)
                : PadInput.chunk(seqs, SpecialTokens.PAD_INDEX, true, seqLen);
        ByteBuffer b = HostTensor.allocate(8L * data.length);
        b.asLongBuffer().put(data);
        return new HostTensor(b, new Shape(seqs.size(), width), DataType.INT64, TensorKind.OTHER);
    }

    @Override
    public Optional<SampleSource.Factory> loaderType() {
        return Optional.of(lm ? LMDataLoader.factory(seqLen, this) : SortedDL.factory());
    }

    /** Row {@code i} of a batch of token ids, without its padding. */
    @Override
    public Object fromTensor(NDArray tensor, int i) {
        long[] row = tensor.get(i).toType(DataType.INT64, false).toLongArray();
        List<Integer> kept = new ArrayList<>(row.length);
        for (long v : row) {
            if (v != SpecialTokens.PAD_INDEX) {
                kept.add((int) v);
            }
        }
        return kept.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public String show(Object decoded) {
        String s = String.valueOf(decoded);
        return s.length() > 300 ? s.substring(0, 297) + "..." : s;
    }

    @Override
    public String name() {
        return lm ? "TextBlock(lm)" : "TextBlock";
    }

    /**
     * Tokenizes the raw texts not seen yet (the whole corpus, train and valid) at once: in parallel and through
     * the disk cache, so later encodes are look-ups.
     */
    public void pretokenize(List<?> raws) {
        new Tokenize(tokenizer, cache, workers, memo, maxLen).pretokenize(raws);
    }

    /** The {@link Numericalize} of the first input block of {@code ds} (holds the learned vocabulary). */
    public static Numericalize numericalize(Datasets<?> ds) {
        for (Object t : ds.pipelines().get(0).transforms()) {
            if (t instanceof Numericalize n) {
                return n;
            }
        }
        throw new IllegalArgumentException("the first block of these data is not a text block");
    }

    /** The text vocabulary of data loaders built with a text block (fastai's {@code dls.vocab} of a language model). */
    public static Vocab vocab(DataLoaders dls) {
        return numericalize(dls.datasets()).vocabulary();
    }

    /** The {@link Tokenize} of the first input block of {@code ds}. */
    public static Tokenize tokenize(Datasets<?> ds) {
        for (Object t : ds.pipelines().get(0).transforms()) {
            if (t instanceof Tokenize tk) {
                return tk;
            }
        }
        throw new IllegalArgumentException("the first block of these data is not a text block");
    }

    /** Configures a {@link TextBlock}; fastai's defaults. */
    public static final class Builder {
        private final boolean lm;
        private Tokenizer tokenizer = Tokenizer.defaults();
        private Vocab vocab;
        private int minFreq = Vocab.DEFAULT_MIN_FREQ;
        private int maxVocab = Vocab.DEFAULT_MAX_VOCAB;
        private int seqLen = DEFAULT_SEQ_LEN;
        private TokenCache cache;
        private int workers = Runtime.getRuntime().availableProcessors();
        private int maxLen;

        private Builder(boolean lm) {
            this.lm = lm;
        }

        public Builder tokenizer(Tokenizer t) {
            this.tokenizer = Objects.requireNonNull(t);
            return this;
        }

        /** A fixed vocabulary (the language model's, for its classifier); none learns one on the training split. */
        public Builder vocab(Vocab v) {
            this.vocab = v;
            return this;
        }

        public Builder minFreq(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("minFreq must be at least 1, got " + n);
            }
            this.minFreq = n;
            return this;
        }

        public Builder maxVocab(int n) {
            if (n < SpecialTokens.ALL.size()) {
                throw new IllegalArgumentException("maxVocab must be at least " + SpecialTokens.ALL.size() + ", got " + n);
            }
            this.maxVocab = n;
            return this;
        }

        /** Tokens per language-model batch; for classification, the chunk size of the padding. */
        public Builder seqLen(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("seqLen must be at least 1, got " + n);
            }
            this.seqLen = n;
            return this;
        }

        /** Where tokenized corpora are kept on disk; null (the default) for no disk cache. */
        public Builder cache(TokenCache c) {
            this.cache = c;
            return this;
        }

        /** Threads that tokenize a corpus. */
        public Builder workers(int n) {
            this.workers = Math.max(1, n);
            return this;
        }

        /**
         * Refuses texts of more than {@code n} tokens (0: no limit); a served model's bound on the cost of one
         * text. fastai's classifier pools the last {@code 72 * 20} tokens.
         */
        public Builder maxLen(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("maxLen must be >= 0, got " + n);
            }
            this.maxLen = n;
            return this;
        }

        public TextBlock build() {
            return new TextBlock(this);
        }
    }
}

package ai.fastai4j.text.data;

import ai.fastai4j.data.CategoryBlock;
import ai.fastai4j.data.CsvTable;
import ai.fastai4j.data.DataBlock;
import ai.fastai4j.data.DataException;
import ai.fastai4j.data.DataLoaderOptions;
import ai.fastai4j.data.DataLoaders;
import ai.fastai4j.data.Labellers;
import ai.fastai4j.data.Splitter;
import ai.fastai4j.data.Splitters;
import ai.fastai4j.data.TransformBlock;
import ai.fastai4j.text.tokenize.TokenCache;
import ai.fastai4j.text.tokenize.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * fastai's {@code TextDataLoaders}: language-model or classification data from a folder of text files, a CSV
 * file or a table, built with a {@link TextBlock} (and a {@link CategoryBlock} for classification) on the core's
 * {@link DataBlock}. fastai's defaults: {@code train}/{@code valid} folders (or {@code validPct}), text column
 * {@code text}, label column {@code label}, validation 20% of the rows with seed 42, sequence length 72, batch
 * size 64; the whole corpus is tokenized once, in parallel, through the on-disk {@link TokenCache}.
 *
 * <pre>{@code
 * try (TextDataLoaders lm = TextDataLoaders.fromFolder(path).isLm(true).validPct(0.1).build();
 *      TextDataLoaders clas = TextDataLoaders.fromFolder(path).textVocab(lm.vocab()).build()) { ... }
 * }</pre>
 */
public final class TextDataLoaders implements AutoCloseable {
    private final DataLoaders dls;
    private final TextBlock block;

    private TextDataLoaders(DataLoaders dls, TextBlock block) {
        this.dls = dls;
        this.block = block;
    }

    /** Text files ({@code .txt}) under {@code path}: labels are parent folder names, split by train/valid folders. */
    public static Builder fromFolder(Path path) {
        return new Builder(Source.FOLDER, path, null);
    }

    /** Rows of a CSV file with a header: a text column and a label column. */
    public static Builder fromCsv(Path csv) {
        return new Builder(Source.TABLE, csv, null);
    }

    /** Rows of a table already read: a text column and a label column (fastai's {@code from_df}). */
    public static Builder fromTable(CsvTable table) {
        return new Builder(Source.TABLE, table.file(), table);
    }

    /** The core data loaders (what a {@code Learner} takes). */
    public DataLoaders dls() {
        return dls;
    }

    /** The text block the data were built with. */
    public TextBlock block() {
        return block;
    }

    /** The text vocabulary (learned on the training split, or the one given). */
    public Vocab vocab() {
        return TextBlock.vocab(dls);
    }

    /** Class names (empty for a language model). */
    public List<String> classes() {
        return dls.vocab();
    }

    /** Number of classes, or the vocabulary size for a language model. */
    public int c() {
        return block.isLm() ? vocab().size() : dls.c();
    }

    public boolean isLm() {
        return block.isLm();
    }

    public int seqLen() {
        return block.seqLen();
    }

    public Tokenizer tokenizer() {
        return block.tokenizer();
    }

    @Override
    public void close() {
        dls.close();
    }

    private enum Source { FOLDER, TABLE }

    /** Configures {@link TextDataLoaders}; fastai's defaults. */
    public static final class Builder {
        private final Source source;
        private final Path path;
        private final CsvTable table;
        private String train = "train";
        private String valid = "valid";
        private Double validPct;
        private long seed = 42;
        private String textCol = "text";
        private String labelCol = "label";
        private String validCol;
        private boolean lm;
        private int seqLen = TextBlock.DEFAULT_SEQ_LEN;
        private int bs = 64;
        private Vocab textVocab;
        private Tokenizer tokenizer = Tokenizer.defaults();
        private int minFreq = Vocab.DEFAULT_MIN_FREQ;
        private int maxVocab = Vocab.DEFAULT_MAX_VOCAB;
        private TokenCache cache = TokenCache.defaultLocation();
        private Integer workers;
        private Integer numWorkers;

        private Builder(Source source, Path path, CsvTable table) {
            this.source = source;
            this.path = Objects.requireNonNull(path);
            this.table = table;
        }

        /** Name of the training folder (from a folder; default {@code train}). */
        public Builder train(String name) {
            this.train = name;
            return this;
        }

        /** Name of the validation folder (from a folder; default {@code valid}). */
        public Builder valid(String name) {
            this.valid = name;
            return this;
        }

        /** A random validation share instead of the folders or the validation column. */
        public Builder validPct(double pct) {
            if (!(pct > 0 && pct < 1)) {
                throw new IllegalArgumentException("validPct must be between 0 and 1, got " + pct);
            }
            this.validPct = pct;
            return this;
        }

        /** Seed of the random split and of the batch order. */
        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        public Builder textCol(String col) {
            this.textCol = Objects.requireNonNull(col);
            return this;
        }

        public Builder labelCol(String col) {
            this.labelCol = Objects.requireNonNull(col);
            return this;
        }

        /** A boolean column marking validation rows (fastai's {@code valid_col}). */
        public Builder validCol(String col) {
            this.validCol = col;
            return this;
        }

        /** Language-model data (no labels) instead of classification. */
        public Builder isLm(boolean isLm) {
            this.lm = isLm;
            return this;
        }

        public Builder seqLen(int n) {
            this.seqLen = n;
            return this;
        }

        /** Batch size (for a language model: the number of parallel streams). */
        public Builder bs(int n) {
            this.bs = n;
            return this;
        }

        /** A fixed text vocabulary (the language model's, for the classifier). */
        public Builder textVocab(Vocab v) {
            this.textVocab = v;
            return this;
        }

        public Builder tokenizer(Tokenizer t) {
            this.tokenizer = Objects.requireNonNull(t);
            return this;
        }

        public Builder minFreq(int n) {
            this.minFreq = n;
            return this;
        }

        public Builder maxVocab(int n) {
            this.maxVocab = n;
            return this;
        }

        /** Where tokenized corpora are kept (default {@link TokenCache#defaultLocation()}); null for none. */
        public Builder cache(TokenCache c) {
            this.cache = c;
            return this;
        }

        /** Threads that tokenize (default: one per core). */
        public Builder tokenizeWorkers(int n) {
            this.workers = n;
            return this;
        }

        /** Loader threads (default: one per core; 0 loads on the training thread). */
        public Builder numWorkers(int n) {
            this.numWorkers = n;
            return this;
        }

        public TextDataLoaders build() {
            TextBlock.Builder tb = (lm ? TextBlock.languageModel() : TextBlock.classification()).tokenizer(tokenizer)
                    .vocab(textVocab).minFreq(minFreq).maxVocab(maxVocab).seqLen(seqLen).cache(cache);
            if (workers != null) {
                tb.workers(workers);
            }
            TextBlock block = tb.build();
            DataLoaderOptions options = DataLoaderOptions.defaults(bs).withSeed(seed);
            if (numWorkers != null) {
                options = options.withWorkers(numWorkers);
            }
            DataLoaders dls = source == Source.FOLDER ? folder(block, options) : table(block, options);
            return new TextDataLoaders(dls, block);
        }

        private DataLoaders folder(TextBlock block, DataLoaderOptions options) {
            if (!Files.isDirectory(path)) {
                throw new DataException("no folder " + path);
            }
            List<Path> files = validPct == null ? textFiles(List.of(path.resolve(train), path.resolve(valid)))
                    : textFiles(List.of(path));
            if (files.isEmpty()) {
                throw new DataException("no .txt files in " + (validPct == null
                        ? path.resolve(train) + " or " + path.resolve(valid) : path));
            }
            Splitter<Path> splitter = validPct == null ? Splitters.grandparent(train, valid)
                    : Splitters.random(validPct, seed);
            Function<Path, Object> getText = p -> p;
            return build(block, files, getText, Labellers.parentFolder(), splitter, options);
        }

        private DataLoaders table(TextBlock block, DataLoaderOptions options) {
            CsvTable t = table != null ? table : CsvTable.read(path);
            t.requireColumn(textCol);
            if (!lm) {
                t.requireColumn(labelCol);
            }
            if (validCol != null) {
                t.requireColumn(validCol);
            }
            if (t.rows().isEmpty()) {
                throw new DataException(t.file() + " has no rows");
            }
            Splitter<CsvTable.Row> splitter = validCol != null ? Splitters.byColumn(validCol)
                    : Splitters.random(validPct == null ? 0.2 : validPct, seed);
            return build(block, t.rows(), r -> r.get(textCol), Labellers.column(labelCol), splitter, options);
        }

        private <I> DataLoaders build(TextBlock block, List<I> items, Function<I, Object> getText,
                Function<I, Object> getLabel, Splitter<I> splitter, DataLoaderOptions options) {
            List<TransformBlock> blocks = lm ? List.of(block) : List.of(block, CategoryBlock.create());
            DataBlock.Builder<I> db = DataBlock.<I>builder(blocks, 1).getX(getText).splitter(splitter);
            if (!lm) {
                db.getY(getLabel);
            }
            List<Object> raws = new ArrayList<>(items.size());
            for (I item : items) {
                raws.add(getText.apply(item));
            }
            block.pretokenize(raws);
            return db.build().dataLoaders(items, options);
        }
    }

    /** The {@code .txt} files under the given folders, recursively, sorted by path. */
    static List<Path> textFiles(List<Path> folders) {
        List<Path> out = new ArrayList<>();
        for (Path f : folders) {
            if (!Files.isDirectory(f)) {
                continue;
            }
            try (Stream<Path> s = Files.walk(f)) {
                s.filter(p -> Files.isRegularFile(p) && p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".txt"))
                        .sorted().forEach(out::add);
            } catch (IOException e) {
                throw new DataException("cannot list " + f + ": " + e.getMessage(), e);
            }
        }
        return out;
    }
}

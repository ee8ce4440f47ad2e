package ai.fastai4j.vision;

import ai.fastai4j.data.BatchTransform;
import ai.fastai4j.data.CategoryBlock;
import ai.fastai4j.data.CsvTable;
import ai.fastai4j.data.DataBlock;
import ai.fastai4j.data.DataException;
import ai.fastai4j.data.DataLoaderOptions;
import ai.fastai4j.data.DataLoaders;
import ai.fastai4j.data.ItemTransform;
import ai.fastai4j.data.Labellers;
import ai.fastai4j.data.Splitter;
import ai.fastai4j.data.Splitters;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * fastai's {@code ImageDataLoaders} factories: images in class folders, listed in a CSV file, labelled by a
 * regex on the file name, or given in memory.
 *
 * <pre>{@code
 * DataLoaders dls = ImageDataLoaders.fromFolder(path).grey().batchSize(64).build();
 * }</pre>
 */
public final class ImageDataLoaders {
    private ImageDataLoaders() {}

    /** Images in {@code path/train/<class>/} and {@code path/valid/<class>/} (names configurable). */
    public static FolderBuilder fromFolder(Path path) {
        return new FolderBuilder(path);
    }

    /**
     * Images listed in a CSV file: {@code fnColumn} holds file names relative to {@code path/folder}, and
     * {@code labelColumn} the labels; optional {@code validColumn} marks validation rows (else random 20%).
     */
    public static CsvBuilder fromCsv(Path path, String csvFile, String fnColumn, String labelColumn) {
        return new CsvBuilder(path, csvFile, fnColumn, labelColumn);
    }

    /** Labels taken from the file names by the first capture group of {@code regex}; random 20% validation. */
    public static RegexBuilder fromNameRegex(Path path, List<Path> files, String regex) {
        RegexBuilder b = new RegexBuilder(path);
        b.items = files;
        b.labeller = Labellers.regex(regex);
        return b;
    }

    /** Common options of every factory. */
    public abstract static class Builder<I, B extends Builder<I, B>> {
        protected final Path path;
        protected List<I> items;
        protected Function<I, Object> getX = i -> i;
        protected Function<I, Object> labeller;
        protected Splitter<I> splitter;
        protected boolean grey;
        protected int batchSize = 64;
        protected int workers = -1;
        protected long seed = 42;
        protected double validPct = 0.2;
        protected final List<ItemTransform> itemTfms = new ArrayList<>();
        protected final List<BatchTransform> batchTfms = new ArrayList<>();

        Builder(Path path) {
            this.path = path;
        }

        @SuppressWarnings("unchecked")
        private B self() {
            return (B) this;
        }

        /** Load images as one grey channel (default: RGB). */
        public B grey() {
            this.grey = true;
            return self();
        }

        public B batchSize(int bs) {
            this.batchSize = bs;
            return self();
        }

        /** Loader threads (default: one per core). */
        public B workers(int n) {
            this.workers = n;
            return self();
        }

        /** Seed of the random split and of shuffling. */
        public B seed(long s) {
            this.seed = s;
            return self();
        }

        public B validPct(double pct) {
            this.validPct = pct;
            return self();
        }

        public B itemTfms(ItemTransform... t) {
            itemTfms.addAll(List.of(t));
            return self();
        }

        public B batchTfms(BatchTransform... t) {
            batchTfms.addAll(List.of(t));
            return self();
        }

        public B batchTfms(List<? extends BatchTransform> t) {
            batchTfms.addAll(t);
            return self();
        }

        /** The DataBlock these options describe. */
        public DataBlock<I> dataBlock() {
            return DataBlock.<I>builder(grey ? ImageBlock.grey() : ImageBlock.rgb(), CategoryBlock.create())
                    .getX(getX).getY(labeller)
                    .splitter(splitter != null ? splitter : Splitters.random(validPct, seed))
                    .itemTfms(itemTfms.toArray(new ItemTransform[0]))
                    .batchTfms(batchTfms)
                    .build();
        }

        protected List<I> items() {
            return items;
        }

        public DataLoaders build() {
            DataLoaderOptions o = DataLoaderOptions.defaults(batchSize).withSeed(seed);
            if (workers >= 0) {
                o = o.withWorkers(workers);
            }
            List<I> its = items(); // may set the getters and the splitter, so before dataBlock()
            return dataBlock().dataLoaders(its, o);
        }
    }

    /** Options for {@link #fromFolder}. */
    public static final class FolderBuilder extends Builder<Path, FolderBuilder> {
        private String train = "train";
        private String valid = "valid";
        private boolean useValidPct;
        private PrintStream warnings = System.err;

        FolderBuilder(Path path) {
            super(path);
            labeller = Labellers.parentFolder();
        }

        /** Names of the training and validation folders (default train, valid). */
        public FolderBuilder folders(String trainName, String validName) {
            this.train = trainName;
            this.valid = validName;
            return this;
        }

        /** Ignore the valid folder and split every image at random. */
        public FolderBuilder randomSplit(double pct) {
            this.useValidPct = true;
            validPct(pct);
            return this;
        }

        /** Where warnings about skipped folders go (stderr by default). */
        public FolderBuilder warnings(PrintStream out) {
            this.warnings = out;
            return this;
        }

        @Override
        protected List<Path> items() {
            Path trainDir = path.resolve(train);
            if (useValidPct) {
                warnEmptyClasses(path);
                splitter = null;
                return ImageFiles.recursive(path);
            }
            if (!Files.isDirectory(trainDir)) {
                throw new DataException("no '" + train + "' folder in " + path
                        + ": expected " + train + "/<class>/ and " + valid + "/<class>/ folders of images");
            }
            if (!Files.isDirectory(path.resolve(valid))) {
                throw new DataException("no '" + valid + "' folder in " + path + ": add one, or use randomSplit(0.2)");
            }
            warnEmptyClasses(trainDir);
            warnEmptyClasses(path.resolve(valid));
            List<Path> files = new ArrayList<>(ImageFiles.recursive(trainDir));
            files.addAll(ImageFiles.recursive(path.resolve(valid)));
            splitter = Splitters.grandparent(train, valid);
            return files;
        }

        private void warnEmptyClasses(Path dir) {
            try (Stream<Path> s = Files.list(dir)) {
                for (Path c : s.filter(Files::isDirectory).sorted().toList()) {
                    try (Stream<Path> f = Files.walk(c)) {
                        if (f.noneMatch(p -> Files.isRegularFile(p) && ImageFiles.isImage(p))) {
                            warnings.println("warning: class folder " + c + " has no images: skipped");
                        }
                    }
                }
            } catch (IOException e) {
                throw new DataException("cannot list " + dir + ": " + e.getMessage(), e);
            }
        }
    }

    /** Options for {@link #fromCsv}. */
    public static final class CsvBuilder extends Builder<CsvTable.Row, CsvBuilder> {
        private final String csvFile;
        private final String fnColumn;
        private final String labelColumn;
        private String folder = "";
        private String validColumn;
        private String suffix = "";

        CsvBuilder(Path path, String csvFile, String fnColumn, String labelColumn) {
            super(path);
            this.csvFile = csvFile;
            this.fnColumn = fnColumn;
            this.labelColumn = labelColumn;
        }

        /** Sub-folder of {@code path} the file names are relative to. */
        public CsvBuilder folder(String f) {
            this.folder = f;
            return this;
        }

        /** Boolean column that marks validation rows. */
        public CsvBuilder validColumn(String c) {
            this.validColumn = c;
            return this;
        }

        /** Appended to every file name (e.g. ".jpg"). */
        public CsvBuilder suffix(String s) {
            this.suffix = s;
            return this;
        }

        @Override
        protected List<CsvTable.Row> items() {
            CsvTable table = CsvTable.read(path.resolve(csvFile));
            table.requireColumn(fnColumn);
            table.requireColumn(labelColumn);
            if (validColumn != null) {
                table.requireColumn(validColumn);
                splitter = Splitters.byColumn(validColumn);
            }
            Path base = path.resolve(folder);
            getX = r -> {
                Path f = base.resolve(r.get(fnColumn) + suffix);
                if (!Files.isRegularFile(f)) {
                    throw new DataException(r + ": image file " + f + " (column '" + fnColumn + "') does not exist");
                }
                return f;
            };
            labeller = r -> {
                String v = r.get(labelColumn);
                if (v.isBlank()) {
                    throw new DataException(r + ": empty label in column '" + labelColumn + "'");
                }
                return v;
            };
            return table.rows();
        }
    }

    /** Options for {@link #fromNameRegex}. */
    public static final class RegexBuilder extends Builder<Path, RegexBuilder> {
        RegexBuilder(Path path) {
            super(path);
        }
    }

    /** In-memory images and labels, already split (e.g. from an IDX file). */
    public static DataLoaders fromImages(List<Image> trainImages, List<String> trainLabels, List<Image> validImages,
            List<String> validLabels, DataLoaderOptions options, List<ItemTransform> itemTfms,
            List<BatchTransform> batchTfms) {
        if (trainImages.size() != trainLabels.size() || validImages.size() != validLabels.size()) {
            throw new IllegalArgumentException("images and labels differ in number");
        }
        record Item(Image image, String label) {
            @Override
            public String toString() {
                return "image " + image + " labelled " + label;
            }
        }
        List<Item> items = new ArrayList<>();
        for (int i = 0; i < trainImages.size(); i++) {
            items.add(new Item(trainImages.get(i), trainLabels.get(i)));
        }
        for (int i = 0; i < validImages.size(); i++) {
            items.add(new Item(validImages.get(i), validLabels.get(i)));
        }
        int nTrain = trainImages.size();
        int channels = trainImages.isEmpty() ? 3 : trainImages.get(0).channels();
        DataBlock<Item> block = DataBlock.<Item>builder(channels == 1 ? ImageBlock.grey() : ImageBlock.rgb(),
                        CategoryBlock.create())
                .getX(Item::image).getY(Item::label)
                .splitter(its -> {
                    int[] tr = new int[nTrain];
                    int[] va = new int[its.size() - nTrain];
                    for (int i = 0; i < tr.length; i++) {
                        tr[i] = i;
                    }
                    for (int i = 0; i < va.length; i++) {
                        va[i] = nTrain + i;
                    }
                    return new ai.fastai4j.data.SplitIndices(tr, va);
                })
                .itemTfms(itemTfms.toArray(new ItemTransform[0]))
                .batchTfms(batchTfms)
                .build();
        return block.dataLoaders(items, options);
    }
}

package ai.fastai4j.cli;

import ai.fastai4j.data.BatchTransform;
import ai.fastai4j.data.DataLoaders;
import ai.fastai4j.data.ItemTransform;
import ai.fastai4j.vision.ImageDataLoaders;
import ai.fastai4j.vision.Resize;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/** Where the images and labels are, and how to batch them (shared by train, lr-find, interpret and export). */
final class DataOptions {
    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    static final class Source {
        @Option(names = "--data", paramLabel = "DIR",
                description = "Folder with train/<class>/ and valid/<class>/ image folders (or class folders with --valid-pct).")
        Path folder;

        @Option(names = "--csv", paramLabel = "FILE",
                description = "CSV file listing images (use with --fn-col and --label-col).")
        Path csv;
    }

    @Option(names = "--fn-col", defaultValue = "fname", description = "CSV column with image file names (default: ${DEFAULT-VALUE}).")
    String fnColumn;

    @Option(names = "--label-col", defaultValue = "label", description = "CSV column with labels (default: ${DEFAULT-VALUE}).")
    String labelColumn;

    @Option(names = "--valid-col", description = "CSV column marking validation rows (default: random split).")
    String validColumn;

    @Option(names = "--image-folder", defaultValue = "", description = "Folder the CSV file names are relative to (default: the CSV's folder).")
    String imageFolder;

    @Option(names = "--valid-pct", description = "Split at random with this share for validation instead of a valid/ folder.")
    Double validPct;

    @Option(names = "--size", description = "Resize (crop) images to this size; needed when images differ in size.")
    Integer size;

    @Option(names = "--grey", description = "Load images as one grey channel (default: RGB).")
    boolean grey;

    @Option(names = "--bs", defaultValue = "64", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--seed", defaultValue = "42", description = "Random seed for splitting, shuffling and weights (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--masks", paramLabel = "DIR",
            description = "Segmentation: folder of mask PNGs (palette or grey, pixel = class code) named as the images of --data "
                    + "(same name, or NAME.png, or NAME_P.png as CamVid); trains a U-Net.")
    Path masks;

    @Option(names = "--codes", paramLabel = "FILE",
            description = "Segmentation: the class names of the mask codes, one per line (default: codes.txt next to --masks).")
    Path codes;

    /** Whether these options describe segmentation data. */
    boolean segmentation() {
        return masks != null;
    }

    DataLoaders build() {
        return build(null);
    }

    /** Images of --data with their masks in --masks, a random --valid-pct (default 0.2) validating. */
    private DataLoaders buildSegmentation() {
        if (source.folder == null) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(new TrainCommand()),
                    "--masks goes with --data (the folder of the images)");
        }
        if (!java.nio.file.Files.isDirectory(masks)) {
            throw new ai.fastai4j.data.DataException("mask folder " + masks + " does not exist");
        }
        Path codesFile = codes != null ? codes : masks.toAbsolutePath().getParent().resolve("codes.txt");
        List<String> names;
        try {
            names = java.nio.file.Files.readAllLines(codesFile).stream().map(String::strip).filter(l -> !l.isEmpty())
                    .toList();
        } catch (java.io.IOException e) {
            throw new ai.fastai4j.data.DataException("cannot read the mask codes " + codesFile + " (one class name a "
                    + "line; give the file with --codes): " + e.getMessage(), e);
        }
        List<Path> files = ai.fastai4j.vision.ImageFiles.recursive(source.folder);
        ai.fastai4j.vision.SegmentationDataLoaders.Builder b = ai.fastai4j.vision.SegmentationDataLoaders
                .fromLabelFunc(source.folder, files, DataOptions.this::maskOf, names)
                .validPct(validPct != null ? validPct : 0.2);
        if (grey) {
            b.grey();
        }
        if (size != null) {
            b.itemTfms(Resize.squish(size));
        }
        return b.batchSize(batchSize).seed(seed).build();
    }

    /** The mask of {@code image}: same file name, NAME.png or NAME_P.png in --masks. */
    private Path maskOf(Path image) {
        String name = image.getFileName().toString();
        String stem = name.contains(".") ? name.substring(0, name.lastIndexOf('.')) : name;
        for (String candidate : List.of(name, stem + ".png", stem + "_P.png")) {
            Path p = masks.resolve(candidate);
            if (java.nio.file.Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new ai.fastai4j.data.DataException("no mask for image " + image + " in " + masks + " (looked for "
                + name + ", " + stem + ".png and " + stem + "_P.png)");
    }

    /** @throws UsageException for a batch size, split share or image size no data could have */
    void validate() {
        UsageException.atLeast("--bs", batchSize, 1);
        if (validPct != null) {
            UsageException.fraction("--valid-pct", validPct);
        }
        if (size != null) {
            UsageException.atLeast("--size", size, 1);
        }
    }

    /**
     * Builds the loaders. With {@code model} (the input settings of a model file) images are loaded as the model
     * was trained: its channels, item transforms and batch transforms replace {@code --grey} and {@code --size}.
     */
    DataLoaders build(ModelInputs model) {
        validate();
        if (masks != null && model == null) {
            return buildSegmentation();
        }
        ImageDataLoaders.Builder<?, ?> b;
        if (source.folder != null) {
            ImageDataLoaders.FolderBuilder fb = ImageDataLoaders.fromFolder(source.folder);
            if (validPct != null) {
                fb.randomSplit(validPct);
            }
            b = fb;
        } else {
            Path dir = source.csv.toAbsolutePath().getParent();
            ImageDataLoaders.CsvBuilder cb = ImageDataLoaders.fromCsv(dir, source.csv.getFileName().toString(),
                    fnColumn, labelColumn).folder(imageFolder);
            if (validColumn != null) {
                cb.validColumn(validColumn);
            }
            if (validPct != null) {
                cb.validPct(validPct);
            }
            b = cb;
        }
        if (model != null) {
            if (model.grey()) {
                b.grey();
            }
            b.itemTfms(model.itemTfms().toArray(new ItemTransform[0]));
            b.batchTfms(model.batchTfms());
        } else {
            if (grey) {
                b.grey();
            }
            if (size != null) {
                b.itemTfms(Resize.crop(size));
            }
        }
        return b.batchSize(batchSize).seed(seed).build();
    }

    /**
     * How a model file loads its images: grey or colour, and the item and batch transforms it was trained with
     * (batch transforms without those the image block adds itself).
     */
    record ModelInputs(boolean grey, List<ItemTransform> itemTfms, List<BatchTransform> batchTfms) {}
}

package ai.fastai4j.vision.data;

import ai.fastai4j.data.external.DatasetUnavailableException;
import ai.fastai4j.data.external.ExternalData;
import ai.fastai4j.data.external.URLs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Fashion-MNIST (Zalando Research, MIT licence): 60,000 train and 10,000 test 28x28 grey images of 10 kinds
 * of clothing, read from the four canonical IDX files.
 *
 * <pre>{@code
 * FashionMnist fm = FashionMnist.load(FashionMnist.locate());
 * }</pre>
 */
public final class FashionMnist {
    /** Class names, by label. */
    public static final List<String> CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
    /** File-system-safe folder names for the classes, by label (used by the embedded sample). */
    public static final List<String> CLASS_FOLDERS = List.of("t-shirt_top", "trouser", "pullover", "dress", "coat",
            "sandal", "shirt", "sneaker", "bag", "ankle_boot");

    /** Training images file name. */
    public static final String TRAIN_IMAGES = "train-images-idx3-ubyte.gz";
    /** Training labels file name. */
    public static final String TRAIN_LABELS = "train-labels-idx1-ubyte.gz";
    /** Test images file name. */
    public static final String TEST_IMAGES = "t10k-images-idx3-ubyte.gz";
    /** Test labels file name. */
    public static final String TEST_LABELS = "t10k-labels-idx1-ubyte.gz";

    /** dpkg's list of the files installed by Debian's {@code dataset-fashion-mnist} package. */
    static final Path DEBIAN_FILE_LIST = Path.of("/var/lib/dpkg/info/dataset-fashion-mnist.list");

    private final IdxImages trainImages;
    private final int[] trainLabels;
    private final IdxImages testImages;
    private final int[] testLabels;

    private FashionMnist(IdxImages trainImages, int[] trainLabels, IdxImages testImages, int[] testLabels) {
        this.trainImages = trainImages;
        this.trainLabels = trainLabels;
        this.testImages = testImages;
        this.testLabels = testLabels;
    }

    /**
     * Reads the four files from {@code folder}. Each may be gzipped ({@code .gz}) or plain (same name
     * without {@code .gz}).
     */
    public static FashionMnist load(Path folder) throws IOException {
        Path trainLabelsFile = file(folder, TRAIN_LABELS);
        Path testLabelsFile = file(folder, TEST_LABELS);
        IdxImages trainImages = IdxReader.readImages(file(folder, TRAIN_IMAGES));
        int[] trainLabels = IdxReader.readLabels(trainLabelsFile);
        IdxImages testImages = IdxReader.readImages(file(folder, TEST_IMAGES));
        int[] testLabels = IdxReader.readLabels(testLabelsFile);
        check(trainLabelsFile, trainImages, trainLabels);
        check(testLabelsFile, testImages, testLabels);
        return new FashionMnist(trainImages, trainLabels, testImages, testLabels);
    }

    /**
     * The folder holding the four files: a data folder or the cache ({@link ExternalData}), else Debian's
     * {@code dataset-fashion-mnist} package if installed, else downloaded into the cache.
     *
     * @throws DatasetUnavailableException when none is there and downloading is off or fails
     */
    public static Path locate() {
        ExternalData.Config config = ExternalData.Config.fromEnvironment();
        Optional<Path> found = ExternalData.find(URLs.FASHION_MNIST, config);
        if (found.isPresent()) {
            return found.get();
        }
        Optional<Path> debian = debianFolder(DEBIAN_FILE_LIST);
        if (debian.isPresent()) {
            return debian.get();
        }
        try {
            return ExternalData.untarData(URLs.FASHION_MNIST, config);
        } catch (DatasetUnavailableException e) {
            throw new DatasetUnavailableException(e.getMessage()
                    + "\n  - or, on Debian, install the package dataset-fashion-mnist (found through " + DEBIAN_FILE_LIST
                    + ")", e);
        }
    }

    /** The folder of an installed {@code dataset-fashion-mnist} package, read from dpkg's file list. */
    static Optional<Path> debianFolder(Path dpkgList) {
        if (!Files.isReadable(dpkgList)) {
            return Optional.empty();
        }
        try {
            for (String line : Files.readAllLines(dpkgList)) {
                String l = line.strip();
                if (l.endsWith("/" + TRAIN_IMAGES) || l.endsWith("/" + plain(TRAIN_IMAGES))) {
                    Path folder = Path.of(l).getParent();
                    if (hasAll(folder)) {
                        return Optional.of(folder);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /** Training images (60,000 in the full dataset). */
    public IdxImages trainImages() {
        return trainImages;
    }

    /** Training labels, 0..9 (index into {@link #CLASSES}). */
    public int[] trainLabels() {
        return trainLabels.clone();
    }

    /** Test images (10,000 in the full dataset). */
    public IdxImages testImages() {
        return testImages;
    }

    /** Test labels, 0..9. */
    public int[] testLabels() {
        return testLabels.clone();
    }

    @Override
    public String toString() {
        return "FashionMnist[train=" + trainImages.count() + ", test=" + testImages.count() + "]";
    }

    private static boolean hasAll(Path folder) {
        for (String name : List.of(TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS)) {
            if (!Files.isRegularFile(folder.resolve(name)) && !Files.isRegularFile(folder.resolve(plain(name)))) {
                return false;
            }
        }
        return true;
    }

    private static Path file(Path folder, String gzName) throws NoSuchFileException {
        Path gz = folder.resolve(gzName);
        if (Files.isRegularFile(gz)) {
            return gz;
        }
        Path plain = folder.resolve(plain(gzName));
        if (Files.isRegularFile(plain)) {
            return plain;
        }
        throw new NoSuchFileException(gz.toString(), null, "Fashion-MNIST file missing (also looked for "
                + plain.getFileName() + "); FashionMnist.locate() finds or downloads the dataset");
    }

    private static String plain(String gzName) {
        return gzName.substring(0, gzName.length() - ".gz".length());
    }

    private static void check(Path labelsFile, IdxImages images, int[] labels) throws IdxFormatException {
        if (images.count() != labels.length) {
            throw new IdxFormatException(labelsFile + ": " + labels.length + " labels for " + images.count()
                    + " images");
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] >= CLASSES.size()) {
                throw new IdxFormatException(labelsFile + ": label " + labels[i] + " at index " + i
                        + " is not a Fashion-MNIST class (0..9)");
            }
        }
    }
}

package ai.fastai4j.bench;

import ai.fastai4j.vision.Image;
import ai.fastai4j.vision.data.FashionMnist;
import ai.fastai4j.vision.data.IdxImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Fashion-MNIST for the benchmarks, as fastai4j {@link Image}s with their class names: the first {@code nTrain}
 * training images (the same ones {@code bench/python/train_twin.py} takes) and the first {@code nValid} test images
 * as the validation set.
 *
 * <p>Where the IDX files are read from, in order: {@code --data DIR} (a folder holding the four {@code .gz} files),
 * {@code ../shared/data/fashion-mnist} or {@code ../../shared/data/fashion-mnist} from the working directory
 * (the shared data of this workplace), then {@link FashionMnist#locate()} ({@code FASTAI4J_DATA}, the cache, or
 * Debian's {@code dataset-fashion-mnist} package).
 */
final class FashionData {
    final Path folder;
    final List<Image> trainImages;
    final List<String> trainLabels;
    final List<Image> validImages;
    final List<String> validLabels;
    /** All training pixels of the first nTrain images, image after image (for loops that need no Image objects). */
    final byte[] trainPixels;
    final int[] trainLabelIds;

    private FashionData(Path folder, FashionMnist fm, int nTrain, int nValid) {
        this.folder = folder;
        IdxImages tr = fm.trainImages();
        IdxImages te = fm.testImages();
        if (nTrain < 1 || nTrain > tr.count()) {
            throw new IllegalArgumentException("--images must be in 1.." + tr.count() + ", got " + nTrain);
        }
        if (nValid < 1 || nValid > te.count()) {
            throw new IllegalArgumentException("--valid must be in 1.." + te.count() + ", got " + nValid);
        }
        int[] trl = fm.trainLabels();
        int[] tel = fm.testLabels();
        trainImages = images(tr, nTrain);
        trainLabels = labels(trl, nTrain);
        validImages = images(te, nValid);
        validLabels = labels(tel, nValid);
        trainPixels = java.util.Arrays.copyOf(tr.pixels(), nTrain * tr.imageSize());
        trainLabelIds = java.util.Arrays.copyOf(trl, nTrain);
    }

    static FashionData load(String dataArg, int nTrain, int nValid) throws IOException {
        Path folder = locate(dataArg);
        return new FashionData(folder, FashionMnist.load(folder), nTrain, nValid);
    }

    static Path locate(String dataArg) {
        if (dataArg != null && !dataArg.isBlank()) {
            return Path.of(dataArg);
        }
        for (String c : List.of("../shared/data/fashion-mnist", "../../shared/data/fashion-mnist")) {
            Path p = Path.of(c);
            if (Files.isRegularFile(p.resolve(FashionMnist.TRAIN_IMAGES))) {
                return p.toAbsolutePath().normalize();
            }
        }
        return FashionMnist.locate();
    }

    private static List<Image> images(IdxImages idx, int n) {
        List<Image> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(new Image(idx.rows(), idx.cols(), 1, idx.image(i)));
        }
        return out;
    }

    /** Class names: the vocabulary is sorted, so the class index differs from the IDX label; accuracy does not care. */
    private static List<String> labels(int[] labels, int n) {
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(FashionMnist.CLASSES.get(labels[i]));
        }
        return out;
    }
}

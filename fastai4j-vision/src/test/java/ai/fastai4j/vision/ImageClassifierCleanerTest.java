package ai.fastai4j.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.fastai4j.data.DataLoaders;
import ai.fastai4j.data.Split;
import ai.fastai4j.learner.Learner;
import ai.fastai4j.vision.models.Arch;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cleaner on a tiny trained model: dark cats, bright dogs, one bright image filed as a cat. */
class ImageClassifierCleanerTest {
    @TempDir
    static Path dir;
    static Path data;
    static ImageClassifierCleaner cleaner;

    static void png(Path f, int level, Random r) throws Exception {
        Files.createDirectories(f.getParent());
        BufferedImage img = new BufferedImage(16, 16, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                img.getRaster().setSample(x, y, 0, Math.max(0, Math.min(255, level + r.nextInt(81) - 40)));
            }
        }
        ImageIO.write(img, "png", f.toFile());
    }

    @BeforeAll
    static void train() throws Exception {
        data = dir.resolve("data");
        Random r = new Random(3);
        for (int i = 0; i < 8; i++) {
            png(data.resolve("train/cat/c" + i + ".png"), 60, r);
            png(data.resolve("train/dog/d" + i + ".png"), 190, r);
        }
        for (int i = 0; i < 3; i++) {
            png(data.resolve("valid/cat/c" + i + ".png"), i == 2 ? 200 : 60, r);
            png(data.resolve("valid/dog/d" + i + ".png"), 190, r);
        }
        Engine.getInstance().setRandomSeed(1);
        try (DataLoaders dls = ImageDataLoaders.fromFolder(data).grey().batchSize(4).workers(0).build();
                Learner learn = VisionLearners.create(dls, Arch.SIMPLE_CNN, b -> b.progress(false).path(dir))) {
            learn.fit(2, 1e-2);
            cleaner = ImageClassifierCleaner.fromLearner(learn);
        }
    }

    @Test
    void listsEveryImageOfEachSplitByLossWithLabelPredictionAndProbability() {
        assertEquals(data.toAbsolutePath().normalize(), cleaner.journal().root());
        List<ImageClassifierCleaner.Item> train = cleaner.items(Split.TRAIN);
        List<ImageClassifierCleaner.Item> valid = cleaner.items(Split.VALID);
        assertEquals(16, train.size(), "every training image, none dropped");
        assertEquals(6, valid.size());
        Set<Path> files = new HashSet<>();
        for (List<ImageClassifierCleaner.Item> split : List.of(train, valid)) {
            for (int i = 0; i < split.size(); i++) {
                ImageClassifierCleaner.Item it = split.get(i);
                assertTrue(files.add(it.file()));
                assertEquals(it.file().getParent().getFileName().toString(), it.label());
                if (i > 0) {
                    assertTrue(split.get(i - 1).loss() >= it.loss(), "ordered by loss, highest first");
                }
                // cross-entropy of two classes: -log p(label), with p(label) = p(pred) or 1 - p(pred)
                double pLabel = it.prediction().equals(it.label()) ? it.probability() : 1 - it.probability();
                assertEquals(-Math.log(pLabel), it.loss(), 1e-4, it.toString());
                assertTrue(it.probability() >= 0.5 - 1e-6, "the prediction is the most probable class");
            }
        }
        // the bright cat looks like a dog: it leads the valid cats
        assertEquals("c2.png", cleaner.items(Split.VALID, "cat").get(0).file().getFileName().toString());
        assertEquals(3, cleaner.items(Split.VALID, "dog").size());
        assertThrows(IllegalArgumentException.class, () -> cleaner.items(Split.VALID, "cow"));
    }

    @Test
    void relabelDeleteAndUndoMoveTheFilesThroughTheJournal() throws Exception {
        ImageClassifierCleaner.Item bright = cleaner.items(Split.VALID, "cat").get(0);
        ImageClassifierCleaner.Item other = cleaner.items(Split.VALID, "dog").get(0);
        byte[] brightBytes = Files.readAllBytes(bright.file());
        byte[] otherBytes = Files.readAllBytes(other.file());
        int before = cleaner.journal().entries().size();

        Path relabelled = cleaner.relabel(bright, "dog");
        assertEquals(data.resolve("valid/dog").resolve(bright.file().getFileName()).toAbsolutePath(), relabelled);
        assertFalse(Files.exists(bright.file()));
        assertArrayEquals(brightBytes, Files.readAllBytes(relabelled));
        Path trashed = cleaner.delete(other);
        assertTrue(trashed.startsWith(cleaner.journal().root().resolve(DataSetJournal.TRASH)));
        assertArrayEquals(otherBytes, Files.readAllBytes(trashed));
        assertEquals(other.file(), cleaner.keep(other), "keep changes nothing");

        // applying twice changes nothing more
        assertEquals(relabelled, cleaner.relabel(bright, "dog"));
        assertEquals(trashed, cleaner.delete(other));
        assertEquals(before + 2, cleaner.journal().entries().size());
        assertThrows(IllegalArgumentException.class, () -> cleaner.relabel(bright, "cow"));

        assertEquals("trash", cleaner.undo().map(e -> cleaner.journal().entries().get((int) (e.undoes() - 1)).op())
                .orElseThrow());
        assertArrayEquals(otherBytes, Files.readAllBytes(other.file()));
        assertFalse(Files.exists(trashed));
        cleaner.undo();
        assertArrayEquals(brightBytes, Files.readAllBytes(bright.file()));
        assertFalse(Files.exists(relabelled));
    }
}

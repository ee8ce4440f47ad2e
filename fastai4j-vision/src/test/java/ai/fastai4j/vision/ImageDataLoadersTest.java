package ai.fastai4j.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.fastai4j.data.Batch;
import ai.fastai4j.data.DataException;
import ai.fastai4j.data.DataLoaders;
import ai.fastai4j.data.HostBatch;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageDataLoadersTest {
    @TempDir
    Path dir;

    /** A grey PNG whose every pixel is {@code value}. */
    private static void png(Path f, int size, int value) throws Exception {
        Files.createDirectories(f.getParent());
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                img.getRaster().setSample(x, y, 0, value);
            }
        }
        ImageIO.write(img, "png", f.toFile());
    }

    private void folders() throws Exception {
        for (int i = 0; i < 6; i++) {
            png(dir.resolve("train/cat/" + i + ".png"), 8, 10 + i);
            png(dir.resolve("train/dog/" + i + ".png"), 8, 200 + i);
        }
        png(dir.resolve("valid/cat/v.png"), 8, 20);
        png(dir.resolve("valid/dog/v.png"), 8, 210);
    }

    @Test
    void fromFolderLabelsByParentAndSplitsByGrandparent() throws Exception {
        folders();
        try (DataLoaders dls = ImageDataLoaders.fromFolder(dir).grey().batchSize(4).workers(2).build()) {
            assertEquals(List.of("cat", "dog"), dls.vocab());
            assertEquals(12, dls.train().numItems());
            assertEquals(2, dls.valid().numItems());
            assertEquals(3, dls.train().numBatches());
            HostBatch hb = dls.valid().oneBatch();
            try (NDManager m = NDManager.newBaseManager()) {
                Batch b = dls.valid().toBatch(hb, m);
                NDArray x = b.inputs().get(0);
                assertEquals(new Shape(2, 1, 8, 8), x.getShape());
                assertEquals(DataType.FLOAT32, x.getDataType());
                // pixel 20 of valid/cat/v.png becomes 20/255 after IntToFloatTensor
                assertEquals(20f / 255f, x.get(0, 0, 3, 3).getFloat(), 1e-6);
                assertEquals(210f / 255f, x.get(1, 0, 0, 0).getFloat(), 1e-6);
                assertArrayEquals(new long[] {0, 1}, b.targets().get(0).toLongArray());
            }
        }
    }

    @Test
    void emptyClassFolderIsSkippedWithAWarning() throws Exception {
        folders();
        Files.createDirectories(dir.resolve("train/bird"));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (DataLoaders dls = ImageDataLoaders.fromFolder(dir).grey().batchSize(4)
                .warnings(new PrintStream(err, true, StandardCharsets.UTF_8)).build()) {
            assertEquals(List.of("cat", "dog"), dls.vocab());
        }
        String warning = err.toString(StandardCharsets.UTF_8);
        assertTrue(warning.contains("train/bird") && warning.contains("no images"), warning);
    }

    @Test
    void corruptImageIsNamedWhenItsBatchLoads() throws Exception {
        folders();
        Files.writeString(dir.resolve("valid/dog/broken.png"), "this is not a png");
        try (DataLoaders dls = ImageDataLoaders.fromFolder(dir).grey().batchSize(4).build()) {
            DataException e = assertThrows(DataException.class, () -> dls.valid().oneBatch());
            assertTrue(e.getMessage().contains("broken.png"), e.getMessage());
        }
        List<String> bad = ImageFiles.verify(ImageFiles.recursive(dir));
        assertEquals(1, bad.size());
        assertTrue(bad.get(0).contains("broken.png"), bad.get(0));
    }

    @Test
    void validLabelUnseenInTrainingIsAClearError() throws Exception {
        folders();
        png(dir.resolve("valid/fish/f.png"), 8, 100);
        DataException e = assertThrows(DataException.class,
                () -> ImageDataLoaders.fromFolder(dir).grey().batchSize(4).build());
        assertTrue(e.getMessage().contains("'fish'") && e.getMessage().contains("f.png"), e.getMessage());
    }

    @Test
    void batchLargerThanTrainingSetIsAClearError() throws Exception {
        folders();
        DataException e = assertThrows(DataException.class,
                () -> ImageDataLoaders.fromFolder(dir).grey().batchSize(64).build());
        assertTrue(e.getMessage().contains("batch size 64") && e.getMessage().contains("12"), e.getMessage());
    }

    @Test
    void imagesOfDifferentSizesNeedAResize() throws Exception {
        folders();
        png(dir.resolve("train/cat/big.png"), 12, 50);
        try (DataLoaders dls = ImageDataLoaders.fromFolder(dir).grey().batchSize(13).build()) {
            DataException e = assertThrows(DataException.class, () -> dls.train().oneBatch());
            assertTrue(e.getMessage().contains("Resize"), e.getMessage());
        }
        try (DataLoaders dls = ImageDataLoaders.fromFolder(dir).grey().batchSize(13).itemTfms(Resize.squish(8)).build();
                NDManager m = NDManager.newBaseManager()) {
            Batch b = dls.train().toBatch(dls.train().oneBatch(), m);
            assertEquals(new Shape(13, 1, 8, 8), b.inputs().get(0).getShape());
        }
    }

    @Test
    void fromCsvNamesMissingColumnsAndFiles() throws Exception {
        folders();
        Files.writeString(dir.resolve("labels.csv"), "name,kind\ntrain/cat/0.png,cat\ntrain/dog/0.png,dog\n"
                + "train/cat/1.png,cat\ntrain/dog/1.png,dog\ntrain/cat/2.png,cat\ntrain/dog/2.png,dog\n");
        DataException missing = assertThrows(DataException.class,
                () -> ImageDataLoaders.fromCsv(dir, "labels.csv", "fname", "kind").batchSize(2).build());
        assertTrue(missing.getMessage().contains("labels.csv") && missing.getMessage().contains("'fname'"),
                missing.getMessage());
        try (DataLoaders dls = ImageDataLoaders.fromCsv(dir, "labels.csv", "name", "kind").grey().batchSize(2)
                .validPct(0.34).build()) {
            assertEquals(List.of("cat", "dog"), dls.vocab());
            assertEquals(4, dls.train().numItems());
            assertEquals(2, dls.valid().numItems());
        }
        Files.writeString(dir.resolve("bad.csv"), "name,kind\ntrain/cat/0.png,cat\nnope.png,cat\ntrain/cat/1.png,cat\n");
        DataException e;
        try (DataLoaders dls = ImageDataLoaders.fromCsv(dir, "bad.csv", "name", "kind").grey().batchSize(1)
                .validPct(0.34).build()) {
            e = assertThrows(DataException.class, () -> {
                for (ai.fastai4j.data.DataLoader dl : List.of(dls.train(), dls.valid())) {
                    try (ai.fastai4j.data.DataLoader.EpochIterator it = dl.epoch()) {
                        while (it.hasNext()) {
                            it.next();
                        }
                    }
                }
            });
        }
        assertTrue(e.getMessage().contains("nope.png"), e.getMessage());
    }

    @Test
    void resizeCropIsCentredOnValidationAndRandomOnTraining() {
        byte[] px = new byte[4 * 8];
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 8; x++) {
                px[y * 8 + x] = (byte) (x * 30);
            }
        }
        Image wide = new Image(4, 8, 1, px);
        Resize r = Resize.crop(4);
        Image centre = (Image) r.apply(List.of(wide), ai.fastai4j.data.Split.VALID, new java.util.Random(1)).get(0);
        assertEquals(4, centre.width());
        // the centred 4x4 window of an 8-wide image starts at column 2: value 60
        assertEquals(60, centre.pixels()[0] & 0xff);
        boolean moved = false;
        for (int seed = 0; seed < 20 && !moved; seed++) {
            Image c = (Image) r.apply(List.of(wide), ai.fastai4j.data.Split.TRAIN,
                    new java.util.Random(seed * 0x9E3779B97F4A7C15L + 7)).get(0);
            moved = (c.pixels()[0] & 0xff) != 60;
        }
        assertTrue(moved, "training crops should move");
    }
}

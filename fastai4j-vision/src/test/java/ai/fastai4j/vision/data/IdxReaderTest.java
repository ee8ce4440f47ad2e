package ai.fastai4j.vision.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {

    @TempDir
    Path tmp;

    /** IDX3 bytes: magic 2051, count, rows, cols, then pixel k of the whole file = (k * 7 + 3) mod 256. */
    static byte[] imagesBytes(int count, int rows, int cols) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(2051);
        out.writeInt(count);
        out.writeInt(rows);
        out.writeInt(cols);
        for (int k = 0; k < count * rows * cols; k++) {
            out.writeByte((k * 7 + 3) & 0xff);
        }
        return bytes.toByteArray();
    }

    static byte[] labelsBytes(int... labels) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(2049);
        out.writeInt(labels.length);
        for (int l : labels) {
            out.writeByte(l);
        }
        return bytes.toByteArray();
    }

    static Path write(Path file, byte[] content, boolean gzip) throws IOException {
        try (OutputStream raw = Files.newOutputStream(file);
             OutputStream out = gzip ? new GZIPOutputStream(raw) : raw) {
            out.write(content);
        }
        return file;
    }

    @Test
    void readsImagesGzipAndPlain() throws IOException {
        byte[] content = imagesBytes(3, 4, 5);
        for (boolean gz : new boolean[] {true, false}) {
            // the name says nothing: gzip is told by its magic bytes
            Path f = write(tmp.resolve("images-" + gz + ".idx"), content, gz);
            assertEquals(gz, IdxReader.isGzip(f));
            IdxImages images = IdxReader.readImages(f);
            assertEquals(3, images.count());
            assertEquals(4, images.rows());
            assertEquals(5, images.cols());
            assertArrayEquals(Arrays.copyOfRange(content, 16, content.length), images.pixels());
            // image 2, row 3, col 4 is pixel k = 2*20 + 3*5 + 4 = 59 of the file: (59*7+3) & 0xff = 160
            assertEquals(160, images.pixel(2, 3, 4));
            assertEquals(20, images.image(1).length);
            BufferedImage img = images.toBufferedImage(2);
            assertEquals(5, img.getWidth());
            assertEquals(4, img.getHeight());
            assertEquals(160, img.getRaster().getSample(4, 3, 0));
        }
    }

    @Test
    void readsLabelsGzipAndPlain() throws IOException {
        int[] labels = {0, 9, 3, 255, 7};
        for (boolean gz : new boolean[] {true, false}) {
            Path f = write(tmp.resolve("labels-" + gz), labelsBytes(labels), gz);
            assertArrayEquals(labels, IdxReader.readLabels(f));
        }
    }

    @Test
    void wrongMagicNamesTheFile() throws IOException {
        byte[] content = imagesBytes(1, 2, 2);
        content[3] = 0x09;
        Path f = write(tmp.resolve("bad-magic.gz"), content, true);
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxReader.readImages(f));
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("bad magic number 0x00000809"), e.getMessage());
    }

    @Test
    void labelsFileReadAsImagesSaysSo() throws IOException {
        Path f = write(tmp.resolve("labels.idx"), labelsBytes(1, 2), false);
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxReader.readImages(f));
        assertTrue(e.getMessage().contains("this is a labels file"), e.getMessage());
    }

    @Test
    void truncatedPlainFile() throws IOException {
        byte[] content = imagesBytes(2, 3, 3);
        Path f = write(tmp.resolve("short.idx"), Arrays.copyOf(content, content.length - 5), false);
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxReader.readImages(f));
        assertTrue(e.getMessage().contains("short.idx"), e.getMessage());
        assertTrue(e.getMessage().contains("truncated: header announces 18 pixel bytes, found 13"), e.getMessage());
    }

    @Test
    void truncatedGzipFile() throws IOException {
        Path whole = write(tmp.resolve("whole.gz"), imagesBytes(50, 28, 28), true);
        byte[] gz = Files.readAllBytes(whole);
        Path f = Files.write(tmp.resolve("cut.gz"), Arrays.copyOf(gz, gz.length / 2));
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxReader.readImages(f));
        assertTrue(e.getMessage().contains("cut.gz") && e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void tooShortHeaderAndTrailingBytes() throws IOException {
        Path empty = Files.write(tmp.resolve("empty.idx"), new byte[] {0, 0});
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxReader.readLabels(empty));
        assertTrue(e.getMessage().contains("empty.idx"), e.getMessage());

        byte[] labels = labelsBytes(1, 2, 3);
        Path longer = write(tmp.resolve("long.idx"), Arrays.copyOf(labels, labels.length + 1), false);
        e = assertThrows(IdxFormatException.class, () -> IdxReader.readLabels(longer));
        assertTrue(e.getMessage().contains("long.idx") && e.getMessage().contains("longer"), e.getMessage());

        byte[] header = imagesBytes(0, 1, 1);
        header[11] = 0; // rows = 0
        Path zeroRows = write(tmp.resolve("zero.idx"), header, false);
        e = assertThrows(IdxFormatException.class, () -> IdxReader.readImages(zeroRows));
        assertTrue(e.getMessage().contains("bad dimensions"), e.getMessage());
    }

    @Test
    void fashionMnistLoadsFourFilesGzipOrPlain() throws IOException {
        Path folder = Files.createDirectories(tmp.resolve("fm"));
        write(folder.resolve(FashionMnist.TRAIN_IMAGES), imagesBytes(4, 28, 28), true);
        write(folder.resolve(FashionMnist.TRAIN_LABELS), labelsBytes(0, 1, 9, 5), true);
        // the test split as plain files without ".gz"
        write(folder.resolve("t10k-images-idx3-ubyte"), imagesBytes(2, 28, 28), false);
        write(folder.resolve("t10k-labels-idx1-ubyte"), labelsBytes(8, 2), false);
        FashionMnist fm = FashionMnist.load(folder);
        assertEquals(4, fm.trainImages().count());
        assertArrayEquals(new int[] {0, 1, 9, 5}, fm.trainLabels());
        assertEquals(2, fm.testImages().count());
        assertArrayEquals(new int[] {8, 2}, fm.testLabels());
        assertEquals("Ankle boot", FashionMnist.CLASSES.get(fm.trainLabels()[2]));
        assertEquals(10, FashionMnist.CLASS_FOLDERS.size());
    }

    @Test
    void fashionMnistChecksCountsLabelsAndMissingFiles() throws IOException {
        Path folder = Files.createDirectories(tmp.resolve("fm"));
        write(folder.resolve(FashionMnist.TRAIN_IMAGES), imagesBytes(2, 28, 28), true);
        write(folder.resolve(FashionMnist.TRAIN_LABELS), labelsBytes(0, 1, 2), true);
        write(folder.resolve(FashionMnist.TEST_IMAGES), imagesBytes(1, 28, 28), true);
        NoSuchFileException missing = assertThrows(NoSuchFileException.class, () -> FashionMnist.load(folder));
        assertTrue(missing.getMessage().contains(FashionMnist.TEST_LABELS), missing.getMessage());

        write(folder.resolve(FashionMnist.TEST_LABELS), labelsBytes(3), true);
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> FashionMnist.load(folder));
        assertTrue(e.getMessage().contains("3 labels for 2 images"), e.getMessage());

        write(folder.resolve(FashionMnist.TRAIN_LABELS), labelsBytes(0, 10), true);
        e = assertThrows(IdxFormatException.class, () -> FashionMnist.load(folder));
        assertTrue(e.getMessage().contains("label 10 at index 1"), e.getMessage());
    }

    @Test
    void findsDebianPackageFolderFromDpkgList() throws IOException {
        Path pkg = Files.createDirectories(tmp.resolve("usr/share/fashion"));
        for (String name : List.of(FashionMnist.TRAIN_IMAGES, FashionMnist.TRAIN_LABELS, FashionMnist.TEST_IMAGES,
                FashionMnist.TEST_LABELS)) {
            Files.write(pkg.resolve(name), new byte[] {1});
        }
        Path list = Files.writeString(tmp.resolve("dataset-fashion-mnist.list"),
                "/.\n/usr\n" + pkg + "\n" + pkg.resolve(FashionMnist.TRAIN_IMAGES) + "\n");
        assertEquals(Optional.of(pkg), FashionMnist.debianFolder(list));
        Files.delete(pkg.resolve(FashionMnist.TEST_LABELS));
        assertFalse(FashionMnist.debianFolder(list).isPresent());
        assertFalse(FashionMnist.debianFolder(tmp.resolve("absent.list")).isPresent());
    }
}

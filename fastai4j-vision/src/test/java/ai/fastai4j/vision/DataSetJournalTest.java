package ai.fastai4j.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ImageFiles#verify(Path, boolean)} over a whole data set, and moving files aside through the journal. */
class DataSetJournalTest {
    @TempDir
    Path dir;

    static void png(Path f, int seed) throws Exception {
        Files.createDirectories(f.getParent());
        BufferedImage img = new BufferedImage(16, 16, BufferedImage.TYPE_BYTE_GRAY);
        java.util.Random r = new java.util.Random(seed);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                img.getRaster().setSample(x, y, 0, r.nextInt(256));
            }
        }
        ImageIO.write(img, "png", f.toFile());
    }

    /** Three good images and three bad ones: a truncated PNG, a text file named .jpg, an empty file. */
    private Path dataSet() throws Exception {
        Path root = dir.resolve("data");
        png(root.resolve("train/cat/good1.png"), 1);
        png(root.resolve("train/dog/good2.png"), 2);
        png(root.resolve("valid/cat/good3.png"), 3);
        Path whole = root.resolve("train/dog/cut.png");
        png(whole, 4);
        byte[] bytes = Files.readAllBytes(whole);
        Files.write(whole, Arrays.copyOf(bytes, bytes.length / 2)); // the header survives, the pixel data does not
        Files.writeString(root.resolve("train/cat/notes.jpg"), "not a picture", StandardCharsets.UTF_8);
        Files.write(root.resolve("valid/cat/empty.png"), new byte[0]);
        return root;
    }

    /** Every file under {@code root} (journal included) with its bytes. */
    private static Map<String, byte[]> snapshot(Path root, boolean withJournal) throws Exception {
        Map<String, byte[]> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                String rel = root.relativize(p).toString();
                if (withJournal || !rel.equals(DataSetJournal.JOURNAL)) {
                    m.put(rel, Files.readAllBytes(p));
                }
            }
        }
        return m;
    }

    private static void assertSameFiles(Map<String, byte[]> want, Map<String, byte[]> got) {
        assertEquals(want.keySet(), got.keySet());
        want.forEach((k, v) -> assertArrayEquals(v, got.get(k), k));
    }

    @Test
    void fullCheckReportsEveryBadFileWithItsReasonInOneCall() throws Exception {
        Path root = dataSet();
        List<ImageFiles.BadImage> bad = ImageFiles.verify(root, true);
        assertEquals(List.of(root.resolve("train/cat/notes.jpg"), root.resolve("train/dog/cut.png"),
                root.resolve("valid/cat/empty.png")), bad.stream().map(ImageFiles.BadImage::file).toList());
        assertTrue(bad.get(0).reason().contains("is not an image"), bad.get(0).reason());
        assertTrue(bad.get(1).reason().startsWith("truncated or corrupt"), bad.get(1).reason());
        assertTrue(bad.get(2).reason().contains("is not an image"), bad.get(2).reason());
        for (ImageFiles.BadImage b : bad) {
            assertTrue(b.reason().contains(b.file().toString()), b.reason());
        }
        // the fast check reads headers: it finds the two non-images, not the PNG cut after its header
        assertEquals(List.of(root.resolve("train/cat/notes.jpg"), root.resolve("valid/cat/empty.png")),
                ImageFiles.verify(root).stream().map(ImageFiles.BadImage::file).toList());
    }

    @Test
    void headerCheckRefusesTooManyPixelsWithoutDecoding() throws Exception {
        Path root = dir.resolve("big");
        Files.createDirectories(root);
        // a PNG header declaring 20000x20000 pixels (400 megapixels) and no pixel data at all
        byte[] sig = {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10};
        java.nio.ByteBuffer ihdr = java.nio.ByteBuffer.allocate(8 + 13 + 4);
        ihdr.putInt(13).put("IHDR".getBytes(StandardCharsets.US_ASCII)).putInt(20000).putInt(20000)
                .put((byte) 8).put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 0);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(ihdr.array(), 4, 17);
        ihdr.putInt((int) crc.getValue());
        Path f = root.resolve("huge.png");
        Files.write(f, concat(sig, ihdr.array()));
        List<ImageFiles.BadImage> bad = ImageFiles.verify(root);
        assertEquals(1, bad.size());
        assertTrue(bad.get(0).reason().contains("20000x20000"), bad.get(0).reason());
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    @Test
    void movingBadFilesAsideAndUndoingRestoresTheExactFiles() throws Exception {
        Path root = dataSet();
        Map<String, byte[]> before = snapshot(root, true);
        DataSetJournal journal = DataSetJournal.of(root);
        for (ImageFiles.BadImage b : ImageFiles.verify(root, true)) {
            journal.trash(b.file(), b.reason());
        }
        assertTrue(ImageFiles.verify(root, true).isEmpty(), "the trash folder is not checked");
        assertEquals(3, ImageFiles.recursive(root).size());
        Path trashed = root.resolve(DataSetJournal.TRASH).resolve("train/dog/cut.png");
        assertArrayEquals(before.get("train/dog/cut.png"), Files.readAllBytes(trashed));
        List<DataSetJournal.Entry> lines = journal.entries();
        assertEquals(List.of("trash", "trash", "trash"), lines.stream().map(DataSetJournal.Entry::op).toList());
        assertEquals("train/dog/cut.png", lines.get(1).from());
        assertEquals(DataSetJournal.TRASH + "/train/dog/cut.png", lines.get(1).to());

        // applying the same moves again changes nothing more, journal included
        Map<String, byte[]> moved = snapshot(root, true);
        for (DataSetJournal.Entry e : lines) {
            assertEquals(root.resolve(e.to()), journal.trash(root.resolve(e.from()), "again"));
        }
        assertSameFiles(moved, snapshot(root, true));

        for (int i = 0; i < 3; i++) {
            assertTrue(journal.undo().isPresent());
        }
        assertFalse(journal.undo().isPresent(), "nothing left to undo");
        Map<String, byte[]> after = snapshot(root, false);
        after.keySet().removeIf(k -> k.startsWith(DataSetJournal.TRASH));
        Map<String, byte[]> want = new TreeMap<>(before);
        assertSameFiles(want, after);
        assertEquals(6, journal.entries().size(), "undo appends, it never rewrites the journal");
    }

    @Test
    void aNameClashKeepsBothFiles() throws Exception {
        Path root = dir.resolve("clash");
        png(root.resolve("train/cat/x.png"), 1);
        png(root.resolve("train/dog/x.png"), 2);
        byte[] cat = Files.readAllBytes(root.resolve("train/cat/x.png"));
        byte[] dog = Files.readAllBytes(root.resolve("train/dog/x.png"));
        DataSetJournal journal = DataSetJournal.of(root);
        Path moved = journal.relabel(root.resolve("train/cat/x.png"), "dog");
        assertEquals(root.resolve("train/dog/x-1.png"), moved);
        assertArrayEquals(dog, Files.readAllBytes(root.resolve("train/dog/x.png")));
        assertArrayEquals(cat, Files.readAllBytes(moved));
        // a new file took the old place: undo keeps it, and brings the moved one back next to it
        png(root.resolve("train/cat/x.png"), 3);
        byte[] newcomer = Files.readAllBytes(root.resolve("train/cat/x.png"));
        DataSetJournal.Entry u = journal.undo().orElseThrow();
        assertEquals("train/cat/x-1.png", u.to());
        assertArrayEquals(newcomer, Files.readAllBytes(root.resolve("train/cat/x.png")));
        assertArrayEquals(cat, Files.readAllBytes(root.resolve("train/cat/x-1.png")));
        assertArrayEquals(dog, Files.readAllBytes(root.resolve("train/dog/x.png")));
    }
}

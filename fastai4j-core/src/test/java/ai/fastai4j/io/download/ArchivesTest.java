package ai.fastai4j.io.download;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.fastai4j.io.download.Archives;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

public class ArchivesTest {

    @TempDir
    Path tmp;

    public static Map<String, String> sampleEntries() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("ds/train/a/1.txt", "one");
        m.put("ds/valid/b/2.txt", "two");
        m.put("ds/labels.csv", "name,label\n1,a\n");
        return m;
    }

    /** How {@link #tgz} writes names longer than 100 bytes. */
    enum LongNames { GNU, PAX }

    /** Writes a tar.gz with the given entries (no directory entries, like many real archives). */
    public static Path tgz(Path file, Map<String, String> entries) throws IOException {
        return tgz(file, entries, LongNames.PAX);
    }

    /** Writes a tar.gz; names over 100 bytes use a GNU 'L' record or a pax 'x' header. */
    static Path tgz(Path file, Map<String, String> entries, LongNames longNames) throws IOException {
        try (OutputStream gz = new GZIPOutputStream(Files.newOutputStream(file))) {
            for (Map.Entry<String, String> e : entries.entrySet()) {
                byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
                byte[] data = e.getValue().getBytes(StandardCharsets.UTF_8);
                if (name.length > 100) {
                    byte[] meta;
                    if (longNames == LongNames.GNU) {
                        meta = Arrays.copyOf(name, name.length + 1);
                        writeEntry(gz, "././@LongLink", 'L', meta);
                    } else {
                        String rec = " path=" + e.getKey() + "\n";
                        int len = rec.getBytes(StandardCharsets.UTF_8).length;
                        len += String.valueOf(len + String.valueOf(len).length()).length();
                        meta = (len + rec).getBytes(StandardCharsets.UTF_8);
                        writeEntry(gz, "PaxHeaders/x", 'x', meta);
                    }
                    writeEntry(gz, e.getKey().substring(0, 100), '0', data);
                } else {
                    writeEntry(gz, e.getKey(), '0', data);
                }
            }
            gz.write(new byte[1024]); // two zero blocks end the archive
        }
        return file;
    }

    private static void writeEntry(OutputStream out, String name, char type, byte[] data) throws IOException {
        byte[] h = new byte[512];
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(n, 0, h, 0, Math.min(100, n.length));
        octal(h, 100, 8, 0644);
        octal(h, 108, 8, 0);
        octal(h, 116, 8, 0);
        octal(h, 124, 12, data.length);
        octal(h, 136, 12, 1_500_000_000L);
        h[156] = (byte) type;
        System.arraycopy("ustar\0" .getBytes(StandardCharsets.US_ASCII), 0, h, 257, 6);
        h[263] = '0';
        h[264] = '0';
        Arrays.fill(h, 148, 156, (byte) ' ');
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        octal(h, 148, 7, sum);
        out.write(h);
        out.write(data);
        out.write(new byte[(512 - data.length % 512) % 512]);
    }

    private static void octal(byte[] h, int off, int len, long v) {
        String s = String.format("%0" + (len - 1) + "o", v);
        System.arraycopy(s.getBytes(StandardCharsets.US_ASCII), 0, h, off, len - 1);
        h[off + len - 1] = 0;
    }

    public static Path zip(Path file, Map<String, String> entries) throws IOException {
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            for (Map.Entry<String, String> e : entries.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey()));
                zip.write(e.getValue().getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
            }
        }
        return file;
    }

    private static void assertExtracted(Path dest) throws IOException {
        for (Map.Entry<String, String> e : sampleEntries().entrySet()) {
            assertEquals(e.getValue(), Files.readString(dest.resolve(e.getKey())), e.getKey());
        }
    }

    @Test
    void extractsTgz() throws IOException {
        Path archive = tgz(tmp.resolve("ds.tgz"), sampleEntries());
        assertEquals(Archives.Format.TAR_GZ, Archives.detect(archive));
        Archives.extract(archive, tmp.resolve("out"));
        assertExtracted(tmp.resolve("out"));
    }

    @Test
    void extractsZip() throws IOException {
        Path archive = zip(tmp.resolve("ds.bin"), sampleEntries()); // format from magic bytes, not the name
        assertEquals(Archives.Format.ZIP, Archives.detect(archive));
        Archives.extract(archive, tmp.resolve("out"));
        assertExtracted(tmp.resolve("out"));
    }

    @Test
    void readsGnuAndPaxLongNames() throws IOException {
        String longName = "ds/" + "d".repeat(120) + "/" + "f".repeat(110) + ".txt";
        for (LongNames mode : LongNames.values()) {
            Map<String, String> entries = new LinkedHashMap<>(sampleEntries());
            entries.put(longName, "long " + mode);
            Path out = tmp.resolve("out-" + mode);
            Archives.extract(tgz(tmp.resolve(mode + ".tgz"), entries, mode), out);
            assertExtracted(out);
            assertEquals("long " + mode, Files.readString(out.resolve(longName)));
        }
    }

    @Test
    void rejectsDamagedTarHeader() throws IOException {
        Path archive = tgz(tmp.resolve("ok.tgz"), sampleEntries());
        byte[] tar;
        try (java.io.InputStream in = new java.util.zip.GZIPInputStream(Files.newInputStream(archive))) {
            tar = in.readAllBytes();
        }
        tar[10] ^= 0x55; // corrupt the first name: the header checksum no longer matches
        Path bad = tmp.resolve("bad.tgz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(bad))) {
            out.write(tar);
        }
        IOException e = assertThrows(IOException.class, () -> Archives.extract(bad, tmp.resolve("out")));
        assertTrue(e.getMessage().contains("bad.tgz") && e.getMessage().contains("checksum"), e.getMessage());
    }

    @Test
    void refusesParentTraversalInTgz() throws IOException {
        Map<String, String> entries = new LinkedHashMap<>(sampleEntries());
        entries.put("../evil", "pwned");
        Path archive = tgz(tmp.resolve("evil.tgz"), entries);
        Path out = tmp.resolve("sub/out");
        IOException e = assertThrows(IOException.class, () -> Archives.extract(archive, out));
        assertTrue(e.getMessage().contains("../evil"), e.getMessage());
        assertTrue(e.getMessage().contains("evil.tgz"), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("sub/evil")));
    }

    @Test
    void refusesParentTraversalInZip() throws IOException {
        Map<String, String> entries = new LinkedHashMap<>();
        entries.put("ok.txt", "fine");
        entries.put("a/../../evil", "pwned");
        Path archive = zip(tmp.resolve("evil.zip"), entries);
        Path out = tmp.resolve("sub/out");
        IOException e = assertThrows(IOException.class, () -> Archives.extract(archive, out));
        assertTrue(e.getMessage().contains("a/../../evil"), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("sub/evil")));
    }

    @Test
    void refusesAbsolutePaths() throws IOException {
        Path archive = tgz(tmp.resolve("abs.tgz"), Map.of(tmp.resolve("abs-evil").toString(), "pwned"));
        assertThrows(IOException.class, () -> Archives.extract(archive, tmp.resolve("out")));
        assertFalse(Files.exists(tmp.resolve("abs-evil")));
    }

    @Test
    void rejectsUnknownFormat() throws IOException {
        Path notArchive = Files.writeString(tmp.resolve("x.tgz"), "just text, not an archive");
        IOException e = assertThrows(IOException.class, () -> Archives.extract(notArchive, tmp.resolve("out")));
        assertTrue(e.getMessage().contains("x.tgz"), e.getMessage());
    }
}

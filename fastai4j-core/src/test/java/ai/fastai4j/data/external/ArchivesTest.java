package ai.fastai4j.data.external;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.fastai4j.data.external.internal.Archives;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArchivesTest {

    @TempDir
    Path tmp;

    static Map<String, String> sampleEntries() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("ds/train/a/1.txt", "one");
        m.put("ds/valid/b/2.txt", "two");
        m.put("ds/labels.csv", "name,label\n1,a\n");
        return m;
    }

    /** Writes a tar.gz with the given entries (no directory entries, like many real archives). */
    static Path tgz(Path file, Map<String, String> entries, boolean preserveAbsolute) throws IOException {
        try (OutputStream out = Files.newOutputStream(file);
             GZIPOutputStream gz = new GZIPOutputStream(out);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(gz)) {
            for (Map.Entry<String, String> e : entries.entrySet()) {
                byte[] data = e.getValue().getBytes(StandardCharsets.UTF_8);
                TarArchiveEntry entry = new TarArchiveEntry(e.getKey(), preserveAbsolute);
                entry.setSize(data.length);
                tar.putArchiveEntry(entry);
                tar.write(data);
                tar.closeArchiveEntry();
            }
        }
        return file;
    }

    static Path zip(Path file, Map<String, String> entries) throws IOException {
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
        Path archive = tgz(tmp.resolve("ds.tgz"), sampleEntries(), false);
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
    void refusesParentTraversalInTgz() throws IOException {
        Map<String, String> entries = new LinkedHashMap<>(sampleEntries());
        entries.put("../evil", "pwned");
        Path archive = tgz(tmp.resolve("evil.tgz"), entries, false);
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
        Path archive = tgz(tmp.resolve("abs.tgz"), Map.of(tmp.resolve("abs-evil").toString(), "pwned"), true);
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

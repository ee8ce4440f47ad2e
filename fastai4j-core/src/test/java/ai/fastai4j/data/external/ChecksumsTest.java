package ai.fastai4j.data.external;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.fastai4j.data.external.DatasetSpec.Resource;
import ai.fastai4j.data.external.internal.Checksums;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChecksumsTest {
    // Known answers: SHA-256 and MD5 of the ASCII string "abc" (FIPS 180-2, RFC 1321).
    static final String ABC_SHA256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    static final String ABC_MD5 = "900150983cd24fb0d6963f7d28e17f72";

    @TempDir
    Path tmp;

    private Path abc() throws IOException {
        return Files.write(tmp.resolve("abc.bin"), "abc".getBytes(StandardCharsets.US_ASCII));
    }

    private static Resource resource(long size, String sha256, String md5) {
        return new Resource("abc.bin", List.of(URI.create("https://example.invalid/abc.bin")), size, sha256, md5);
    }

    @Test
    void digestsMatchKnownAnswers() throws IOException {
        Path f = abc();
        assertEquals(ABC_SHA256, Checksums.sha256(f));
        assertEquals(ABC_MD5, Checksums.md5(f));
    }

    @Test
    void verifyPasses() throws IOException {
        Path f = abc();
        Checksums.verify(f, resource(3, ABC_SHA256.toUpperCase(), null), "test");
        Checksums.verify(f, resource(-1, null, ABC_MD5), "test");
        Checksums.verify(f, resource(-1, null, null), "test"); // nothing recorded: not verified, kept
        assertTrue(Files.exists(f));
    }

    @Test
    void wrongSha256IsRefusedAndFileDeleted() throws IOException {
        Path f = abc();
        String wrong = "0".repeat(64);
        ChecksumMismatchException e = assertThrows(ChecksumMismatchException.class,
                () -> Checksums.verify(f, resource(3, wrong, null), "http://127.0.0.1/abc.bin"));
        assertEquals(wrong, e.expected());
        assertEquals(ABC_SHA256, e.actual());
        assertTrue(e.getMessage().contains("SHA-256 mismatch for abc.bin"), e.getMessage());
        assertTrue(e.getMessage().contains("http://127.0.0.1/abc.bin"), e.getMessage());
        assertFalse(Files.exists(f));
    }

    @Test
    void wrongMd5IsRefused() throws IOException {
        Path f = abc();
        assertThrows(ChecksumMismatchException.class, () -> Checksums.verify(f, resource(3, null, "f".repeat(32)), null));
        assertFalse(Files.exists(f));
    }

    @Test
    void wrongSizeIsRefused() throws IOException {
        Path f = abc();
        ChecksumMismatchException e = assertThrows(ChecksumMismatchException.class,
                () -> Checksums.verify(f, resource(4, ABC_SHA256, null), null));
        assertTrue(e.getMessage().contains("size mismatch"), e.getMessage());
        assertFalse(Files.exists(f));
    }

    @Test
    void specRejectsBadValues() {
        URI u = URI.create("https://example.invalid/x.tgz");
        assertThrows(IllegalArgumentException.class, () -> new Resource("x.tgz", List.of(u), -1, "abc", null));
        assertThrows(IllegalArgumentException.class, () -> new Resource("../x.tgz", List.of(u), -1, null, null));
        assertThrows(IllegalArgumentException.class, () -> new Resource("x.tgz", List.of(), -1, null, null));
        Resource r = Resource.md5(u, 10, ABC_MD5);
        assertEquals("x.tgz", r.fileName());
        assertThrows(IllegalArgumentException.class, () -> DatasetSpec.archive("x", "a/b", r));
        assertThrows(IllegalArgumentException.class, () -> DatasetSpec.archive("x", "..", r));
        assertThrows(IllegalArgumentException.class, () -> DatasetSpec.files("x", "x", List.of(r, r)));
    }

    @Test
    void registryEntriesAreWellFormed() {
        for (DatasetSpec spec : List.of(URLs.FASHION_MNIST, URLs.FASHION_MNIST_SAMPLE, URLs.MNIST_SAMPLE, URLs.PETS,
                URLs.IMAGENETTE_160, URLs.CAMVID_TINY, URLs.CAMVID)) {
            assertTrue(spec.verified(), spec.name());
        }
        assertEquals(4, URLs.FASHION_MNIST.resources().size());
        assertEquals(DatasetSpec.Layout.FILES, URLs.FASHION_MNIST.layout());
        assertEquals("train-images-idx3-ubyte.gz", URLs.FASHION_MNIST.resources().get(0).fileName());
        assertEquals(2, URLs.FASHION_MNIST.resources().get(0).urls().size());
        assertEquals("oxford-iiit-pet.tgz", URLs.PETS.resources().get(0).fileName());
    }
}

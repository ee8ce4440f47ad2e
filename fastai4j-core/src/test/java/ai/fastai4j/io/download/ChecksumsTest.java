package ai.fastai4j.io.download;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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

    private static Checksums.Expected resource(long size, String sha256, String md5) {
        return new Checksums.Expected("abc.bin", size, sha256, md5);
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
}

package ai.fastai4j.io.download;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** File digests and their verification against {@link Expected} values. */
public final class Checksums {
    private static final System.Logger LOG = System.getLogger(Checksums.class.getName());

    private Checksums() {
    }

    /**
     * What a file should be: its name (for messages), its size in bytes (negative: unknown) and its lowercase hex
     * SHA-256 and/or MD5 (null: not recorded).
     */
    public record Expected(String fileName, long size, String sha256, String md5) {
        public Expected {
            sha256 = sha256 == null ? null : sha256.toLowerCase(java.util.Locale.ROOT);
            md5 = md5 == null ? null : md5.toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Lowercase hex SHA-256 of a file. */
    public static String sha256(Path file) throws IOException {
        return digest(file, "SHA-256");
    }

    /** Lowercase hex MD5 of a file. */
    public static String md5(Path file) throws IOException {
        return digest(file, "MD5");
    }

    /** Lowercase hex digest of a file with the named {@link MessageDigest} algorithm. */
    public static String digest(Path file, String algorithm) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is not available in this JVM", e);
        }
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /**
     * Checks a file's size and SHA-256 (or MD5 when no SHA-256 is recorded). On mismatch the file is deleted
     * and {@link ChecksumMismatchException} thrown. With no digest recorded, logs that it is not verified.
     *
     * @param source where the file came from, for the message (may be null)
     */
    public static void verify(Path file, Expected expected, String source) throws IOException {
        if (expected.size() >= 0) {
            long size = Files.size(file);
            if (size != expected.size()) {
                Files.deleteIfExists(file);
                throw new ChecksumMismatchException(file, expected.fileName(), source, "size", expected.size() + " bytes",
                        size + " bytes");
            }
        }
        String algorithm;
        String want;
        if (expected.sha256() != null) {
            algorithm = "SHA-256";
            want = expected.sha256();
        } else if (expected.md5() != null) {
            algorithm = "MD5";
            want = expected.md5();
        } else {
            LOG.log(System.Logger.Level.WARNING, "{0}: no checksum recorded, file not verified", expected.fileName());
            return;
        }
        String got = digest(file, algorithm);
        if (!got.equals(want)) {
            Files.deleteIfExists(file);
            throw new ChecksumMismatchException(file, expected.fileName(), source, algorithm, want, got);
        }
    }
}

package ai.fastai4j.io.download;

import java.nio.file.Path;

/**
 * A downloaded or cached file's size or digest differs from the one recorded; the file has been deleted. Thrown by
 * dataset downloads ({@code ExternalData}) and pretrained weights alike.
 */
public class ChecksumMismatchException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final String expected;
    private final String actual;

    /**
     * @param file the file checked (already deleted)
     * @param fileName the name to report (the file may be a temporary download)
     * @param source where it came from, or null
     */
    public ChecksumMismatchException(Path file, String fileName, String source, String algorithm, String expected,
            String actual) {
        super(algorithm + " mismatch for " + fileName + (source == null ? "" : " from " + source)
                + ": expected " + expected + ", got " + actual
                + ". The file was deleted; it is corrupt, truncated or not the published version.");
        this.file = file;
        this.expected = expected;
        this.actual = actual;
    }

    /** The file that failed the check (already deleted). */
    public Path file() {
        return file;
    }

    /** The recorded value. */
    public String expected() {
        return expected;
    }

    /** The value found. */
    public String actual() {
        return actual;
    }
}

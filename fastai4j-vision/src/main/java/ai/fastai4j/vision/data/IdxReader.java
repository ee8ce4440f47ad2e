package ai.fastai4j.vision.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads MNIST-format IDX files of unsigned bytes: images (magic 2051) and labels (magic 2049), gzipped or
 * plain (told apart by the gzip magic bytes {@code 1f 8b}, not by the name). The magic number, dimensions and
 * exact length are checked; errors name the file.
 */
public final class IdxReader {
    /** Magic number of an IDX3 unsigned-byte file (images). */
    public static final int IMAGES_MAGIC = 0x0803;
    /** Magic number of an IDX1 unsigned-byte file (labels). */
    public static final int LABELS_MAGIC = 0x0801;

    private IdxReader() {
    }

    /** Reads an images file (magic 2051: count, rows, cols, then the pixels). */
    public static IdxImages readImages(Path file) throws IOException {
        try (DataInputStream in = open(file)) {
            checkMagic(file, in, IMAGES_MAGIC);
            int count = in.readInt();
            int rows = in.readInt();
            int cols = in.readInt();
            if (count < 0 || rows <= 0 || cols <= 0) {
                throw new IdxFormatException(file + ": bad dimensions " + count + " x " + rows + " x " + cols);
            }
            long size = (long) count * rows * cols;
            if (size > Integer.MAX_VALUE - 8) {
                throw new IdxFormatException(file + ": " + count + " x " + rows + " x " + cols
                        + " images are too many for one array");
            }
            byte[] pixels = readBody(file, in, (int) size, "pixel");
            return new IdxImages(count, rows, cols, pixels);
        } catch (EOFException | ZipException e) {
            throw truncated(file, e);
        }
    }

    /** Reads a labels file (magic 2049: count, then one unsigned byte per label). */
    public static int[] readLabels(Path file) throws IOException {
        try (DataInputStream in = open(file)) {
            checkMagic(file, in, LABELS_MAGIC);
            int count = in.readInt();
            if (count < 0) {
                throw new IdxFormatException(file + ": bad label count " + count);
            }
            byte[] raw = readBody(file, in, count, "label");
            int[] labels = new int[count];
            for (int i = 0; i < count; i++) {
                labels[i] = raw[i] & 0xff;
            }
            return labels;
        } catch (EOFException | ZipException e) {
            throw truncated(file, e);
        }
    }

    /** True when the file starts with the gzip magic bytes. */
    public static boolean isGzip(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.read() == 0x1f && in.read() == 0x8b;
        }
    }

    private static DataInputStream open(Path file) throws IOException {
        boolean gz = isGzip(file);
        InputStream raw = Files.newInputStream(file);
        try {
            InputStream in = gz ? new GZIPInputStream(raw, 1 << 16) : raw;
            return new DataInputStream(new BufferedInputStream(in, 1 << 16));
        } catch (IOException e) {
            raw.close();
            throw truncated(file, e);
        }
    }

    private static void checkMagic(Path file, DataInputStream in, int expected) throws IOException {
        int magic;
        try {
            magic = in.readInt();
        } catch (EOFException e) {
            throw new IdxFormatException(file + ": too short to be an IDX file", e);
        }
        if (magic != expected) {
            String hint = magic == IMAGES_MAGIC ? " (this is an images file)"
                    : magic == LABELS_MAGIC ? " (this is a labels file)" : "";
            throw new IdxFormatException(String.format("%s: bad magic number 0x%08x (%d)%s, expected %d for an IDX %s file",
                    file, magic, magic, hint, expected, expected == IMAGES_MAGIC ? "images" : "labels"));
        }
    }

    private static byte[] readBody(Path file, DataInputStream in, int size, String what) throws IOException {
        byte[] body = new byte[size];
        int n = in.readNBytes(body, 0, size);
        if (n < size) {
            throw new IdxFormatException(file + ": truncated: header announces " + size + " " + what + " bytes, found "
                    + n);
        }
        if (in.read() >= 0) {
            throw new IdxFormatException(file + ": " + what + " data is longer than the " + size
                    + " bytes the header announces");
        }
        return body;
    }

    private static IdxFormatException truncated(Path file, IOException e) {
        String detail = e.getMessage() == null ? "unexpected end of file" : e.getMessage();
        return new IdxFormatException(file + ": truncated or corrupt (" + detail + ")", e);
    }
}

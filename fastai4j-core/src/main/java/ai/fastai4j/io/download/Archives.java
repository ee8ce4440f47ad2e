package ai.fastai4j.io.download;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Safe extraction of tar, tar.gz/tgz and zip archives. The format is found from the file's first bytes.
 * Entries that would land outside the destination (absolute paths, {@code ..}) are refused; links and
 * special files are skipped.
 */
public final class Archives {
    private static final System.Logger LOG = System.getLogger(Archives.class.getName());

    /** Archive formats recognised by {@link #detect}. */
    public enum Format { TAR_GZ, TAR, ZIP }

    private Archives() {
    }

    /** The archive format of a file, from its magic bytes. */
    public static Format detect(Path archive) throws IOException {
        byte[] head = new byte[265];
        int n;
        try (InputStream in = Files.newInputStream(archive)) {
            n = in.readNBytes(head, 0, head.length);
        }
        if (n >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
            return Format.TAR_GZ;
        }
        if (n >= 4 && head[0] == 'P' && head[1] == 'K' && (head[2] == 3 || head[2] == 5) && (head[3] == 4 || head[3] == 6)) {
            return Format.ZIP;
        }
        if (n >= 262 && new String(head, 257, 5, StandardCharsets.US_ASCII).equals("ustar")) {
            return Format.TAR;
        }
        throw new IOException(archive.getFileName() + " is not a tar, tar.gz or zip archive");
    }

    /**
     * Extracts an archive into {@code dest} (created if needed).
     *
     * @throws IOException on a damaged archive, an unknown format, or an entry escaping {@code dest}
     */
    public static void extract(Path archive, Path dest) throws IOException {
        Format format = detect(archive);
        Path root = dest.toAbsolutePath().normalize();
        Files.createDirectories(root);
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(archive), 1 << 16)) {
            switch (format) {
                case ZIP -> extractZip(raw, root, archive);
                case TAR -> extractTar(raw, root, archive);
                case TAR_GZ -> {
                    try (InputStream gz = new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16)) {
                        extractTar(gz, root, archive);
                    }
                }
                default -> throw new AssertionError(format);
            }
        }
    }

    private static void extractZip(InputStream raw, Path root, Path archive) throws IOException {
        try (ZipInputStream zip = new ZipInputStream(raw)) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                Path target = safeResolve(root, e.getName(), archive);
                if (e.isDirectory()) {
                    Files.createDirectories(target);
                } else {
                    writeFile(zip, root, target, e.getName(), archive);
                }
            }
        }
    }

    private static void extractTar(InputStream in, Path root, Path archive) throws IOException {
        TarReader tar = new TarReader(in, archive.getFileName().toString());
        for (TarReader.Entry e; (e = tar.next()) != null; ) {
            Path target = safeResolve(root, e.name(), archive);
            if (e.isDirectory()) {
                Files.createDirectories(target);
            } else if (e.isFile()) {
                writeFile(tar.data(), root, target, e.name(), archive);
            } else {
                LOG.log(System.Logger.Level.WARNING, "{0}: skipping link or special entry {1}",
                        archive.getFileName(), e.name());
            }
        }
    }

    private static void writeFile(InputStream in, Path root, Path target, String name, Path archive)
            throws IOException {
        if (target.equals(root)) {
            throw unsafe(name, archive);
        }
        Path parent = target.getParent();
        if (!Files.isDirectory(parent)) {
            Files.createDirectories(parent);
        }
        try (OutputStream out = Files.newOutputStream(target)) { // creates or truncates
            in.transferTo(out);
        }
    }

    /** Resolves an entry name under {@code root}, refusing names that escape it. */
    static Path safeResolve(Path root, String entryName, Path archive) throws IOException {
        String name = entryName.replace('\\', '/');
        if (name.startsWith("/") || name.matches("^[A-Za-z]:.*") || name.indexOf('\0') >= 0) {
            throw unsafe(entryName, archive);
        }
        Path target = root.resolve(name).normalize();
        if (!target.startsWith(root)) {
            throw unsafe(entryName, archive);
        }
        return target;
    }

    private static IOException unsafe(String entryName, Path archive) {
        return new IOException("refusing unsafe entry \"" + entryName + "\" in " + archive.getFileName()
                + ": it would be written outside the extraction folder");
    }
}

package ai.fastai4j.export;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.fastai4j.io.Safetensors;
import ai.fastai4j.io.WeightsFormatException;
import ai.fastai4j.nn.Module;
import ai.fastai4j.nn.Parameter;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * A {@code .fai} model file: a ZIP archive with exactly two entries, {@value #MANIFEST_ENTRY} (what the model is
 * and how to rebuild its pipelines, see {@link Manifest}) and {@value #WEIGHTS_ENTRY} (the model's state dict,
 * buffers included, in the safetensors layout).
 *
 * <p>Reading never runs anything from the file: the manifest is parsed into plain values, the weights are
 * checked by the library's one strict safetensors reader ({@link Safetensors}), and only factories registered in
 * an {@link ExportRegistry} are called, by name. The archive must hold exactly the two entries; entries larger than {@value #MAX_MANIFEST_BYTES}
 * bytes (manifest) or {@value #MAX_WEIGHTS_BYTES} bytes (weights), compressed more than {@value #MAX_RATIO} to 1,
 * or holding more or fewer bytes than declared are refused; the weights must match the manifest's SHA-256.
 */
public final class ModelFile {
    /** The manifest's {@code format}. */
    public static final String FORMAT = "fastai4j-model";
    /** The layout version this fastai4j writes and the newest it reads. */
    public static final int FORMAT_VERSION = 1;
    public static final String MANIFEST_ENTRY = "manifest.json";
    public static final String WEIGHTS_ENTRY = "weights.safetensors";
    /** Largest manifest accepted (10 MB). */
    public static final int MAX_MANIFEST_BYTES = 10 * 1024 * 1024;
    /** Largest weights entry accepted (4 GiB). */
    public static final long MAX_WEIGHTS_BYTES = 4L << 30;
    /** Largest accepted ratio of an entry's size to its compressed size (for entries over 1 MB). */
    public static final int MAX_RATIO = 100;
    private static final long RATIO_MIN_BYTES = 1 << 20;

    private final Path file;
    private final Manifest manifest;

    private ModelFile(Path file, Manifest manifest) {
        this.file = file;
        this.manifest = manifest;
    }

    /**
     * Opens a model file: checks the archive, reads and checks the manifest, and checks the weights against the
     * manifest's checksum (the weights are not decoded yet).
     *
     * @throws ModelFileException naming the file and what is wrong with it
     */
    public static ModelFile read(Path file) {
        try (ZipFile zf = open(file)) {
            Entries e = entries(file, zf);
            byte[] json = readAll(file, zf, e.manifest, MAX_MANIFEST_BYTES);
            Manifest m;
            try {
                JsonNode root = JsonSupport.parse(json, MANIFEST_ENTRY);
                m = Manifest.fromJson(root);
            } catch (IllegalArgumentException ex) {
                throw new ModelFileException(file, ex.getMessage(), ex);
            }
            if (!WEIGHTS_ENTRY.equals(m.weights().file())) {
                throw new ModelFileException(file, "manifest names weights file '" + m.weights().file() + "', expected '"
                        + WEIGHTS_ENTRY + "'");
            }
            if (m.weights().bytes() != e.weights.getSize()) {
                throw new ModelFileException(file, "weights do not match the manifest: the manifest says "
                        + m.weights().bytes() + " bytes, the archive holds " + e.weights.getSize());
            }
            String sha = hashEntry(file, zf, e.weights);
            if (!sha.equals(m.weights().sha256())) {
                throw new ModelFileException(file, "weights do not match the manifest checksum (sha256 " + sha
                        + ", manifest says " + m.weights().sha256() + "): the file is corrupted or was modified");
            }
            return new ModelFile(file, m);
        } catch (IOException ex) {
            throw new ModelFileException(file, "cannot read: " + ex, ex);
        }
    }

    public Path file() {
        return file;
    }

    public Manifest manifest() {
        return manifest;
    }

    // ---------------------------------------------------------------- archive checks

    private record Entries(ZipEntry manifest, ZipEntry weights) {}

    private static ZipFile open(Path file) {
        if (!Files.exists(file)) {
            throw new ModelFileException(file, "no such file", new NoSuchFileException(file.toString()));
        }
        if (!Files.isRegularFile(file)) {
            throw new ModelFileException(file, "not a regular file");
        }
        try {
            return new ZipFile(file.toFile());
        } catch (ZipException e) {
            throw new ModelFileException(file, "not a fastai4j model file, or truncated or corrupted (not a valid zip "
                    + "archive: " + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new ModelFileException(file, "cannot open: " + e, e);
        }
    }

    private static Entries entries(Path file, ZipFile zf) {
        ZipEntry manifest = null;
        ZipEntry weights = null;
        int n = 0;
        Enumeration<? extends ZipEntry> en = zf.entries();
        while (en.hasMoreElements()) {
            ZipEntry z = en.nextElement();
            n++;
            if (n > 16) {
                throw new ModelFileException(file, "too many entries: a model file holds only " + MANIFEST_ENTRY + " and "
                        + WEIGHTS_ENTRY);
            }
            String name = z.getName();
            if (MANIFEST_ENTRY.equals(name) || WEIGHTS_ENTRY.equals(name)) {
                if ((MANIFEST_ENTRY.equals(name) ? manifest : weights) != null) {
                    throw new ModelFileException(file, "duplicate entry '" + name + "'");
                }
                if (MANIFEST_ENTRY.equals(name)) {
                    manifest = z;
                } else {
                    weights = z;
                }
            } else {
                throw new ModelFileException(file, "unexpected entry '" + abbreviate(name) + "': a model file holds only "
                        + MANIFEST_ENTRY + " and " + WEIGHTS_ENTRY);
            }
        }
        if (manifest == null || weights == null) {
            throw new ModelFileException(file, "not a fastai4j model file: entry '"
                    + (manifest == null ? MANIFEST_ENTRY : WEIGHTS_ENTRY) + "' is missing");
        }
        checkSizes(file, manifest, MAX_MANIFEST_BYTES);
        checkSizes(file, weights, MAX_WEIGHTS_BYTES);
        return new Entries(manifest, weights);
    }

    private static void checkSizes(Path file, ZipEntry z, long max) {
        long size = z.getSize();
        long compressed = z.getCompressedSize();
        if (size < 0 || compressed < 0) {
            throw new ModelFileException(file, "entry '" + z.getName() + "' does not declare its size");
        }
        if (size > max) {
            throw new ModelFileException(file, "entry '" + z.getName() + "' is larger than allowed (" + size
                    + " bytes, at most " + max + ")");
        }
        if (size > RATIO_MIN_BYTES && size > MAX_RATIO * Math.max(1, compressed)) {
            throw new ModelFileException(file, "entry '" + z.getName() + "' is compressed " + size / Math.max(1, compressed)
                    + " to 1 (at most " + MAX_RATIO + " to 1 accepted): refusing a possible zip bomb");
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 100 ? s.substring(0, 100) + "..." : s;
    }

    /** An entry's bytes, refusing more or fewer than its declared size. */
    private static byte[] readAll(Path file, ZipFile zf, ZipEntry z, int max) {
        int size = (int) Math.min(z.getSize(), max);
        byte[] out = new byte[size];
        try (ExactInputStream in = new ExactInputStream(zf.getInputStream(z), z.getSize(), z.getName())) {
            int off = 0;
            while (off < size) {
                int r = in.read(out, off, size - off);
                if (r < 0) {
                    break;
                }
                off += r;
            }
            in.requireEnd();
        } catch (IOException e) {
            throw new ModelFileException(file, "entry '" + z.getName() + "' is corrupted: " + e.getMessage(), e);
        }
        return out;
    }

    private static String hashEntry(Path file, ZipFile zf, ZipEntry z) {
        MessageDigest md = sha256();
        try (ExactInputStream in = new ExactInputStream(zf.getInputStream(z), z.getSize(), z.getName())) {
            byte[] buf = new byte[1 << 16];
            int r;
            while ((r = in.read(buf)) >= 0) {
                md.update(buf, 0, r);
            }
            in.requireEnd();
        } catch (IOException e) {
            throw new ModelFileException(file, "entry '" + z.getName() + "' is corrupted: " + e.getMessage(), e);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    // ---------------------------------------------------------------- weights

    /**
     * Loads the weights into {@code model}, whose parameters and buffers must match the file's tensors exactly
     * by name, shape and data type ({@code modelName} names the model in errors). The weights are checked against
     * the manifest's checksum again while they are read.
     */
    void loadWeights(Module model, String modelName) {
        try (ZipFile zf = open(file)) {
            Entries e = entries(file, zf);
            if (e.weights.getSize() != manifest.weights().bytes()) {
                throw new ModelFileException(file, "weights changed since the file was opened");
            }
            MessageDigest md = sha256();
            try (ExactInputStream raw = new ExactInputStream(zf.getInputStream(e.weights), e.weights.getSize(), WEIGHTS_ENTRY);
                    DigestInputStream in = new DigestInputStream(raw, md)) {
                try {
                    decodeInto(in, e.weights.getSize(), model, modelName);
                    if (in.read() >= 0) {
                        throw new ModelFileException(file, "weights have data after the last tensor");
                    }
                    raw.requireEnd();
                } catch (IOException | RuntimeException ex) {
                    // a damaged file is reported as such, whatever part of the decoding it broke first
                    boolean drained;
                    try {
                        in.transferTo(java.io.OutputStream.nullOutputStream());
                        drained = true;
                    } catch (IOException again) {
                        drained = false;
                    }
                    if (drained) {
                        checkDigest(md);
                    }
                    throw ex;
                }
                checkDigest(md);
            }
        } catch (IOException ex) {
            throw new ModelFileException(file, "weights are corrupted: " + ex.getMessage(), ex);
        }
    }

    private void checkDigest(MessageDigest md) {
        String sha = HexFormat.of().formatHex(md.digest());
        if (!sha.equals(manifest.weights().sha256())) {
            throw new ModelFileException(file, "weights do not match the manifest checksum (the file changed while it "
                    + "was read)");
        }
    }

    private void decodeInto(InputStream in, long total, Module model, String modelName) throws IOException {
        Safetensors.Header header;
        try {
            header = Safetensors.readHeader(in, total, WEIGHTS_ENTRY);
        } catch (WeightsFormatException ex) {
            throw new ModelFileException(file, "weights are invalid: " + ex.getMessage(), ex);
        }
        List<Safetensors.TensorInfo> tensors = header.tensors();
        if (tensors.size() != manifest.weights().tensors()) {
            throw new ModelFileException(file, "weights hold " + tensors.size() + " tensors, the manifest says "
                    + manifest.weights().tensors());
        }
        Map<String, Parameter> params = model.namedParameters();
        checkFits(tensors, params, modelName);
        try (NDManager tmp = NDManager.newBaseManager()) {
            Safetensors.readTensors(in, header, tmp, WEIGHTS_ENTRY, (t, a) -> {
                try (a) {
                    if (t.bytes() > 0) {
                        params.get(t.name()).copyFrom(a);
                    }
                }
            });
        }
    }

    private void checkFits(List<Safetensors.TensorInfo> tensors, Map<String, Parameter> params, String modelName) {
        Set<String> missing = new TreeSet<>(params.keySet());
        List<String> unexpected = new ArrayList<>();
        List<String> mismatched = new ArrayList<>();
        for (Safetensors.TensorInfo t : tensors) {
            Parameter p = params.get(t.name());
            if (p == null) {
                unexpected.add(t.name());
                continue;
            }
            missing.remove(t.name());
            Shape expected = p.data().getShape();
            String dtype = p.data().getDataType().asSafetensors();
            String stored = t.dtype().asSafetensors();
            if (!expected.equals(t.shape()) || !dtype.equals(stored)) {
                mismatched.add(t.name() + " (model " + dtype + " " + expected + ", file " + stored + " " + t.shape()
                        + ")");
            }
        }
        if (!missing.isEmpty() || !unexpected.isEmpty() || !mismatched.isEmpty()) {
            throw new ModelFileException(file, "weights do not fit the model built by " + modelName + ": missing "
                    + first(new ArrayList<>(missing)) + ", unexpected " + first(unexpected) + ", mis-shaped "
                    + first(mismatched));
        }
    }

    private static String first(List<String> l) {
        return l.size() <= 8 ? l.toString() : l.subList(0, 8) + "... (" + l.size() + ")";
    }

    /** Reads exactly {@code size} bytes: more is an error at once, fewer at {@link #requireEnd}. */
    static final class ExactInputStream extends java.io.FilterInputStream {
        private final long size;
        private final String name;
        private long count;

        ExactInputStream(InputStream in, long size, String name) {
            super(in);
            this.size = size;
            this.name = name;
        }

        @Override
        public int read() throws IOException {
            byte[] b = new byte[1];
            int r = read(b, 0, 1);
            return r < 0 ? -1 : b[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (count >= size) {
                if (in.read() >= 0) {
                    throw new IOException("entry '" + name + "' is larger than its declared size " + size);
                }
                return -1;
            }
            int r = in.read(b, off, (int) Math.min(len, size - count));
            if (r > 0) {
                count += r;
            }
            return r;
        }

        @Override
        public long skip(long n) throws IOException {
            throw new IOException("skip not supported");
        }

        void requireEnd() throws IOException {
            if (count < size) {
                throw new IOException("entry '" + name + "' is shorter than its declared size (" + count + " of " + size
                        + " bytes)");
            }
            if (in.read() >= 0) {
                throw new IOException("entry '" + name + "' is larger than its declared size " + size);
            }
        }
    }
}

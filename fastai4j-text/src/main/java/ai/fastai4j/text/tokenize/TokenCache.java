package ai.fastai4j.text.tokenize;

import ai.fastai4j.data.external.ExternalData;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Tokenized corpora on disk, as fastai keeps a tokenized copy of a folder ({@code <path>_tok}) or a CSV: a corpus
 * is tokenized (in parallel) once, and read back on later runs. The key is a SHA-256 of the tokenizer's
 * {@link Tokenizer#signature() signature} (base tokenizer and rules) and of every text, so editing a text or
 * changing a rule tokenizes again. Files are written to a temporary name and moved into place, so a crash never
 * leaves a half-written entry; an unreadable entry is tokenized again and replaced.
 */
public final class TokenCache {
    private static final String MAGIC = "fastai4j-tokens-1";
    private final Path dir;

    /** A cache in {@code dir} (created when first written). */
    public TokenCache(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
    }

    /** {@code <fastai4j home>/tok}: the home is {@code fastai4j.home}, {@code FASTAI4J_HOME} or ~/.fastai4j. */
    public static TokenCache defaultLocation() {
        return new TokenCache(ExternalData.Config.fromEnvironment().cacheRoot().getParent().resolve("tok"));
    }

    public Path dir() {
        return dir;
    }

    /** Tokens of a corpus and whether they came from the cache. */
    public record Result(List<List<String>> docs, boolean cached, Path file) {}

    /** The tokens of every text, read from the cache if this corpus was tokenized with these rules before. */
    public Result tokenize(Tokenizer tokenizer, List<String> texts, int workers) {
        Path file = dir.resolve(key(tokenizer, texts) + ".tok");
        if (Files.isRegularFile(file)) {
            try {
                List<List<String>> docs = read(file);
                if (docs.size() == texts.size()) {
                    return new Result(docs, true, file);
                }
            } catch (IOException | RuntimeException e) {
                System.err.println("fastai4j: tokenizing again: unreadable token cache " + file + ": " + e.getMessage());
            }
        }
        List<List<String>> docs = tokenizer.tokenizeAll(texts, workers);
        write(file, docs);
        return new Result(docs, false, file);
    }

    static String key(Tokenizer tokenizer, List<String> texts) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            update(md, tokenizer.signature());
            update(md, Integer.toString(texts.size()));
            for (String t : texts) {
                update(md, t);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void update(MessageDigest md, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        md.update(new byte[] {(byte) (b.length >>> 24), (byte) (b.length >>> 16), (byte) (b.length >>> 8),
                (byte) b.length});
        md.update(b);
    }

    private void write(Path file, List<List<String>> docs) {
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "tok", ".part");
            try (OutputStream os = Files.newOutputStream(tmp);
                    DataOutputStream out = new DataOutputStream(new BufferedOutputStream(os, 1 << 16))) {
                out.writeUTF(MAGIC);
                out.writeInt(docs.size());
                for (List<String> doc : docs) {
                    out.writeInt(doc.size());
                    for (String tok : doc) {
                        byte[] b = tok.getBytes(StandardCharsets.UTF_8);
                        out.writeInt(b.length);
                        out.write(b);
                    }
                }
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            // a cache that cannot be written costs time on the next run, nothing else
            System.err.println("fastai4j: could not write the token cache " + file + ": " + e.getMessage());
        }
    }

    private static List<List<String>> read(Path file) throws IOException {
        long size = Files.size(file);
        try (InputStream is = Files.newInputStream(file);
                DataInputStream in = new DataInputStream(new BufferedInputStream(is, 1 << 16))) {
            if (!MAGIC.equals(in.readUTF())) {
                throw new IOException("not a token cache file");
            }
            int n = in.readInt();
            checkCount(n, size);
            List<List<String>> docs = new ArrayList<>(n);
            for (int d = 0; d < n; d++) {
                int len = in.readInt();
                checkCount(len, size);
                List<String> doc = new ArrayList<>(len);
                for (int t = 0; t < len; t++) {
                    int bytes = in.readInt();
                    checkCount(bytes, size);
                    byte[] b = new byte[bytes];
                    in.readFully(b);
                    doc.add(new String(b, StandardCharsets.UTF_8));
                }
                docs.add(List.copyOf(doc));
            }
            if (in.read() != -1) {
                throw new IOException("trailing bytes");
            }
            return docs;
        } catch (EOFException e) {
            throw new IOException("truncated", e);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private static void checkCount(int n, long fileSize) throws IOException {
        if (n < 0 || n > fileSize) {
            throw new IOException("corrupt count " + n);
        }
    }
}

package ai.fastai4j.spark;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.apache.spark.broadcast.Broadcast;

/**
 * Where an executor finds a model: the bytes the driver broadcast, or a path every executor can read. Identified
 * by the file's SHA-256, so that an executor loads one model once whatever the number of tasks and jobs.
 */
record ModelSource(String sha256, String name, Broadcast<byte[]> bytes, String sharedPath) implements Serializable {

    /** The model as a local file on this executor: the shared path, or the broadcast bytes written once. */
    Path localFile() {
        if (bytes == null) {
            return Path.of(sharedPath);
        }
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "fastai4j-spark-models");
        Path file = dir.resolve(sha256 + ".fai");
        try {
            if (!Files.isRegularFile(file) || Files.size(file) != bytes.value().length) {
                Files.createDirectories(dir);
                Path tmp = Files.createTempFile(dir, sha256, ".part");
                Files.write(tmp, bytes.value());
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write model " + name + " to " + file + ": " + e.getMessage(), e);
        }
    }
}

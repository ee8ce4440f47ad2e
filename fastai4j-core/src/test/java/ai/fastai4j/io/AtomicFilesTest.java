package ai.fastai4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir
    Path dir;

    private List<String> names(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void writesIntoNewFoldersAndReplaces() throws IOException {
        Path f = dir.resolve("a/b/model.bin");
        AtomicFiles.write(f, "first".getBytes(StandardCharsets.UTF_8));
        assertEquals("first", Files.readString(f));
        AtomicFiles.write(f, out -> out.write("second, longer".getBytes(StandardCharsets.UTF_8)));
        assertEquals("second, longer", Files.readString(f));
        assertEquals(List.of("model.bin"), names(f.getParent()), "no temporary file left");
    }

    @Test
    void aFailureMidWriteLeavesTheOldFileIntactAndNoTemporaryFile() throws IOException {
        Path f = dir.resolve("weights.safetensors");
        byte[] old = "the old, complete content".getBytes(StandardCharsets.UTF_8);
        Files.write(f, old);
        IOException boom = new IOException("disk full");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(f, out -> {
            out.write(new byte[1 << 17]); // more than the buffer: part of it already reached the temporary file
            throw boom;
        }));
        assertSame(boom, e);
        assertArrayEquals(old, Files.readAllBytes(f));
        assertEquals(List.of("weights.safetensors"), names(dir));

        RuntimeException r = assertThrows(IllegalStateException.class, () -> AtomicFiles.writeFile(f, tmp -> {
            Files.writeString(tmp, "half");
            throw new IllegalStateException("crashed");
        }));
        assertEquals("crashed", r.getMessage());
        assertArrayEquals(old, Files.readAllBytes(f));
        assertEquals(List.of("weights.safetensors"), names(dir));
    }

    @Test
    void aFailedFirstWriteLeavesNothing() {
        Path f = dir.resolve("new.fai");
        assertThrows(IOException.class, () -> AtomicFiles.write(f, out -> {
            out.write(1);
            throw new IOException("stop");
        }));
        assertEquals(false, Files.exists(f));
    }
}

package ai.fastai4j.vision;

import ai.fastai4j.data.DataException;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Safe, undoable changes to the files of a data set: a file is never deleted nor overwritten, only moved (to
 * another class folder, or aside into the trash folder {@value #TRASH} inside the data set), and every move is
 * appended to the journal {@value #JOURNAL} (JSON lines) at the data set's root, so that {@link #undo()} can revert
 * it. Applying the same change twice changes nothing more; a name clash gets a free name ({@code x-1.png}).
 *
 * <pre>{@code
 * DataSetJournal j = DataSetJournal.of(root);
 * j.trash(root.resolve("train/cat/broken.jpg"), "truncated");
 * j.relabel(root.resolve("train/cat/x.png"), "dog");  // now train/dog/x.png
 * j.undo();                                            // x.png back in train/cat
 * }</pre>
 */
public final class DataSetJournal {
    /** The trash folder's name, at the data set's root; image listings skip it. */
    public static final String TRASH = ".fastai4j-trash";
    /** The journal file's name, at the data set's root. */
    public static final String JOURNAL = ".fastai4j-journal.jsonl";

    /** Journal operations. */
    public static final String TRASH_OP = "trash";
    public static final String RELABEL_OP = "relabel";
    public static final String UNDO_OP = "undo";

    /**
     * One journal line: change {@code id} moved {@code from} to {@code to} (paths relative to the data set's root,
     * '/'-separated); an {@code undo} line names the change it reverted in {@code undoes}.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Entry(long id, String time, String op, String from, String to, String reason, Long undoes) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path root;
    private final Path journal;

    private DataSetJournal(Path root) {
        this.root = root.toAbsolutePath().normalize();
        this.journal = this.root.resolve(JOURNAL);
    }

    /** The journal of the data set at {@code root} (a folder); nothing is written until the first change. */
    public static DataSetJournal of(Path root) {
        if (!Files.isDirectory(root)) {
            throw new DataException("data set folder " + root + " does not exist or is not a folder");
        }
        return new DataSetJournal(root);
    }

    /** Whether {@code file} lies in a trash folder below {@code folder}. */
    static boolean inTrash(Path folder, Path file) {
        for (Path part : folder.relativize(file)) {
            if (part.toString().equals(TRASH)) {
                return true;
            }
        }
        return false;
    }

    public Path root() {
        return root;
    }

    /** The journal file (it may not exist yet). */
    public Path file() {
        return journal;
    }

    /**
     * Moves {@code file} aside into the trash folder, keeping its path below the root ({@code train/cat/x.jpg}
     * goes to {@code .fastai4j-trash/train/cat/x.jpg}).
     *
     * @return where the file now is
     */
    public synchronized Path trash(Path file, String reason) {
        Path rel = relative(file);
        Path target = root.resolve(TRASH).resolve(rel).getParent();
        return move(file, target, TRASH_OP, reason);
    }

    /**
     * Moves {@code file} into the sibling class folder {@code label} ({@code train/cat/x.png} to
     * {@code train/dog/x.png}); nothing happens when it is already in that folder.
     *
     * @return where the file now is
     */
    public synchronized Path relabel(Path file, String label) {
        if (label.isBlank() || label.contains("/") || label.contains("\\") || label.equals("..")
                || label.equals(".") || label.equals(TRASH)) {
            throw new IllegalArgumentException("not a class folder name: '" + label + "'");
        }
        Path abs = absolute(file);
        if (abs.getParent().getFileName().toString().equals(label)) {
            return abs;
        }
        return move(abs, abs.getParent().getParent().resolve(label), RELABEL_OP, "relabel to " + label);
    }

    /**
     * Reverts the last change not reverted yet: the file moves back to where it was (to a free name next to it
     * should another file have taken its place).
     *
     * @return the undo line written, or empty when there is nothing left to undo
     */
    public synchronized Optional<Entry> undo() {
        List<Entry> all = entries();
        Set<Long> undone = new HashSet<>();
        for (Entry e : all) {
            if (e.undoes() != null) {
                undone.add(e.undoes());
            }
        }
        for (int i = all.size() - 1; i >= 0; i--) {
            Entry e = all.get(i);
            if (!UNDO_OP.equals(e.op()) && !undone.contains(e.id())) {
                Path now = root.resolve(e.to());
                Path back = root.resolve(e.from());
                if (!Files.isRegularFile(now)) {
                    throw new DataException("cannot undo change " + e.id() + ": " + now + " is no longer there");
                }
                Path dest = moveFree(now, back.getParent(), back.getFileName().toString());
                Entry u = new Entry(all.size() + 1L, Instant.now().toString(), UNDO_OP, e.to(), rel(dest), null,
                        e.id());
                append(u);
                return Optional.of(u);
            }
        }
        return Optional.empty();
    }

    /** Every line of the journal, oldest first. */
    public synchronized List<Entry> entries() {
        if (!Files.exists(journal)) {
            return List.of();
        }
        List<Entry> out = new ArrayList<>();
        try {
            int n = 0;
            for (String line : Files.readAllLines(journal, StandardCharsets.UTF_8)) {
                n++;
                if (!line.isBlank()) {
                    try {
                        out.add(JSON.readValue(line, Entry.class));
                    } catch (IOException e) {
                        throw new DataException(journal + " line " + n + " is not a journal entry: " + e.getMessage(), e);
                    }
                }
            }
        } catch (IOException e) {
            throw new DataException("cannot read " + journal + ": " + e.getMessage(), e);
        }
        return out;
    }

    private Path move(Path file, Path targetDir, String op, String reason) {
        Path abs = absolute(file);
        if (!Files.exists(abs)) {
            // applied before: the file already moved, so nothing more to do
            List<Entry> all = entries();
            Set<Long> undone = new HashSet<>();
            all.stream().filter(e -> e.undoes() != null).forEach(e -> undone.add(e.undoes()));
            String from = rel(abs);
            for (int i = all.size() - 1; i >= 0; i--) {
                Entry e = all.get(i);
                if (op.equals(e.op()) && from.equals(e.from()) && !undone.contains(e.id())
                        && Files.exists(root.resolve(e.to()))) {
                    return root.resolve(e.to());
                }
            }
            throw new DataException("no such file: " + abs);
        }
        if (!Files.isRegularFile(abs)) {
            throw new DataException(abs + " is not a file");
        }
        Path dest = moveFree(abs, targetDir, abs.getFileName().toString());
        append(new Entry(entries().size() + 1L, Instant.now().toString(), op, rel(abs), rel(dest), reason, null));
        return dest;
    }

    /** Moves {@code file} into {@code dir} under {@code name}, or {@code name-1}, {@code name-2}... if taken. */
    private static Path moveFree(Path file, Path dir, String name) {
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name;
        String ext = dot > 0 ? name.substring(dot) : "";
        try {
            Files.createDirectories(dir);
            for (int k = 0; ; k++) {
                Path dest = dir.resolve(k == 0 ? name : stem + "-" + k + ext);
                if (Files.exists(dest)) {
                    continue;
                }
                try {
                    return Files.move(file, dest); // no REPLACE_EXISTING: a file that appeared meanwhile is kept
                } catch (FileAlreadyExistsException raced) {
                    // taken meanwhile: try the next name
                }
            }
        } catch (IOException e) {
            throw new DataException("cannot move " + file + " into " + dir + ": " + e.getMessage(), e);
        }
    }

    private void append(Entry e) {
        try {
            Files.writeString(journal, JSON.writeValueAsString(e) + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        } catch (IOException x) {
            throw new UncheckedIOException("cannot write " + journal + ": " + x.getMessage(), x);
        }
    }

    private Path absolute(Path file) {
        Path abs = file.toAbsolutePath().normalize();
        if (!abs.startsWith(root) || abs.equals(root)) {
            throw new IllegalArgumentException(file + " is not a file inside the data set " + root);
        }
        return abs;
    }

    private Path relative(Path file) {
        return root.relativize(absolute(file));
    }

    private String rel(Path abs) {
        return root.relativize(abs.toAbsolutePath().normalize()).toString().replace('\\', '/');
    }
}

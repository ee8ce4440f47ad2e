package ai.fastai4j.cli;

import static ai.fastai4j.cli.InterpretExportCommandTest.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.fastai4j.cli.InterpretExportCommandTest.Run;
import ai.fastai4j.vision.DataSetJournal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fastai4j verify}, and {@code train} reporting every bad image before it trains. */
class VerifyCommandTest {
    @TempDir
    Path dir;

    /** A good tiny folder with a truncated PNG, a text file named .jpg and an empty file. */
    private Path badData() throws Exception {
        Path data = dir.resolve("data");
        Random r = new Random(1);
        for (String split : List.of("train", "valid")) {
            for (int i = 0; i < 4; i++) {
                InterpretExportCommandTest.png(data.resolve(split + "/cat/c" + i + ".png"), 60, r);
                InterpretExportCommandTest.png(data.resolve(split + "/dog/d" + i + ".png"), 190, r);
            }
        }
        Path cut = data.resolve("train/dog/d3.png");
        byte[] bytes = Files.readAllBytes(cut);
        Files.write(cut, Arrays.copyOf(bytes, bytes.length / 2));
        Files.writeString(data.resolve("train/cat/notes.jpg"), "not a picture", StandardCharsets.UTF_8);
        Files.write(data.resolve("valid/dog/empty.png"), new byte[0]);
        return data;
    }

    private static long lines(String text, String part) {
        return text.lines().filter(l -> l.contains(part)).count();
    }

    @Test
    void verifyListsEveryBadFileAndMovesThemAsideOnRequest() throws Exception {
        Path data = badData();
        Run fast = run("verify", data.toString());
        assertEquals(3, fast.code(), fast.err());
        assertEquals(2, lines(fast.out(), "bad: "), fast.out());
        assertTrue(fast.out().contains("18 image files checked (headers), 2 bad"), fast.out());

        Run full = run("verify", data.toString(), "--full");
        assertEquals(3, full.code(), full.err());
        for (String f : List.of("train/cat/notes.jpg", "train/dog/d3.png", "valid/dog/empty.png")) {
            assertEquals(1, lines(full.out(), data.resolve(f).toString()), full.out());
        }
        assertTrue(full.out().contains("18 image files checked (full decode), 3 bad"), full.out());

        byte[] cut = Files.readAllBytes(data.resolve("train/dog/d3.png"));
        Run move = run("verify", data.toString(), "--full", "--move-bad");
        assertEquals(3, move.code(), move.err());
        assertEquals(3, lines(move.out(), "moved to "), move.out());
        assertArrayEquals(cut, Files.readAllBytes(data.resolve(DataSetJournal.TRASH).resolve("train/dog/d3.png")));
        assertFalse(Files.exists(data.resolve("train/dog/d3.png")));
        assertEquals(3, DataSetJournal.of(data).entries().size());

        Run again = run("verify", data.toString(), "--full", "--move-bad");
        assertEquals(0, again.code(), again.out() + again.err());
        assertTrue(again.out().contains("15 image files checked (full decode), 0 bad"), again.out());
        assertEquals(3, DataSetJournal.of(data).entries().size(), "a second run changes nothing more");
    }

    @Test
    void trainReportsAllBadFilesAtOnceBeforeTraining() throws Exception {
        Path data = badData();
        Path out = dir.resolve("out");
        Run r = run("train", "--data", data.toString(), "--arch", "SIMPLE_CNN", "--bs", "4", "--epochs", "1",
                "--lr", "1e-2", "--no-report", "--out", out.toString());
        assertEquals(3, r.code(), r.err());
        assertEquals(1, lines(r.err(), data.resolve("train/cat/notes.jpg").toString()), r.err());
        assertEquals(1, lines(r.err(), data.resolve("valid/dog/empty.png").toString()), r.err());
        assertTrue(r.err().contains("2 bad image files under"), r.err());
        assertFalse(r.out().contains("training and"), "no data was loaded: " + r.out());
        assertFalse(Files.exists(out.resolve("model.fai")));
    }

    @Test
    void aFolderThatIsNotThereIsAUsageError() {
        Run r = run("verify", dir.resolve("nope").toString());
        assertEquals(2, r.code(), r.err());
    }
}

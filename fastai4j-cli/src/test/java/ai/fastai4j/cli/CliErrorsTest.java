package ai.fastai4j.cli;

import static ai.fastai4j.cli.InterpretExportCommandTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.fastai4j.cli.InterpretExportCommandTest.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Every error a user can cause prints one clear line and the documented exit code (2 usage, 3 data, 4 model). */
class CliErrorsTest {
    @TempDir
    static Path dir;
    static Path data;

    @BeforeAll
    static void tinyFolder() throws Exception {
        data = dir.resolve("data");
        Random r = new Random(1);
        for (String split : List.of("train", "valid")) {
            for (int i = 0; i < 4; i++) {
                InterpretExportCommandTest.png(data.resolve(split + "/cat/c" + i + ".png"), 60, r);
                InterpretExportCommandTest.png(data.resolve(split + "/dog/d" + i + ".png"), 190, r);
            }
        }
    }

    private static Run train(String... extra) {
        List<String> args = new ArrayList<>(List.of("train", "--data", data.toString(), "--arch", "SIMPLE_CNN",
                "--out", dir.resolve("out").toString(), "--no-report"));
        args.addAll(List.of(extra));
        if (!args.contains("--bs")) {
            args.addAll(List.of("--bs", "4"));
        }
        return run(args.toArray(new String[0]));
    }

    /** The exit code, and an error of exactly one line that holds {@code part}. */
    private static void assertError(Run r, int code, String part) {
        assertEquals(code, r.code(), r.err());
        String err = r.err().strip();
        assertTrue(err.startsWith("error: ") && err.contains(part), err);
        assertEquals(1, err.lines().count(), err);
        assertFalse(err.contains("Exception"), err);
    }

    @Test
    void optionsNoDataCanHaveAreUsageErrors() {
        assertError(train("--bs", "0"), 2, "--bs must be at least 1, got 0 (see: fastai4j train --help)");
        assertError(train("--epochs", "-1"), 2, "--epochs must be at least 1, got -1");
        assertError(train("--valid-pct", "1.5"), 2, "--valid-pct must be a fraction between 0 and 1");
        assertError(train("--valid-pct", "NaN"), 2, "--valid-pct must be a fraction between 0 and 1 (exclusive), "
                + "got NaN");
        assertError(train("--size", "0"), 2, "--size must be at least 1, got 0");
        assertError(train("--lr", "Infinity"), 2, "--lr must be a positive number or 'auto', got 'Infinity'");
        assertError(train("--bs", "many"), 2, "'many'");
        assertFalse(Files.exists(dir.resolve("out/model.fai")));
    }

    @Test
    void aCsvWithAnUnbalancedQuoteIsBadData() throws Exception {
        Path csv = Files.writeString(dir.resolve("labels.csv"), "fname,label\n\"train/cat/c0.png,cat\nb.png,dog\n");
        Run r = run("train", "--csv", csv.toString(), "--image-folder", data.toString(), "--arch", "SIMPLE_CNN",
                "--out", dir.resolve("csv-out").toString());
        assertError(r, 3, "malformed CSV file " + csv);
    }

    @Test
    void aRefusedWeightsFileIsABadModelFile() throws Exception {
        // a pickle written by torch.save before 1.6 (not a zip)
        Path legacy = Files.write(dir.resolve("old.pth"), new byte[] {(byte) 0x80, 2, (byte) 0x8a, 0x0a, 0x6c, (byte) 0xfc,
                (byte) 0x9c, 0x46, (byte) 0xf9, 0x20, 0x6a, (byte) 0xa8, 0x50, 0x19, 0x2e});
        Run r = run("train", "--data", data.toString(), "--arch", "RESNET18", "--weights", legacy.toString(), "--out",
                dir.resolve("pth-out").toString(), "--bs", "4");
        assertError(r, 4, "bad weights file: " + legacy + ": legacy torch.save format is not supported");
    }

    @Test
    void pretrainedWeightsOfflineNameTheRealFlag() {
        String home = System.getProperty("fastai4j.home");
        String offline = System.getProperty("fastai4j.offline");
        System.setProperty("fastai4j.home", dir.resolve("empty-home").toString());
        System.setProperty("fastai4j.offline", "true");
        try {
            Run r = run("train", "--data", data.toString(), "--arch", "RESNET18", "--out",
                    dir.resolve("offline-out").toString(), "--bs", "4");
            assertEquals(1, r.code(), r.err());
            assertTrue(r.err().contains("are not available") && r.err().contains("--no-pretrained trains from scratch"),
                    r.err());
        } finally {
            restore("fastai4j.home", home);
            restore("fastai4j.offline", offline);
        }
        // and the flag it names exists
        TrainCommand cmd = new TrainCommand();
        new CommandLine(cmd).parseArgs("--data", "x", "--arch", "RESNET18", "--no-pretrained");
        assertEquals(Boolean.FALSE, cmd.model.pretrained);
    }

    private static void restore(String key, String value) {
        if (value == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, value);
        }
    }

    @Test
    void aTrainingThatFailsExportsNothingAndSaysWhy() {
        for (String lr : List.of("1e8", "1000")) {
            Path out = dir.resolve("failed-" + lr);
            Run r = run("train", "--data", data.toString(), "--arch", "SIMPLE_CNN", "--out", out.toString(),
                    "--no-report", "--bs", "4", "--epochs", "2", "--lr", lr);
            assertEquals(1, r.code(), r.out() + r.err());
            assertTrue(r.err().contains("error: cannot export: the last training failed: "), r.err());
            assertFalse(Files.exists(out.resolve("model.fai")));
        }
    }
}

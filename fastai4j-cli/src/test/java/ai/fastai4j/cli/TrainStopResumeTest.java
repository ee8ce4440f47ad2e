package ai.fastai4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.fastai4j.io.Safetensors;
import ai.fastai4j.learner.Checkpoint;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fastai4j train} as a real process (java with this module's class path): stopped with SIGTERM at random
 * moments it never crashes, exits 143 and leaves a loadable checkpoint; killed with SIGKILL in the middle of an
 * epoch and resumed with {@code --resume}, it ends with exactly the weights and epoch table of the uninterrupted
 * run. The number of SIGTERM moments is {@code -Dfastai4j.stress.moments} (6 by default; the long run: 20 or more).
 */
class TrainStopResumeTest {
    static final int EXIT_SIGTERM = 143;
    @TempDir
    static Path dir;
    static Path data;
    static Path reference;
    /** Milliseconds from the data line to the end of the fit ("loss plot:") in the uninterrupted run. */
    static long fitMillis;
    /** ... and to the end of the run (plots, export, report with its predictions). */
    static long referenceMillis;

    record Run(int code, String out, String err, Path outDir, long fitEndNanos) {}

    @BeforeAll
    static void dataAndReference() throws Exception {
        data = dir.resolve("data");
        Random r = new Random(5);
        for (int i = 0; i < 16; i++) {
            InterpretExportCommandTest.png(data.resolve("train/cat/c" + i + ".png"), 60, r);
            InterpretExportCommandTest.png(data.resolve("train/dog/d" + i + ".png"), 190, r);
        }
        for (int i = 0; i < 6; i++) {
            InterpretExportCommandTest.png(data.resolve("valid/cat/c" + i + ".png"), 70, r);
            InterpretExportCommandTest.png(data.resolve("valid/dog/d" + i + ".png"), 180, r);
        }
        reference = dir.resolve("reference");
        long[] started = new long[1];
        Run ref = run(reference, List.of(), p -> started[0] = System.nanoTime(), null);
        referenceMillis = (System.nanoTime() - started[0]) / 1_000_000;
        assertEquals(0, ref.code(), ref.err());
        fitMillis = (ref.fitEndNanos() - started[0]) / 1_000_000;
    }

    static List<String> trainArgs(Path out) {
        return List.of("train", "--data", data.toString(), "--grey", "--arch", "SIMPLE_CNN", "--epochs", "4", "--lr",
                "1e-2", "--bs", "4", "--seed", "7", "--out", out.toString());
    }

    /**
     * Runs {@code fastai4j train}; {@code onData} is called when the data line is printed (the learner exists and
     * training is about to start); {@code whileRunning} (may be null) then acts on the process.
     */
    static Run run(Path out, List<String> extraArgs, java.util.function.Consumer<Process> onData,
            java.util.function.BiConsumer<Process, java.util.function.Supplier<String>> whileRunning) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-Xmx512m", "-XX:ErrorFile=" + out.resolve("hs_err_pid%p.log"), "-Dai.djl.offline=true",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=error", "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
        cmd.addAll(trainArgs(out));
        cmd.addAll(extraArgs);
        Files.createDirectories(out);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("OMP_NUM_THREADS", "1");
        Process p = pb.start();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread errReader = pump(p.getErrorStream(), err);
        StringBuilder outText = new StringBuilder();
        Object dataSeen = new Object();
        boolean[] seen = new boolean[1];
        long[] fitEnd = new long[1];
        Thread outReader = new Thread(() -> {
            try (var br = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = br.readLine()) != null; ) {
                    synchronized (dataSeen) {
                        outText.append(line).append('\n');
                        if (line.startsWith("loss plot:")) {
                            fitEnd[0] = System.nanoTime();
                        }
                        if (!seen[0] && line.contains("training and")) {
                            seen[0] = true;
                            onData.accept(p);
                            dataSeen.notifyAll();
                        }
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
            synchronized (dataSeen) {
                seen[0] = true;
                dataSeen.notifyAll();
            }
        });
        outReader.start();
        synchronized (dataSeen) {
            while (!seen[0]) {
                dataSeen.wait(60_000);
            }
        }
        if (whileRunning != null) {
            whileRunning.accept(p, () -> {
                synchronized (dataSeen) {
                    return outText.toString();
                }
            });
        }
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "train did not end");
        outReader.join();
        errReader.join();
        String errText = err.toString(StandardCharsets.UTF_8);
        try (Stream<Path> files = Files.list(out)) {
            List<Path> crashes = files.filter(f -> f.getFileName().toString().startsWith("hs_err")).toList();
            assertTrue(crashes.isEmpty(), "JVM crash: " + crashes + "\n" + errText);
        }
        assertFalse(errText.contains("fatal error") || errText.contains("SIGSEGV") || errText.contains("corrupted"),
                errText);
        return new Run(p.exitValue(), outText.toString(), errText, out, fitEnd[0]);
    }

    static Thread pump(InputStream in, ByteArrayOutputStream to) {
        Thread t = new Thread(() -> {
            try {
                in.transferTo(to);
            } catch (IOException ignored) {
                // the process ended
            }
        });
        t.start();
        return t;
    }

    /** Model tensors of a checkpoint (exact bytes) and its recorder's epoch table and losses. */
    static Map<String, Object> contents(Path checkpointDir) throws IOException {
        Map<String, Object> out = new TreeMap<>();
        try (NDManager m = NDManager.newBaseManager()) {
            Safetensors.read(Checkpoint.file(checkpointDir), m).forEach((name, a) -> {
                if (name.startsWith("model.") || name.startsWith("opt.")) {
                    out.put(name, a.getShape() + Base64.getEncoder().encodeToString(a.toByteArray()));
                }
            });
        }
        Checkpoint.Meta meta = Checkpoint.readMeta(checkpointDir);
        out.put("epoch table", meta.recorder().values());
        out.put("losses", meta.recorder().losses());
        out.put("lrs", meta.recorder().lrs());
        out.put("epoch", meta.epoch());
        return out;
    }

    @Test
    void sigtermAtRandomMomentsNeverCrashesAndLeavesACheckpoint() throws Exception {
        int moments = Integer.getInteger("fastai4j.stress.moments", 6);
        long seed = Long.getLong("fastai4j.stress.seed", System.nanoTime());
        System.out.println("stress seed (-Dfastai4j.stress.seed): " + seed);
        Random r = new Random(seed);
        Map<String, Integer> where = new LinkedHashMap<>();
        int totalIters = 4 * 8; // 4 epochs of 32 images in batches of 4
        for (int k = 0; k < moments; k++) {
            // two thirds inside the fit: right after a random training batch's checkpoint (the next batch's
            // forward/backward, or a validation), the rest just after the fit (plots, export, report predictions)
            boolean inFit = k % 3 != 2;
            int target = 1 + r.nextInt(totalIters);
            long jitterMillis = inFit ? r.nextInt(40) : r.nextInt(400);
            Path out = dir.resolve("stop" + k);
            Path checkpoint = out.resolve("checkpoint");
            Run run = run(out, List.of("--checkpoint-every", "1"), p -> { }, (p, stdout) -> {
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (System.nanoTime() < end && p.isAlive()) {
                    try {
                        if (inFit ? Files.isRegularFile(Checkpoint.file(checkpoint))
                                && Checkpoint.readMeta(checkpoint).trainIter() >= target
                                : stdout.get().contains("loss plot:")) {
                            break;
                        }
                        Thread.sleep(1);
                    } catch (RuntimeException | InterruptedException e) {
                        // the checkpoint is being replaced right now: read again
                    }
                }
                try {
                    Thread.sleep(jitterMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                p.destroy(); // SIGTERM
            });
            long delay = jitterMillis;
            String phase = run.code() == 0 ? "after the end"
                    : run.err().contains("training batch") ? "training"
                    : run.err().contains("validation batch") ? "validation"
                    : run.err().contains("export refused") ? "before export"
                    : run.err().contains("predictions stopped") || run.err().contains("predicting refused") ? "report"
                    : "plots (no native work: exits at once)";
            where.merge(phase, 1, Integer::sum);
            String context = "moment " + k + " (" + (inFit ? "after training batch " + target : "after the fit")
                    + " + " + delay + " ms: " + phase + ")\n"
                    + run.err();
            assertTrue(run.code() == EXIT_SIGTERM || run.code() == 0, "exit code " + run.code() + ": " + context);
            assertTrue(Files.isRegularFile(Checkpoint.file(checkpoint)), "no checkpoint: " + context);
            Map<String, Object> c = contents(checkpoint); // loadable: every tensor and the metadata decode
            assertTrue(c.keySet().stream().anyMatch(k2 -> k2.startsWith("model.")), context);
            if (phase.equals("training") || phase.equals("validation")) {
                assertTrue(run.err().contains("checkpoint written to " + Checkpoint.file(checkpoint).toAbsolutePath()),
                        context);
            }
        }
        System.out.println("SIGTERM moments by phase: " + where + " (fit " + fitMillis + " ms, run " + referenceMillis
                + " ms after the data line)");
    }

    @Test
    void killedMidEpochAndResumedEqualsUninterrupted() throws Exception {
        Path out = dir.resolve("killed");
        Path checkpoint = out.resolve("checkpoint");
        Run killed = run(out, List.of("--checkpoint-every", "3"), p -> { }, (p, stdout) -> {
            // wait for a checkpoint inside epoch 1, then SIGKILL: nothing runs on the way out
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < end) {
                try {
                    if (Files.isRegularFile(Checkpoint.file(checkpoint))
                            && Checkpoint.readMeta(checkpoint).epoch() == 1
                            && Checkpoint.readMeta(checkpoint).nextIter() > 0) {
                        break;
                    }
                    Thread.sleep(2);
                } catch (RuntimeException | InterruptedException e) {
                    // being replaced right now: read again
                }
            }
            p.destroyForcibly();
        });
        assertEquals(137, killed.code(), killed.err());
        Checkpoint.Meta at = Checkpoint.readMeta(checkpoint);
        assertTrue(at.epoch() < 4, "killed before the end: " + at);
        Run resumed = run(out, List.of("--resume", checkpoint.toString()), p -> { }, null);
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.out().contains("resuming " + checkpoint + " at epoch " + at.epoch() + ", batch "
                + at.nextIter()), resumed.out());
        Map<String, Object> expected = contents(reference.resolve("checkpoint"));
        Map<String, Object> actual = contents(checkpoint);
        assertEquals(4, expected.get("epoch"));
        assertEquals(expected.keySet(), actual.keySet());
        assertEquals(expected.get("epoch table"), actual.get("epoch table"));
        assertEquals(expected.get("losses"), actual.get("losses"));
        assertEquals(expected, actual, "weights and optimizer state");
    }
}

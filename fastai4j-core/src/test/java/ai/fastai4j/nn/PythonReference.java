package ai.fastai4j.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a reference script from the test resources with Debian's python3-torch ({@code -Dfastai4j.python} to use
 * another interpreter). A missing interpreter fails the test with the install line: CI installs it.
 */
final class PythonReference {
    static final String PYTHON = System.getProperty("fastai4j.python", "/usr/bin/python3");

    private PythonReference() {}

    /** Copies {@code resource} into {@code dir}, runs it with {@code args} and returns its output. */
    static String run(String resource, Path dir, String... args) throws IOException, InterruptedException {
        if (!Files.isExecutable(Path.of(PYTHON))) {
            fail(PYTHON + " not found: this test needs Debian's python3-torch (apt-get install python3-torch;"
                    + " .ci/run does)");
        }
        Path script = dir.resolve(resource.substring(resource.lastIndexOf('/') + 1));
        try (InputStream in = PythonReference.class.getResourceAsStream(resource)) {
            assertNotNull(in, resource + " is not on the test class path");
            Files.copy(in, script);
        }
        List<String> cmd = new ArrayList<>(List.of(PYTHON, script.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putIfAbsent("OMP_NUM_THREADS", "1");
        Process p = pb.start();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(cmd + " did not finish in 120 s");
        }
        assertEquals(0, p.exitValue(), cmd + " failed (python3-torch installed?):\n" + out);
        return out;
    }
}

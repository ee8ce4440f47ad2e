package ai.fastai4j.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressBarsTest {

    @Test
    void progressOffPrintsNothing() {
        String saved = System.getProperty(ProgressBars.PROPERTY);
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream cap = new PrintStream(captured, true, StandardCharsets.UTF_8);
        try {
            System.setProperty(ProgressBars.PROPERTY, "false");
            System.setOut(cap);
            System.setErr(cap);
            assertEquals(ProgressBars.Mode.OFF, ProgressBars.mode());
            try (ProgressReporter p = ProgressBars.forEpoch("train", 100)) {
                for (int i = 0; i < 100; i++) {
                    p.step("loss " + i);
                }
                assertEquals(100, p.current());
            }
        } finally {
            System.setOut(out);
            System.setErr(err);
            if (saved == null) {
                System.clearProperty(ProgressBars.PROPERTY);
            } else {
                System.setProperty(ProgressBars.PROPERTY, saved);
            }
        }
        assertEquals(0, captured.size(), "unexpected output: " + captured);
    }

    @Test
    void modeFromProperty() {
        String saved = System.getProperty(ProgressBars.PROPERTY);
        try {
            System.setProperty(ProgressBars.PROPERTY, "off");
            assertEquals(ProgressBars.Mode.OFF, ProgressBars.mode());
            System.setProperty(ProgressBars.PROPERTY, "ON");
            assertEquals(ProgressBars.Mode.BAR, ProgressBars.mode());
            System.setProperty(ProgressBars.PROPERTY, "plain");
            assertEquals(ProgressBars.Mode.LINES, ProgressBars.mode());
        } finally {
            if (saved == null) {
                System.clearProperty(ProgressBars.PROPERTY);
            } else {
                System.setProperty(ProgressBars.PROPERTY, saved);
            }
        }
    }

    @Test
    void lineModePrintsOneSummaryLine() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8);
        try (ProgressReporter p = ProgressBars.forEpoch("valid", 4, ProgressBars.Mode.LINES, ps)) {
            for (int i = 0; i < 4; i++) {
                p.step(i == 3 ? "loss 0.1234" : null);
            }
        }
        String s = buf.toString(StandardCharsets.UTF_8);
        assertTrue(s.matches("valid 100% 4/4 \\[00:0\\d] loss 0\\.1234\\R"), s);
    }

    @Test
    void barModeDrawsAndClears() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8);
        ProgressReporter p = ProgressBars.forEpoch("train", 50, ProgressBars.Mode.BAR, ps);
        for (int i = 0; i < 50; i++) {
            p.step(String.format(java.util.Locale.ROOT, "loss %.4f", 1.0 / (i + 1)));
        }
        p.close();
        p.close(); // idempotent
        p.step("ignored after close");
        String s = buf.toString(StandardCharsets.UTF_8);
        assertTrue(s.contains("train"), s);
        assertTrue(s.contains("\r"), "bar should redraw with carriage returns");
        assertTrue(s.endsWith("\r"), "bar should be cleared, leaving the cursor at column 0: " + s);
        assertFalse(s.contains("\n"), "no newline should be left behind: " + s);
    }

    @Test
    void barLivingPastFirstRefreshAlsoClears() throws InterruptedException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8);
        try (ProgressReporter p = ProgressBars.forEpoch("valid", 10, ProgressBars.Mode.BAR, ps)) {
            for (int i = 0; i < 10; i++) {
                p.step("loss 0.5");
                Thread.sleep(60);
            }
        }
        String s = buf.toString(StandardCharsets.UTF_8);
        assertTrue(s.contains("valid"), s);
        assertTrue(s.endsWith("\r"), s);
        assertFalse(s.contains("\n"), s);
    }
}

package ai.fastai4j.plot;

import java.io.Console;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarConsumer;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress bars for the training loop, over {@code me.tongfei:progressbar}.
 *
 * <p>The display mode comes from the system property {@value #PROPERTY}, else the environment
 * variable {@value #ENV}:
 *
 * <ul>
 *   <li>{@code off}, {@code false}, {@code 0}, {@code no}, {@code none}: print nothing;
 *   <li>{@code on}, {@code true}, {@code 1}, {@code yes}, {@code bar}: a bar redrawn in place on
 *       stderr (carriage returns), even when stderr is not a terminal;
 *   <li>{@code plain}, {@code lines}: one summary line on stderr when each loop ends (for log
 *       files);
 *   <li>unset or {@code auto}: a bar when a console is attached, otherwise nothing.
 * </ul>
 *
 * <p>The bar is cleared when the reporter is closed, like fastai's transient inner bar, so the
 * epoch table printed afterwards stays clean.
 */
public final class ProgressBars {

    /** System property selecting the mode (takes precedence over {@link #ENV}). */
    public static final String PROPERTY = "fastai4j.progress";
    /** Environment variable selecting the mode. */
    public static final String ENV = "FASTAI4J_PROGRESS";

    /** Display modes; see the class documentation. */
    public enum Mode {
        /** Print nothing. */
        OFF,
        /** Bar redrawn in place. */
        BAR,
        /** One summary line per loop. */
        LINES
    }

    private ProgressBars() {}

    /**
     * Starts a progress reporter for a loop of {@code total} steps, in the configured mode.
     *
     * @param taskName short label, e.g. {@code "train"} or {@code "valid"}
     * @param total number of steps expected (&lt;= 0 means unknown)
     * @return a reporter; close it when the loop ends
     */
    public static ProgressReporter forEpoch(String taskName, int total) {
        return forEpoch(taskName, total, mode(), System.err);
    }

    /**
     * Starts a progress reporter in an explicit mode, writing to {@code out}.
     *
     * @param taskName short label
     * @param total number of steps expected (&lt;= 0 means unknown)
     * @param mode display mode
     * @param out stream to draw on (unused for {@link Mode#OFF})
     * @return a reporter; close it when the loop ends
     */
    public static ProgressReporter forEpoch(String taskName, int total, Mode mode, PrintStream out) {
        String name = taskName == null ? "" : taskName;
        switch (mode) {
            case BAR:
                return new BarReporter(name, total, out);
            case LINES:
                return new LineReporter(name, total, out);
            default:
                return new SilentReporter();
        }
    }

    /**
     * A reporter that only counts steps.
     *
     * @return a reporter that prints nothing
     */
    public static ProgressReporter silent() {
        return new SilentReporter();
    }

    /**
     * The mode chosen by {@value #PROPERTY} / {@value #ENV}, resolving {@code auto}.
     *
     * @return the effective mode
     */
    public static Mode mode() {
        String v = System.getProperty(PROPERTY);
        if (v == null || v.isBlank()) {
            v = System.getenv(ENV);
        }
        String s = v == null ? "auto" : v.trim().toLowerCase(Locale.ROOT);
        switch (s) {
            case "off": case "false": case "0": case "no": case "none":
                return Mode.OFF;
            case "on": case "true": case "1": case "yes": case "bar":
                return Mode.BAR;
            case "plain": case "lines": case "line": case "log":
                return Mode.LINES;
            default:
                return isInteractive() ? Mode.BAR : Mode.OFF;
        }
    }

    /** True when a terminal is attached (on JDK 22+ also checks {@code Console.isTerminal()}). */
    static boolean isInteractive() {
        Console c = System.console();
        if (c == null) {
            return false;
        }
        try {
            Method m = Console.class.getMethod("isTerminal");
            return (Boolean) m.invoke(c);
        } catch (ReflectiveOperationException e) {
            return true; // JDK < 22: a non-null console means a terminal
        }
    }

    static String formatElapsed(Duration d) {
        long s = d.getSeconds();
        return s >= 3600
                ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60)
                : String.format(Locale.ROOT, "%02d:%02d", s / 60, s % 60);
    }

    // ---------------------------------------------------------------- implementations

    private static final class SilentReporter implements ProgressReporter {
        private final AtomicLong count = new AtomicLong();

        @Override
        public void step(String extraMessage) {
            count.incrementAndGet();
        }

        @Override
        public long current() {
            return count.get();
        }

        @Override
        public void close() {}
    }

    private static final class LineReporter implements ProgressReporter {
        private final String name;
        private final int total;
        private final PrintStream out;
        private final long start = System.nanoTime();
        private final AtomicLong count = new AtomicLong();
        private volatile String message;
        private volatile boolean closed;

        LineReporter(String name, int total, PrintStream out) {
            this.name = name;
            this.total = total;
            this.out = out;
        }

        @Override
        public void step(String extraMessage) {
            if (closed) {
                return;
            }
            count.incrementAndGet();
            if (extraMessage != null) {
                message = extraMessage;
            }
        }

        @Override
        public long current() {
            return count.get();
        }

        @Override
        public synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            long n = count.get();
            StringBuilder sb = new StringBuilder(name);
            if (total > 0) {
                sb.append(String.format(Locale.ROOT, " %3d%% %d/%d", Math.min(100, n * 100 / total), n, total));
            } else {
                sb.append(' ').append(n);
            }
            sb.append(" [").append(formatElapsed(Duration.ofNanos(System.nanoTime() - start))).append(']');
            String m = message;
            if (m != null && !m.isEmpty()) {
                sb.append(' ').append(m);
            }
            out.println(sb.toString().trim());
            out.flush();
        }
    }

    private static final class BarReporter implements ProgressReporter {
        private final ProgressBar bar;
        private final ClearingConsumer consumer;
        private volatile boolean closed;

        BarReporter(String name, int total, PrintStream out) {
            consumer = new ClearingConsumer(out);
            bar = new ProgressBarBuilder()
                    .setTaskName(name)
                    .setInitialMax(total > 0 ? total : -1)
                    .setStyle(unicodeOk() ? ProgressBarStyle.UNICODE_BLOCK : ProgressBarStyle.ASCII)
                    .setUpdateIntervalMillis(250)
                    .setConsumer(consumer)
                    .clearDisplayOnFinish()
                    .build();
        }

        @Override
        public void step(String extraMessage) {
            if (closed) {
                return;
            }
            if (extraMessage != null) {
                bar.setExtraMessage(extraMessage);
            }
            bar.step();
        }

        @Override
        public long current() {
            return bar.getCurrent();
        }

        @Override
        public synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            bar.close();
            // progressbar 0.10.1 skips clear()/close() when the bar is closed before its first
            // scheduled refresh ran (very short loops); finish the display ourselves then.
            consumer.finish();
        }

        private static boolean unicodeOk() {
            String enc = System.getProperty("stderr.encoding", System.getProperty("sun.stderr.encoding",
                    System.getProperty("file.encoding", "")));
            return enc.toUpperCase(Locale.ROOT).contains("UTF");
        }
    }

    /**
     * Draws with carriage returns; {@link #clear()} blanks the line and leaves the cursor at its
     * start, and {@link #close()} then prints nothing, so no empty line is left behind.
     */
    static final class ClearingConsumer implements ProgressBarConsumer {
        private final PrintStream out;
        private final ConsoleProgressBarConsumer widthSource;
        private final int fixedWidth;
        private int lastLength;
        private boolean cleared;
        private boolean closed;

        ClearingConsumer(PrintStream out) {
            this.out = out;
            this.widthSource = new ConsoleProgressBarConsumer(out);
            this.fixedWidth = columnsFromEnv();
        }

        @Override
        public int getMaxRenderedLength() {
            if (fixedWidth > 0) {
                return fixedWidth;
            }
            try {
                return Math.max(40, widthSource.getMaxRenderedLength());
            } catch (RuntimeException | LinkageError e) {
                return 99;
            }
        }

        @Override
        public synchronized void accept(String rendered) {
            if (closed) {
                return;
            }
            int max = getMaxRenderedLength();
            String s = rendered.length() > max ? rendered.substring(0, max) : rendered;
            int pad = Math.max(0, lastLength - s.length());
            out.print('\r' + s + " ".repeat(pad));
            out.flush();
            lastLength = s.length();
            cleared = false;
        }

        @Override
        public synchronized void clear() {
            out.print('\r' + " ".repeat(Math.max(lastLength, 1)) + '\r');
            out.flush();
            lastLength = 0;
            cleared = true;
        }

        @Override
        public synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            if (!cleared) {
                out.println();
            }
            out.flush();
        }

        /** Clears and closes unless that already happened. */
        synchronized void finish() {
            if (!closed) {
                clear();
                close();
            }
        }

        private static int columnsFromEnv() {
            try {
                String c = System.getenv("COLUMNS");
                return c == null ? -1 : Integer.parseInt(c.trim()) - 1;
            } catch (NumberFormatException e) {
                return -1;
            }
        }
    }
}

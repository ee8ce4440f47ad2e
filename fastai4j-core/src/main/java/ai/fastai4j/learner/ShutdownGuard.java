package ai.fastai4j.learner;

import java.util.concurrent.TimeUnit;

/**
 * Makes stopping the process a normal event for training, never a crash. Installed when the first
 * {@link Learner} is built (turn off with the system property {@code fastai4j.shutdown.guard=false}).
 *
 * <p>Why: when the JVM shuts down (Ctrl-C, SIGTERM, {@code System.exit}), it runs its shutdown hooks and then
 * exits the process, which runs libtorch's static destructors, while the training thread may still be inside
 * libtorch (a backward pass): native state torn down under a running thread crashes the JVM. So a shutdown hook
 * waits, bounded, until no thread is in a learner's native work and every learner is closed:
 * <ol>
 *   <li>it sets {@link #stopRequested()}; a training learner finishes its running batch, stops (its
 *       {@link CheckpointCallback}, if any, writes a checkpoint) and throws {@link TrainingInterruptedException}
 *       out of {@code fit}/{@code lrFind}/{@code getPreds}; new native work on a learner fails the same way, but
 *       closing a learner (freeing its native memory, on its own thread) is always allowed;</li>
 *   <li>the hook waits until no learner work runs and every learner it stopped is closed, at most
 *       {@code fastai4j.shutdown.timeout} seconds (default 120);</li>
 *   <li>then it blocks any new learner work for good (the thread waits for the exit) and waits, bounded again,
 *       for native work still running; only then the JVM goes on exiting.</li>
 * </ol>
 * Nothing native is ever freed from the hook's thread.
 *
 * <p>Guarantees: for SIGINT and SIGTERM the process exits with 130 and 143 (128 + the signal, the JVM's own
 * codes); for {@code System.exit(n)} called while a learner trains on another thread, with {@code n}, after
 * that learner's batch finished and it was closed (or the timeout passed). Idle learners do not delay the exit. A second SIGINT or SIGTERM while
 * stopping {@linkplain #stopNowRequested() stops at once}: the learner leaves at its next event (between two
 * native calls) without finishing the batch or writing a checkpoint, and the exit still waits for it to leave
 * native code. A stopped learner that is never closed delays the exit by the timeout. {@code Runtime.halt} and SIGKILL
 * skip all of this (the last checkpoint written stays whole: checkpoints are written atomically).
 */
public final class ShutdownGuard {
    private static final Object LOCK = new Object();
    private static final java.util.Set<Learner> STOPPED = java.util.Collections.newSetFromMap(
            new java.util.IdentityHashMap<>());
    private static int busy;
    private static volatile boolean stopRequested;
    private static volatile boolean stopNow;
    private static boolean halting;
    private static boolean installed;
    private static volatile int signalsSeen;
    private static volatile long firstSignalNanos;
    /** A second signal within this many milliseconds of the first is the same one delivered twice. */
    private static final long DEBOUNCE_MS = 50;

    private ShutdownGuard() {}

    /** Whether the process is shutting down: training stops after its running batch. */
    public static boolean stopRequested() {
        return stopRequested;
    }

    /** Whether a second signal asked to stop without finishing the batch. */
    public static boolean stopNowRequested() {
        return stopNow;
    }

    static void install() {
        synchronized (LOCK) {
            if (installed || "false".equalsIgnoreCase(System.getProperty("fastai4j.shutdown.guard"))) {
                return;
            }
            installed = true;
        }
        Thread hook = new Thread(ShutdownGuard::onShutdown, "fastai4j-shutdown-guard");
        Runtime.getRuntime().addShutdownHook(hook);
        handleSecondSignal("INT", 130);
        handleSecondSignal("TERM", 143);
    }

    /**
     * The first signal exits as the JVM would (130 / 143: the shutdown hook then stops training cleanly); a
     * second one while stopping sets {@link #stopNowRequested()}.
     */
    private static void handleSecondSignal(String name, int exitCode) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal(name), sig -> {
                long now = System.nanoTime();
                // one signal delivered twice (e.g. timeout(1) signals the child and then its process group)
                if (firstSignalNanos != 0 && now - firstSignalNanos < TimeUnit.MILLISECONDS.toNanos(DEBOUNCE_MS)) {
                    return;
                }
                if (signalsSeen++ == 0 && !stopRequested) {
                    firstSignalNanos = now;
                    Thread t = new Thread(() -> System.exit(exitCode), "fastai4j-SIG" + name);
                    t.start();
                } else {
                    stopNow = true;
                    System.err.println("fastai4j: stopping now (the running batch is abandoned, no checkpoint)");
                }
            });
        } catch (IllegalArgumentException | IllegalStateException | UnsupportedOperationException e) {
            // -Xrs or a signal the platform lacks: the JVM's own handling (and the shutdown hook) remain
        }
    }

    /** A learner was stopped by the shutdown: the exit waits for it to be closed. */
    static void stopped(Learner learn) {
        synchronized (LOCK) {
            STOPPED.add(learn);
        }
    }

    static void closed(Learner learn) {
        synchronized (LOCK) {
            STOPPED.remove(learn);
            LOCK.notifyAll();
        }
    }

    /**
     * Marks native work on a learner (training, exporting): a JVM shutdown waits for it to end before the process
     * exits. Fails with {@link TrainingInterruptedException} once stopping.
     */
    public static Region work(String what) {
        return enter(what, false);
    }

    /** Marks freeing a learner's native memory: allowed while stopping (but not after the exit began). */
    static Region closing() {
        return enter("close", true);
    }

    private static Region enter(String what, boolean cleanup) {
        synchronized (LOCK) {
            while (halting) {
                try {
                    LOCK.wait(); // the process is exiting: never enter native code again
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (stopRequested && !cleanup) {
                throw new TrainingInterruptedException(what + " refused: the process is shutting down");
            }
            busy++;
        }
        return new Region();
    }

    /** A stretch of native work; close it when done. */
    public static final class Region implements AutoCloseable {
        private boolean closed;

        private Region() {}

        @Override
        public void close() {
            synchronized (LOCK) {
                if (!closed) {
                    closed = true;
                    busy--;
                    LOCK.notifyAll();
                }
            }
        }
    }

    private static void onShutdown() {
        long timeoutNanos = TimeUnit.SECONDS.toNanos(Long.getLong("fastai4j.shutdown.timeout", 120));
        synchronized (LOCK) {
            stopRequested = true;
            if (busy > 0) {
                System.err.println("fastai4j: shutting down: finishing the running batch (Ctrl-C again to stop now)");
            }
            waitUntil(() -> STOPPED.isEmpty() && busy == 0, timeoutNanos);
            halting = true;
            waitUntil(() -> busy == 0, timeoutNanos);
            if (busy > 0) {
                System.err.println("fastai4j: shutting down while native work still runs (timeout "
                        + TimeUnit.NANOSECONDS.toSeconds(timeoutNanos) + " s, fastai4j.shutdown.timeout)");
            }
        }
    }

    private static void waitUntil(java.util.function.BooleanSupplier done, long timeoutNanos) {
        long end = System.nanoTime() + timeoutNanos;
        while (!done.getAsBoolean()) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                return;
            }
            try {
                TimeUnit.NANOSECONDS.timedWait(LOCK, left);
            } catch (InterruptedException e) {
                return;
            }
        }
    }
}

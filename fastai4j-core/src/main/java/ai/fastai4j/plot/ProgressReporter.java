package ai.fastai4j.plot;

/**
 * Progress of one loop (e.g. the batches of an epoch), created by {@link ProgressBars}.
 * Cheap enough to call {@link #step(String)} once per batch. Close it (try-with-resources)
 * before printing the epoch's table row, so a terminal bar is cleared first.
 */
public interface ProgressReporter extends AutoCloseable {

    /**
     * Advances by one step.
     *
     * @param extraMessage text shown after the bar, e.g. {@code "loss 0.2345"}; null keeps the
     *     previous message
     */
    void step(String extraMessage);

    /** Advances by one step, keeping the previous message. */
    default void step() {
        step(null);
    }

    /**
     * Number of steps done so far.
     *
     * @return the step count
     */
    long current();

    /** Finishes the display; further steps are ignored. Idempotent; never throws. */
    @Override
    void close();
}

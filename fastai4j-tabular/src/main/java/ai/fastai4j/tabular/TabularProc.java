package ai.fastai4j.tabular;

import java.util.Map;

/**
 * A tabular preprocessing step, like fastai's {@code TabularProc}: it learns its state from the training rows
 * ({@link #setup}) and then changes any rows in place ({@link #apply}), eagerly and column by column. The procs of a
 * data set run in {@link #order()} (fastai's: {@link FillMissing} 0, {@link Categorify} 1, {@link Normalize} 99),
 * each set up on the training rows as the earlier ones left them. Their state travels with the model for inference.
 */
public interface TabularProc {

    /** Where this proc runs among the others (lower first). */
    int order();

    /** Learns state from the training rows. */
    void setup(TabularFrame train);

    /** Transforms rows with the learned state. */
    void apply(TabularFrame frame);

    /** Whether {@link #setup} has run (or the state was given). */
    boolean isSetUp();

    /** A new instance with the same options and no learned state. */
    TabularProc fresh();

    /** The options and learned state as JSON-style values (strings, numbers, booleans, lists, maps). */
    Map<String, Object> state();

    /** A short name for summaries. */
    default String name() {
        return getClass().getSimpleName();
    }
}

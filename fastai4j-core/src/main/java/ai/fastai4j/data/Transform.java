package ai.fastai4j.data;

import java.util.List;

/**
 * A reversible step of a data pipeline, like fastai's {@code Transform}: {@link #encode} turns an input into
 * what the model needs, {@link #decode} turns it back into something a person can read, and {@link #setup}
 * learns state (a vocabulary, statistics) from the training split only.
 *
 * @param <A> input type
 * @param <B> output type
 */
public interface Transform<A, B> {

    /** Forward direction. */
    B encode(A input);

    /** Reverse direction; identity-like transforms may not be reversible. */
    default A decode(B output) {
        throw new UnsupportedOperationException(name() + " cannot decode");
    }

    /** Learns state from the encoded-so-far training items. Called once, before any encode. */
    default void setup(List<A> trainInputs) {}

    /** A readable name for summaries and error messages. */
    default String name() {
        return getClass().getSimpleName();
    }
}

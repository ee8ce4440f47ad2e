package ai.fastai4j.export;

import ai.fastai4j.data.Pipeline;
import ai.fastai4j.data.TransformBlock;
import java.util.Map;

/**
 * Describes a block for export: its parameters, including the state its type transforms learned on the training
 * split (a vocabulary, statistics), which it reads from the set-up {@link Pipeline}.
 *
 * @param <B> block type
 */
@FunctionalInterface
public interface BlockDescriber<B extends TransformBlock> {

    /**
     * Parameters that rebuild {@code block} with all its learned state: JSON values only (strings, numbers,
     * booleans, lists, string-keyed maps).
     */
    Map<String, Object> describe(B block, Pipeline setUpPipeline);
}

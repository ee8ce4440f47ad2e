package ai.fastai4j.export;

import ai.djl.ndarray.NDManager;
import ai.fastai4j.nn.Module;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Builds a model from the parameters stored in a model file (architecture name, sizes). The weights are loaded
 * afterwards, so the initial values do not matter, but names, shapes and data types must match the exported
 * state dict exactly.
 */
@FunctionalInterface
public interface ModelFactory {

    /** A new model whose parameters live in {@code manager}. */
    Module create(NDManager manager, Map<String, Object> params);

    /**
     * How many outputs a model built from {@code params} has (e.g. {@code n_out}), when the factory knows it;
     * used to check the file's target (number of classes) against the model before any weights are read.
     */
    default OptionalInt outputs(Map<String, Object> params) {
        return OptionalInt.empty();
    }

    /**
     * Checks that a model built from {@code params} fits the manifest's input blocks (for example, that each
     * embedding has as many rows as its column's vocabulary has entries); called on export and on loading, before
     * any weights are read. Throws {@link IllegalArgumentException} saying what does not fit; by default accepts
     * everything.
     */
    default void checkInputs(Map<String, Object> params, List<Manifest.Component> inputs) {}

    /** A factory whose output count comes from {@code outputs}. */
    static ModelFactory of(java.util.function.BiFunction<NDManager, Map<String, Object>, Module> create,
            java.util.function.ToIntFunction<Map<String, Object>> outputs) {
        return new ModelFactory() {
            @Override
            public Module create(NDManager manager, Map<String, Object> params) {
                return create.apply(manager, params);
            }

            @Override
            public OptionalInt outputs(Map<String, Object> params) {
                return OptionalInt.of(outputs.applyAsInt(params));
            }
        };
    }
}

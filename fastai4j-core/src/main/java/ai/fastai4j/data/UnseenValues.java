package ai.fastai4j.data;

import java.util.List;

/**
 * A transform that maps values it never saw in training to a placeholder (fastai's {@code #na#}) can say which
 * columns of a raw input held such a value, so that drift between training data and served data is visible
 * ({@link ai.fastai4j.export.InferenceModel#unseenCategories}).
 */
public interface UnseenValues {

    /**
     * The columns of {@code raw} whose value is present (not missing) but unknown to the transform's vocabulary,
     * in the transform's column order; empty when every value is known.
     */
    List<String> unseenColumns(Object raw);
}

package ai.fastai4j.export;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.fastai4j.learner.Learner;
import ai.fastai4j.learner.TerminateOnNaNCallback;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A failed training never ships: {@link ModelExport} refuses a learner whose last fit was stopped for a NaN loss or
 * whose weights are not all finite, and {@link InferenceModel} refuses such weights on loading (a model with NaN
 * weights answers NaN for everything; one with infinite weights, one class for everything).
 */
final class FiniteWeights {
    private FiniteWeights() {}

    /** The tensors holding NaN or infinite values, as {@code "name (n of m)"}; empty when every value is finite. */
    static List<String> nonFinite(Map<String, NDArray> stateDict) {
        List<String> bad = new ArrayList<>();
        for (Map.Entry<String, NDArray> e : stateDict.entrySet()) {
            NDArray v = e.getValue();
            if (!v.getDataType().isFloating()) {
                continue;
            }
            try (NDScope scope = new NDScope()) {
                long n = v.isNaN().logicalOr(v.isInfinite()).countNonzero().getLong();
                if (n > 0) {
                    bad.add(e.getKey() + " (" + n + " of " + v.size() + ")");
                }
            }
        }
        return bad;
    }

    /** Describes the first few of {@link #nonFinite}'s tensors. */
    static String describe(List<String> bad) {
        return bad.size() <= 3 ? String.join(", ", bad)
                : String.join(", ", bad.subList(0, 3)) + " and " + (bad.size() - 3) + " more tensors";
    }

    /** @throws ExportException when the learner's training failed or its weights are not finite */
    static void checkExportable(Learner learn) {
        if (learn.hasCallback(TerminateOnNaNCallback.class)) {
            String stopped = learn.callback(TerminateOnNaNCallback.class).message();
            if (stopped != null) {
                throw new ExportException("cannot export: the last training failed: " + stopped);
            }
        }
        List<String> bad = nonFinite(learn.model().stateDict());
        if (!bad.isEmpty()) {
            throw new ExportException("cannot export: the model's weights are not finite (NaN or infinite values in "
                    + describe(bad) + "): the training diverged; train again with a lower learning rate");
        }
    }
}

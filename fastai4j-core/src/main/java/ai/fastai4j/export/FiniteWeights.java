package ai.fastai4j.export;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.fastai4j.learner.Learner;
import ai.fastai4j.learner.TerminateOnNaNCallback;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A failed training never ships: {@link ModelExport} refuses a learner whose last fit was stopped for a NaN loss,
 * ended with a validation loss that is not finite, or whose weights are not all finite, and {@link InferenceModel} refuses such weights on loading (a model with NaN
 * weights answers NaN for everything; one with infinite weights, one class for everything).
 */
final class FiniteWeights {
    /** A fit whose training loss ends this many times above where it started has diverged. */
    static final double DIVERGED_RATIO = 1e4;

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
        List<Double> losses = learn.recorder().losses();
        if (losses.size() > 1) {
            double first = losses.get(0);
            double last = losses.get(losses.size() - 1);
            if (first > 0 && last > DIVERGED_RATIO * first) {
                throw new ExportException(String.format(java.util.Locale.ROOT, "cannot export: the last training "
                        + "failed: it diverged (its smoothed training loss went from %.4g to %.4g, more than %.0e times"
                        + " higher); train again with a lower learning rate", first, last, DIVERGED_RATIO));
            }
        }
        List<List<Double>> epochs = learn.recorder().values();
        if (!epochs.isEmpty() && learn.dls().valid().numItems() > 0) {
            double valid = epochs.get(epochs.size() - 1).get(1);
            if (!Double.isFinite(valid)) { // finite but huge weights overflow: the model answers NaN
                throw new ExportException("cannot export: the last training failed: its final validation loss is "
                        + valid + " (the model's outputs are not finite); train again with a lower learning rate");
            }
        }
        List<String> bad = nonFinite(learn.model().stateDict());
        if (!bad.isEmpty()) {
            throw new ExportException("cannot export: the model's weights are not finite (NaN or infinite values in "
                    + describe(bad) + "): the training diverged; train again with a lower learning rate");
        }
    }
}

package ai.fastai4j.tabular;

import java.util.Map;

/**
 * One row's prediction, fastai's {@code TabularLearner.predict}: the row as the model saw it (categories decoded,
 * {@code #na#} for missing or unseen ones, filled and de-normalised numbers), the decoded prediction (class name or
 * value), the raw decision (class index or value) and the activated outputs (probabilities or value).
 */
public record TabularPrediction(Map<String, String> row, Object label, Object decision, float[] probs) {

    public TabularPrediction {
        row = Map.copyOf(row);
        probs = probs.clone();
    }

    @Override
    public float[] probs() {
        return probs.clone();
    }
}

package ai.fastai4j.export;

import ai.fastai4j.learner.Prediction;

/**
 * What became of one input of {@link InferenceModel#predictEach}: its prediction, or why it has none (an
 * unreadable image, a missing column, an unknown user...). Exactly one of the two is non-null.
 */
public record Outcome(Prediction prediction, String error) {

    public Outcome {
        if ((prediction == null) == (error == null)) {
            throw new IllegalArgumentException("an outcome has a prediction or an error, not both or neither");
        }
    }

    static Outcome of(Prediction p) {
        return new Outcome(p, null);
    }

    static Outcome failed(String error) {
        return new Outcome(null, error);
    }

    /** Whether the input was predicted. */
    public boolean ok() {
        return prediction != null;
    }
}

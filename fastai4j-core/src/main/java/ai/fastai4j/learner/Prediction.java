package ai.fastai4j.learner;

/**
 * One item's prediction: the decoded label or value, the raw decision (class index, label set, value) and the
 * activated outputs.
 */
public record Prediction(Object label, Object decision, float[] probs) {

    /** The highest probability (the confidence of a single-label prediction). */
    public float maxProb() {
        float m = Float.NEGATIVE_INFINITY;
        for (float p : probs) {
            m = Math.max(m, p);
        }
        return m;
    }
}

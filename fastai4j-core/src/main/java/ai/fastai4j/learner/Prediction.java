package ai.fastai4j.learner;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One item's prediction: the decoded label or value, the raw decision (class index, label set, value) and the
 * activated outputs.
 */
public record Prediction(Object label, Object decision, float[] probs) {

    /** One class and its probability, as ranked by {@link #top}. */
    public record ClassProbability(String label, float probability) {}

    /** The highest probability (the confidence of a single-label prediction). */
    public float maxProb() {
        float m = Float.NEGATIVE_INFINITY;
        for (float p : probs) {
            m = Math.max(m, p);
        }
        return m;
    }

    /**
     * The {@code k} most probable classes, most probable first (ties in class order), named from {@code vocab}
     * when it has one name per output, else by their index.
     */
    public List<ClassProbability> top(int k, List<String> vocab) {
        Integer[] order = new Integer[probs.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Float.compare(probs[b], probs[a]));
        List<ClassProbability> out = new ArrayList<>();
        for (int i = 0; i < Math.min(k, order.length); i++) {
            int c = order[i];
            out.add(new ClassProbability(vocab.size() == probs.length ? vocab.get(c) : String.valueOf(c), probs[c]));
        }
        return out;
    }
}

package ai.fastai4j.serve;

import ai.fastai4j.learner.Prediction;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import java.util.List;

/** A {@link Prediction} as the JSON answer shared by the handlers: {@code label, probability, top} or {@code value}. */
final class PredictionJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private PredictionJson() {}

    /**
     * {@code {"label", "probability", "top": [{"label", "probability"}...]}} with the {@code k} most probable
     * classes, or {@code {"value": v}} for a regression (no vocabulary).
     */
    static ObjectNode of(Prediction p, List<String> vocab, int k) {
        ObjectNode o = JSON.createObjectNode();
        if (vocab.isEmpty() && (p.label() instanceof Number || p.label() instanceof float[])) {
            o.set("value", JSON.valueToTree(p.label())); // regression: the value(s), no classes
            return o;
        }
        o.set("label", JSON.valueToTree(p.label() instanceof String || p.label() instanceof Number
                || p.label() instanceof List<?> ? p.label() : String.valueOf(p.label())));
        float[] probs = p.probs();
        int labelIndex = p.label() instanceof String s && vocab.size() == probs.length ? vocab.indexOf(s) : -1;
        // single-label: the predicted class's probability; otherwise the highest one
        o.put("probability", labelIndex >= 0 ? probs[labelIndex] : p.maxProb());
        ArrayNode top = o.putArray("top");
        Integer[] order = new Integer[probs.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Float.compare(probs[b], probs[a]));
        for (int i = 0; i < Math.min(k, order.length); i++) {
            int c = order[i];
            ObjectNode t = top.addObject();
            t.put("label", vocab.size() == probs.length ? vocab.get(c) : String.valueOf(c));
            t.put("probability", probs[c]);
        }
        return o;
    }
}

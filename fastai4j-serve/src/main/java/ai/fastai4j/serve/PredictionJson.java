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
     * Refuses a prediction holding NaN or an infinite value (JSON has no NaN): the model's weights are checked
     * finite on loading, so such an output comes from the input (a value far outside the training data's range).
     *
     * @throws ApiException 422
     */
    static void requireFinite(Prediction p) {
        Object label = p.label();
        boolean finite = label instanceof Number n ? Double.isFinite(n.doubleValue())
                : !(label instanceof float[] v) || allFinite(v);
        if (!finite || !allFinite(p.probs())) {
            throw new ApiException(422, "the model gives no finite answer for this input (NaN or infinite outputs): "
                    + "are its values far outside those it was trained on?");
        }
    }

    private static boolean allFinite(float[] v) {
        for (float x : v) {
            if (!Float.isFinite(x)) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@code {"label", "probability", "top": [{"label", "probability"}...]}} with the {@code k} most probable
     * classes, or {@code {"value": v}} for a regression (no vocabulary).
     */
    static ObjectNode of(Prediction p, List<String> vocab, int k) {
        requireFinite(p);
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

package ai.fastai4j.export;

import ai.fastai4j.nn.ModelSpec;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The {@code manifest.json} of a model file, as plain values: what the model is, how to rebuild its input and
 * output pipelines, and a checksum of its weights. Parameter maps hold JSON values only (unmodifiable maps,
 * lists, strings, numbers, booleans).
 *
 * <pre>{@code
 * {
 *   "format": "fastai4j-model", "formatVersion": 1, "fastai4jVersion": "...", "createdAt": "2025-...Z",
 *   "task": "single_label_classification",
 *   "model": {"factory": "vision_model", "params": {"arch": "RESNET34", "n_in": 3, "n_out": 37}},
 *   "inputs": [{"block": "image", "params": {"channels": 3}}],
 *   "target": {"block": "category", "params": {"vocab": ["cat", "dog"]}},
 *   "itemTransforms": [{"name": "resize", "params": {...}}],
 *   "batchTransforms": [{"name": "int_to_float", "params": {...}}, {"name": "normalize", "params": {...}}],
 *   "loss": {"name": "cross_entropy_flat", "params": {"eps": 0.0}},
 *   "weights": {"file": "weights.safetensors", "sha256": "...", "bytes": 123, "tensors": 45},
 *   "provenance": {...}
 * }
 * }</pre>
 *
 * @param format always {@value ModelFile#FORMAT}
 * @param formatVersion version of this layout ({@value ModelFile#FORMAT_VERSION})
 * @param fastai4jVersion the fastai4j that wrote the file
 * @param createdAt ISO-8601 instant of the export
 * @param task what the model does, from its target block (e.g. {@code single_label_classification})
 * @param model the model factory's name and parameters
 * @param inputs the input blocks, in order
 * @param target the target block, with its learned state (vocabulary)
 * @param itemTransforms item transforms, in order
 * @param batchTransforms every batch transform the loaders ran, in order (the blocks' own first)
 * @param loss the loss, whose activation and decode turn outputs into predictions
 * @param weights where the weights are and their checksum
 * @param provenance free-form facts about training (epochs, final metrics, data sizes, ...)
 */
public record Manifest(String format, int formatVersion, String fastai4jVersion, String createdAt, String task,
        ModelSpec model, List<Component> inputs, Component target, List<Component> itemTransforms,
        List<Component> batchTransforms, Component loss, Weights weights, Map<String, Object> provenance) {

    /** A named component (block, transform, loss, model factory) and its parameters. */
    public record Component(String name, Map<String, Object> params) {
        public Component {
            Objects.requireNonNull(name);
            params = params == null ? Map.of() : params;
        }
    }

    /**
     * The weights entry.
     *
     * @param file entry name in the archive ({@value ModelFile#WEIGHTS_ENTRY})
     * @param sha256 lower-case hex SHA-256 of the entry's bytes
     * @param bytes size of the entry in bytes
     * @param tensors number of tensors in it
     */
    public record Weights(String file, String sha256, long bytes, int tensors) {}

    public Manifest {
        inputs = List.copyOf(inputs);
        itemTransforms = List.copyOf(itemTransforms);
        batchTransforms = List.copyOf(batchTransforms);
        provenance = provenance == null ? Map.of() : provenance;
    }

    /**
     * The target's class names (the {@code vocab} parameter of the target block, or the {@code codes} of a mask),
     * or empty.
     */
    public List<String> vocab() {
        Object v = target.params().containsKey("vocab") ? target.params().get("vocab") : target.params().get("codes");
        if (v instanceof List<?> l && l.stream().allMatch(String.class::isInstance)) {
            List<String> out = new ArrayList<>();
            l.forEach(x -> out.add((String) x));
            return List.copyOf(out);
        }
        return List.of();
    }

    // ---------------------------------------------------------------- JSON

    JsonNode toJson() {
        ObjectNode o = JsonSupport.NODES.objectNode();
        o.put("format", format);
        o.put("formatVersion", formatVersion);
        o.put("fastai4jVersion", fastai4jVersion);
        o.put("createdAt", createdAt);
        o.put("task", task);
        o.set("model", component(new Component(model.name(), model.params()), "factory", "model"));
        ArrayNode in = o.putArray("inputs");
        for (int i = 0; i < inputs.size(); i++) {
            in.add(component(inputs.get(i), "block", "inputs[" + i + "]"));
        }
        o.set("target", component(target, "block", "target"));
        ArrayNode it = o.putArray("itemTransforms");
        for (int i = 0; i < itemTransforms.size(); i++) {
            it.add(component(itemTransforms.get(i), "name", "itemTransforms[" + i + "]"));
        }
        ArrayNode bt = o.putArray("batchTransforms");
        for (int i = 0; i < batchTransforms.size(); i++) {
            bt.add(component(batchTransforms.get(i), "name", "batchTransforms[" + i + "]"));
        }
        o.set("loss", component(loss, "name", "loss"));
        ObjectNode w = o.putObject("weights");
        w.put("file", weights.file());
        w.put("sha256", weights.sha256());
        w.put("bytes", weights.bytes());
        w.put("tensors", weights.tensors());
        o.set("provenance", JsonSupport.toNode(provenance, "provenance", true));
        return o;
    }

    private static ObjectNode component(Component c, String key, String where) {
        ObjectNode n = JsonSupport.NODES.objectNode();
        n.put(key, c.name());
        n.set("params", JsonSupport.toNode(c.params(), where + ".params", false));
        return n;
    }

    /**
     * Reads a parsed manifest, checking every field's presence and type. The format and its version are checked
     * first, so that a file from a newer fastai4j says so whatever else changed. Errors are
     * {@link IllegalArgumentException}s naming the field.
     */
    static Manifest fromJson(JsonNode root) {
        if (!root.isObject()) {
            throw new IllegalArgumentException("manifest.json is not a JSON object");
        }
        JsonNode f = root.get("format");
        if (f == null || !f.isTextual() || !ModelFile.FORMAT.equals(f.textValue())) {
            throw new IllegalArgumentException("not a fastai4j model (manifest.json 'format' is "
                    + (f == null ? "missing" : f.toString()) + ", expected \"" + ModelFile.FORMAT + "\")");
        }
        JsonNode v = root.get("formatVersion");
        if (v == null || !v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new IllegalArgumentException("manifest.json field 'formatVersion' must be an integer");
        }
        int version = v.intValue();
        if (version > ModelFile.FORMAT_VERSION) {
            throw new IllegalArgumentException("model file was written by a newer fastai4j (format " + version
                    + "); this version reads format " + ModelFile.FORMAT_VERSION);
        }
        if (version < 1) {
            throw new IllegalArgumentException("manifest.json field 'formatVersion' is " + version + ", not a valid version");
        }
        Set<String> known = Set.of("format", "formatVersion", "fastai4jVersion", "createdAt", "task", "model", "inputs",
                "target", "itemTransforms", "batchTransforms", "loss", "weights", "provenance");
        Iterator<String> names = root.fieldNames();
        while (names.hasNext()) {
            String n = names.next();
            if (!known.contains(n)) {
                throw new IllegalArgumentException("manifest.json has an unknown field '" + n + "'");
            }
        }
        String fastaiVersion = text(root, "fastai4jVersion", "fastai4jVersion");
        String createdAt = text(root, "createdAt", "createdAt");
        String task = text(root, "task", "task");
        Component m = component(object(root, "model", "model"), "factory", "model");
        ModelSpec model = new ModelSpec(m.name(), m.params());
        List<Component> inputs = components(root, "inputs", "block");
        if (inputs.isEmpty()) {
            throw new IllegalArgumentException("manifest.json field 'inputs' is empty");
        }
        Component target = component(object(root, "target", "target"), "block", "target");
        List<Component> itemTfms = components(root, "itemTransforms", "name");
        List<Component> batchTfms = components(root, "batchTransforms", "name");
        Component loss = component(object(root, "loss", "loss"), "name", "loss");
        JsonNode w = object(root, "weights", "weights");
        String file = text(w, "file", "weights.file");
        String sha = text(w, "sha256", "weights.sha256");
        if (!sha.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("manifest.json field 'weights.sha256' is not a SHA-256 in lower-case hex");
        }
        long bytes = integer(w, "bytes", "weights.bytes");
        long tensors = integer(w, "tensors", "weights.tensors");
        if (bytes < 0 || tensors < 0 || tensors > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("manifest.json 'weights' sizes are out of range");
        }
        JsonNode prov = root.get("provenance");
        Map<String, Object> provenance = Map.of();
        if (prov != null && !prov.isNull()) {
            if (!prov.isObject()) {
                throw new IllegalArgumentException("manifest.json field 'provenance' must be an object");
            }
            provenance = JsonSupport.toJavaMap(prov);
        }
        return new Manifest(ModelFile.FORMAT, version, fastaiVersion, createdAt, task, model, inputs, target, itemTfms,
                batchTfms, loss, new Weights(file, sha, bytes, (int) tensors), provenance);
    }

    private static JsonNode object(JsonNode n, String key, String where) {
        JsonNode c = n.get(key);
        if (c == null || !c.isObject()) {
            throw new IllegalArgumentException("manifest.json field '" + where + "' must be an object");
        }
        return c;
    }

    private static String text(JsonNode n, String key, String where) {
        JsonNode c = n.get(key);
        if (c == null || !c.isTextual()) {
            throw new IllegalArgumentException("manifest.json field '" + where + "' must be a string");
        }
        return c.textValue();
    }

    private static long integer(JsonNode n, String key, String where) {
        JsonNode c = n.get(key);
        if (c == null || !c.isIntegralNumber() || !c.canConvertToLong()) {
            throw new IllegalArgumentException("manifest.json field '" + where + "' must be an integer");
        }
        return c.longValue();
    }

    private static List<Component> components(JsonNode root, String key, String nameKey) {
        JsonNode a = root.get(key);
        if (a == null || !a.isArray()) {
            throw new IllegalArgumentException("manifest.json field '" + key + "' must be a list");
        }
        List<Component> out = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            JsonNode c = a.get(i);
            if (!c.isObject()) {
                throw new IllegalArgumentException("manifest.json field '" + key + "[" + i + "]' must be an object");
            }
            out.add(component(c, nameKey, key + "[" + i + "]"));
        }
        return out;
    }

    private static Component component(JsonNode c, String nameKey, String where) {
        Iterator<String> names = c.fieldNames();
        while (names.hasNext()) {
            String n = names.next();
            if (!n.equals(nameKey) && !n.equals("params")) {
                throw new IllegalArgumentException("manifest.json field '" + where + "' has an unknown field '" + n + "'");
            }
        }
        String name = text(c, nameKey, where + "." + nameKey);
        JsonNode p = c.get("params");
        if (p == null || !p.isObject()) {
            throw new IllegalArgumentException("manifest.json field '" + where + ".params' must be an object");
        }
        return new Component(name, JsonSupport.toJavaMap(p));
    }
}

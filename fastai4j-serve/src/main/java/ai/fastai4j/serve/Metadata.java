package ai.fastai4j.serve;

import ai.fastai4j.export.InferenceModel;
import ai.fastai4j.export.Manifest;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Properties;

/** The {@code GET /metadata} document: what the served model is, read from its manifest. */
final class Metadata {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Metadata() {}

    /** The document for {@code model}, served by {@code handler} of {@code kind} with these settings. */
    static ObjectNode of(InferenceModel model, Map<String, Object> settings, ModelKinds.Kind kind,
            ModelHandler handler) {
        Manifest m = model.manifest();
        ObjectNode o = JSON.createObjectNode();
        o.put("model", model.file() == null || model.file().getFileName() == null ? null
                : model.file().getFileName().toString());
        o.put("task", m.task());
        o.set("categories", JSON.valueToTree(model.vocab()));
        ObjectNode input = o.putObject("input");
        input.put("block", m.inputs().get(0).name());
        input.put("kind", kind.name());
        handler.describeInput(input);
        o.putNull("normalization");
        for (Manifest.Component c : m.batchTransforms()) {
            if (c.name().equals("normalize")) {
                ObjectNode n = o.putObject("normalization");
                n.set("mean", JSON.valueToTree(c.params().get("mean")));
                n.set("std", JSON.valueToTree(c.params().get("std")));
            }
        }
        Object arch = m.model().params().get("arch");
        o.set("arch", arch == null ? null : JSON.valueToTree(arch));
        ObjectNode factory = o.putObject("modelFactory");
        factory.put("name", m.model().name());
        factory.set("params", JSON.valueToTree(m.model().params()));
        o.put("loss", m.loss().name());
        o.put("fastai4jVersion", m.fastai4jVersion());
        o.put("serverVersion", version());
        o.put("createdAt", m.createdAt());
        o.put("weightsSha256", m.weights().sha256());
        o.set("provenance", JSON.valueToTree(m.provenance()));
        o.set("server", JSON.valueToTree(new java.util.TreeMap<>(settings)));
        return o;
    }

    /** This fastai4j's version, from the jar manifest or Maven metadata when available. */
    static String version() {
        String v = Metadata.class.getPackage().getImplementationVersion();
        if (v != null) {
            return v;
        }
        try (InputStream in = Metadata.class.getResourceAsStream(
                "/META-INF/maven/ai.fastai4j/fastai4j-serve/pom.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                return p.getProperty("version", "development");
            }
        } catch (IOException ignored) {
            // fall through
        }
        return "development";
    }
}

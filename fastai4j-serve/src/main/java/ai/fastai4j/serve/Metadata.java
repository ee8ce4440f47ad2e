package ai.fastai4j.serve;

import ai.fastai4j.export.InferenceModel;
import ai.fastai4j.export.Manifest;
import ai.fastai4j.export.Params;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/** The {@code GET /metadata} document: what the served model is, read from its manifest. */
final class Metadata {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Metadata() {}

    /** What a served model takes, from the id of its one input block. */
    enum InputKind {
        /** One image ({@code image} block). */
        IMAGE,
        /** A table row of named columns ({@code tabular} block). */
        TABULAR,
        /** A (user, item) pair given as a row ({@code collab} block). */
        COLLAB;

        /** Whether the model predicts on rows of column to value. */
        boolean rows() {
            return this != IMAGE;
        }
    }

    /** The kind of input of a model; refuses a model whose input is not one image, table row or (user, item) row. */
    static InputKind inputKind(Manifest m, Path file) {
        if (m.inputs().size() == 1) {
            switch (m.inputs().get(0).name()) {
                case "image":
                    return InputKind.IMAGE;
                case "tabular":
                    return InputKind.TABULAR;
                case "collab":
                    return InputKind.COLLAB;
                default:
                    break;
            }
        }
        throw new IllegalArgumentException("model " + file + " takes " + m.inputs().stream()
                .map(Manifest.Component::name).toList() + "; the server serves models that take one image ('image'), "
                + "one table row ('tabular') or one (user, item) row ('collab')");
    }

    /** The image block's channel count; refuses a model whose input is not one image. */
    static int imageChannels(Manifest m, Path file) {
        if (inputKind(m, file) != InputKind.IMAGE) {
            throw new IllegalArgumentException("model " + file + " takes " + m.inputs().get(0).name()
                    + " input, not an image");
        }
        Object c = m.inputs().get(0).params().get("channels");
        return c instanceof Number n ? n.intValue() : 3;
    }

    /**
     * The columns a row must have, in order: for a tabular model its date, categorical and continuous columns;
     * for a collab model its user and item columns. Empty for an image model.
     */
    static List<String> rowColumns(Manifest m, Path file) {
        Map<String, Object> p = m.inputs().get(0).params();
        List<String> out = new ArrayList<>();
        switch (inputKind(m, file)) {
            case TABULAR -> {
                out.addAll(dateColumns(p));
                out.addAll(Params.getStringList(p, "cat_names"));
                out.addAll(Params.getStringList(p, "cont_names"));
            }
            case COLLAB -> {
                out.add(Params.getString(p, "user_name"));
                out.add(Params.getString(p, "item_name"));
            }
            default -> { }
        }
        return out.stream().distinct().toList();
    }

    private static List<String> dateColumns(Map<String, Object> p) {
        List<String> out = new ArrayList<>();
        Object d = p.get("date_parts");
        if (d instanceof List<?> l) {
            for (Object o : l) {
                if (o instanceof Map<?, ?> dm && dm.get("column") instanceof String c) {
                    out.add(c);
                }
            }
        }
        return out;
    }

    static ObjectNode of(InferenceModel model, ModelServer.Builder settings) {
        Manifest m = model.manifest();
        InputKind kind = inputKind(m, model.file());
        ObjectNode o = JSON.createObjectNode();
        o.put("model", model.file() == null || model.file().getFileName() == null ? null
                : model.file().getFileName().toString());
        o.put("task", m.task());
        o.set("categories", JSON.valueToTree(model.vocab()));
        ObjectNode input = o.putObject("input");
        input.put("block", m.inputs().get(0).name());
        input.put("kind", kind.rows() ? "rows" : "image");
        Map<String, Object> p = m.inputs().get(0).params();
        switch (kind) {
            case IMAGE -> {
                input.put("channels", imageChannels(m, model.file()));
                for (Manifest.Component c : m.itemTransforms()) {
                    if (c.name().equals("resize")) {
                        input.set("height", JSON.valueToTree(c.params().get("height")));
                        input.set("width", JSON.valueToTree(c.params().get("width")));
                        input.set("resize", JSON.valueToTree(c.params().get("method")));
                    }
                }
            }
            case TABULAR -> {
                input.set("columns", JSON.valueToTree(rowColumns(m, model.file())));
                input.set("catNames", JSON.valueToTree(Params.getStringList(p, "cat_names")));
                input.set("contNames", JSON.valueToTree(Params.getStringList(p, "cont_names")));
                input.set("dateColumns", JSON.valueToTree(dateColumns(p)));
            }
            case COLLAB -> {
                input.set("columns", JSON.valueToTree(rowColumns(m, model.file())));
                input.put("userColumn", Params.getString(p, "user_name"));
                input.put("itemColumn", Params.getString(p, "item_name"));
                // the vocabularies start with #na#, which a served model refuses
                input.put("users", Params.getStringList(p, "users").size() - 1);
                input.put("items", Params.getStringList(p, "items").size() - 1);
            }
            default -> throw new IllegalStateException(kind.toString());
        }
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
        o.set("server", JSON.valueToTree(new java.util.TreeMap<>(settings.settings())));
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

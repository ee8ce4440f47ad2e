package ai.fastai4j.serve;

import ai.fastai4j.export.InferenceModel;
import ai.fastai4j.export.Manifest;
import ai.fastai4j.export.ModelInput;
import ai.fastai4j.export.Params;
import ai.fastai4j.learner.Prediction;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Serves a model that takes table rows (a {@code tabular} block) or (user, item) rows (a {@code collab} block):
 * JSON {@code {"row": {...}}} answered as one prediction, or {@code {"rows": [...]}} (at most {@code maxRows}) run
 * as one batch and answered as {@code {"predictions": [...]}}. The rows of several requests waiting together run
 * as one batch. Each answer, and the answer to rows, carries {@code "unseen": {"column": rows}}: how many rows held
 * a value never seen in training (read as {@code #na#}), so that drift shows.
 */
final class RowsHandler implements ModelHandler {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HandlerContext context;
    private final InferenceModel model;
    private final boolean collab;
    private final List<String> columns;
    private final byte[] page;
    /** The rows of one request each. */
    private final InferenceQueue<List<Object>, List<Prediction>> queue;

    RowsHandler(HandlerContext context) {
        this.context = context;
        this.model = context.model();
        this.collab = ModelKinds.takes(model.manifest(), "collab");
        this.columns = ModelInput.of(model.manifest(), model.file()).columns();
        this.page = rowPage().getBytes(StandardCharsets.UTF_8);
        this.queue = context.requestQueue();
    }

    /** How a row model is called, for error messages and the text page. */
    private String rowsExpected() {
        return "application/json {\"row\": {\"column\": \"value\", ...}} or {\"rows\": [{...}, ...]} with the columns "
                + columns;
    }

    @Override
    public JsonNode predict(Context ctx, int k) {
        RequestDecoder in = context.decoder();
        String mime = in.mediaType(ctx);
        String block = model.manifest().inputs().get(0).name();
        if (!mime.equals("application/json")) {
            String what = mime.isEmpty() ? "the request has no Content-Type"
                    : mime.startsWith("image/") || mime.equals("multipart/form-data")
                            ? "this model takes table rows (input block '" + block + "'), not images"
                            : "unsupported Content-Type '" + mime + "'";
            throw new ApiException(415, what + ": send " + rowsExpected());
        }
        byte[] body = in.body(ctx);
        if (body.length == 0) {
            throw new ApiException(400, "the request body is empty: send " + rowsExpected());
        }
        JsonNode root = in.json(body);
        if (root != null && root.isObject() && root.has("image") && !root.has("row") && !root.has("rows")) {
            throw new ApiException(415, "this model takes table rows (input block '" + block + "'), not images: send "
                    + rowsExpected());
        }
        if (root == null || !root.isObject() || root.has("row") == root.has("rows")) {
            throw new ApiException(400, "the JSON body must be an object with one field, 'row' or 'rows': send "
                    + rowsExpected());
        }
        if (root.has("row")) {
            Object r = row(root.get("row"), "field 'row'");
            List<Prediction> p = context.await(queue.submit(List.of(r)), "this row");
            return unseen(PredictionJson.of(p.get(0), model.vocab(), k), List.of(r));
        }
        JsonNode rows = root.get("rows");
        if (!rows.isArray()) {
            throw new ApiException(400, "field 'rows' must be an array of row objects, got " + RequestDecoder.type(rows));
        }
        if (rows.size() > context.maxRows()) {
            throw new ApiException(413, "field 'rows' has " + rows.size() + " rows, more than this server's limit of "
                    + context.maxRows() + " a request; send them in several requests");
        }
        List<Object> batch = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            batch.add(row(rows.get(i), "rows[" + i + "]"));
        }
        List<Prediction> ps = batch.isEmpty() ? List.of() : context.await(queue.submit(batch), "these rows");
        ObjectNode o = JSON.createObjectNode();
        ArrayNode out = o.putArray("predictions");
        for (int i = 0; i < ps.size(); i++) {
            out.add(unseen(PredictionJson.of(ps.get(i), model.vocab(), k), List.of(batch.get(i))));
        }
        return unseen(o, batch);
    }

    /** Adds {@code "unseen": {column: rows}}: values never seen in training, which the model read as #na#. */
    private ObjectNode unseen(ObjectNode o, List<Object> rows) {
        o.set("unseen", JSON.valueToTree(model.unseenCategories(rows)));
        return o;
    }

    /** A JSON row as the model's input: column to string (numbers as written), null for missing. */
    private static Map<String, String> row(JsonNode n, String where) {
        if (!n.isObject()) {
            throw new ApiException(422, where + " must be an object of column to value, got " + RequestDecoder.type(n));
        }
        Map<String, String> row = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : (Iterable<Map.Entry<String, JsonNode>>) n::fields) {
            JsonNode v = e.getValue();
            if (v.isNull()) {
                row.put(e.getKey(), null);
            } else if (v.isTextual()) {
                row.put(e.getKey(), v.textValue());
            } else if (v.isNumber()) {
                row.put(e.getKey(), v.asText());
            } else {
                throw new ApiException(422, where + ": column '" + e.getKey() + "' must be a string, a number or null, "
                        + "got " + RequestDecoder.type(v));
            }
        }
        return row;
    }

    @Override
    public void page(Context ctx) {
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.status(200).contentType("text/plain; charset=utf-8").result(page);
    }

    /** The text page of a row model at {@code GET /}. */
    private String rowPage() {
        Manifest m = model.manifest();
        StringBuilder example = new StringBuilder();
        for (String c : columns) {
            example.append(example.length() == 0 ? "" : ", ").append('"').append(c).append("\": \"...\"");
        }
        return "fastai4j model server\n\n"
                + "model:   " + (model.file() == null ? "(in memory)" : model.file().getFileName()) + "\n"
                + "input:   " + m.inputs().get(0).name() + " rows with the columns " + columns + "\n"
                + "task:    " + m.task() + (model.vocab().isEmpty() ? "" : " " + model.vocab()) + "\n\n"
                + "POST /predict[?k=5]  Content-Type: application/json\n"
                + "  {\"row\": {" + example + "}}\n"
                + "      -> " + (model.vocab().isEmpty() ? "{\"value\": ...}" : "{\"label\", \"probability\", \"top\"}")
                + "\n"
                + "  {\"rows\": [{...}, ...]}  (at most " + context.maxRows() + ")\n"
                + "      -> {\"predictions\": [...]}\n"
                + "  values are strings, numbers or null (missing)\n"
                + "GET /metadata         what the model is and takes\n"
                + "GET /health           counters\n";
    }

    @Override
    public void describeInput(ObjectNode input) {
        Map<String, Object> p = model.manifest().inputs().get(0).params();
        input.set("columns", JSON.valueToTree(columns));
        if (collab) {
            input.put("userColumn", Params.getString(p, "user_name"));
            input.put("itemColumn", Params.getString(p, "item_name"));
            // the vocabularies start with #na#, which a served model refuses
            input.put("users", Params.getStringList(p, "users").size() - 1);
            input.put("items", Params.getStringList(p, "items").size() - 1);
        } else {
            input.set("catNames", JSON.valueToTree(Params.getStringList(p, "cat_names")));
            input.set("contNames", JSON.valueToTree(Params.getStringList(p, "cont_names")));
            input.set("dateColumns", JSON.valueToTree(ModelInput.dateColumns(p)));
        }
    }

    @Override
    public InferenceQueue<List<Object>, List<Prediction>> queue() {
        return queue;
    }
}

package ai.fastai4j.serve;

import ai.fastai4j.export.InferenceModel;
import ai.fastai4j.export.Params;
import ai.fastai4j.learner.Prediction;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Serves a text classifier (a {@code text} input block): JSON {@code {"text": "..."}} answered as one prediction,
 * or {@code {"texts": [...]}} (at most {@code maxRows}) run as one batch and answered as
 * {@code {"predictions": [...]}}. An empty text is refused (422); a text longer than the model allows is refused
 * before it is tokenized (413: more than {@code max_len * 20} characters) or after (422: more than {@code max_len}
 * tokens), so the cost of a request is bounded by the model. The page at {@code GET /} has a text box.
 */
final class TextHandler implements ModelHandler {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Characters a token may take on average before a text is refused unread (as the text block checks). */
    private static final int CHARS_PER_TOKEN = 20;

    private final HandlerContext context;
    private final InferenceModel model;
    private final int maxLen;
    private final long maxChars;
    private final InferenceQueue<List<Object>, List<Prediction>> queue;

    TextHandler(HandlerContext context) {
        this.context = context;
        this.model = context.model();
        Map<String, Object> p = model.manifest().inputs().get(0).params();
        this.maxLen = Params.getInt(p, "max_len", 1);
        this.maxChars = (long) maxLen * CHARS_PER_TOKEN;
        this.queue = context.requestQueue();
    }

    /** Whether the manifest's only input is a text block of a classifier (not a language model). */
    static boolean serves(ai.fastai4j.export.Manifest m) {
        return ModelKinds.takes(m, "text") && !Boolean.TRUE.equals(m.inputs().get(0).params().get("is_lm"));
    }

    private static String expected() {
        return "application/json {\"text\": \"...\"} or {\"texts\": [\"...\", ...]}";
    }

    @Override
    public JsonNode predict(Context ctx, int k) {
        RequestDecoder in = context.decoder();
        String mime = in.mediaType(ctx);
        if (!mime.equals("application/json")) {
            String what = mime.isEmpty() ? "the request has no Content-Type"
                    : mime.startsWith("image/") || mime.equals("multipart/form-data")
                            ? "this model takes text, not images" : "unsupported Content-Type '" + mime + "'";
            throw new ApiException(415, what + ": send " + expected());
        }
        byte[] body = in.body(ctx);
        if (body.length == 0) {
            throw new ApiException(400, "the request body is empty: send " + expected());
        }
        JsonNode root = in.json(body);
        if (root == null || !root.isObject() || root.has("text") == root.has("texts")) {
            throw new ApiException(400, "the JSON body must be an object with one field, 'text' or 'texts': send "
                    + expected());
        }
        if (root.has("text")) {
            String text = text(root.get("text"), "field 'text'");
            List<Prediction> p = context.await(queue.submit(List.of(text)), "this text");
            return PredictionJson.of(p.get(0), model.vocab(), k);
        }
        JsonNode texts = root.get("texts");
        if (!texts.isArray()) {
            throw new ApiException(400, "field 'texts' must be an array of strings, got " + RequestDecoder.type(texts));
        }
        if (texts.size() > context.maxRows()) {
            throw new ApiException(413, "field 'texts' has " + texts.size() + " texts, more than this server's limit of "
                    + context.maxRows() + " a request; send them in several requests");
        }
        List<Object> batch = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            batch.add(text(texts.get(i), "texts[" + i + "]"));
        }
        List<Prediction> ps = batch.isEmpty() ? List.of() : context.await(queue.submit(batch), "these texts");
        ObjectNode o = JSON.createObjectNode();
        ArrayNode out = o.putArray("predictions");
        for (Prediction p : ps) {
            out.add(PredictionJson.of(p, model.vocab(), k));
        }
        return o;
    }

    /** A non-empty JSON string within the model's length limit. */
    private String text(JsonNode n, String where) {
        if (!n.isTextual()) {
            throw new ApiException(422, where + " must be a string, got " + RequestDecoder.type(n));
        }
        String t = n.textValue();
        if (t.isBlank()) {
            throw new ApiException(422, where + " is empty: send some text");
        }
        if (t.length() > maxChars) {
            throw new ApiException(413, where + " has " + t.length() + " characters, more than this model's limit of "
                    + maxChars + " (" + maxLen + " tokens)");
        }
        return t;
    }

    @Override
    public void page(Context ctx) {
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Content-Security-Policy", "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
                + "connect-src 'self'");
        ctx.status(200).contentType("text/html; charset=utf-8").result(PAGE.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void describeInput(ObjectNode input) {
        input.put("maxLen", maxLen);
        input.put("maxChars", maxChars);
    }

    @Override
    public InferenceQueue<List<Object>, List<Prediction>> queue() {
        return queue;
    }

    /** The page at {@code GET /}: a text box whose text is posted as {@code {"text": ...}}; the answer is shown. */
    private static final String PAGE = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>fastai4j text model</title>
            <style>body{font-family:sans-serif;max-width:48em;margin:2em auto}textarea{width:100%;height:10em}
            li{margin:.2em 0}</style></head>
            <body><h1>fastai4j text model</h1>
            <textarea id="text" placeholder="Type or paste a text"></textarea>
            <p><button id="go">Predict</button> <span id="status"></span></p>
            <ol id="top"></ol>
            <script>
            const go = document.getElementById('go'), status = document.getElementById('status'),
                top = document.getElementById('top');
            go.onclick = async () => {
              top.textContent = ''; status.textContent = '...';
              const r = await fetch('predict', {method: 'POST', headers: {'Content-Type': 'application/json'},
                  body: JSON.stringify({text: document.getElementById('text').value})});
              const a = await r.json();
              if (!r.ok) { status.textContent = a.error || ('error ' + r.status); return; }
              status.textContent = a.label;
              for (const t of a.top) {
                const li = document.createElement('li');
                li.textContent = t.label + ': ' + (100 * t.probability).toFixed(1) + '%';
                top.appendChild(li);
              }
            };
            </script></body></html>
            """;
}

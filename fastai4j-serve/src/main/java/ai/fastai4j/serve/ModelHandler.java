package ai.fastai4j.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;

/**
 * Serves one kind of model (image, rows, ...): turns a {@code POST /predict} into the model's input, runs it
 * through the handler's {@link InferenceQueue} and writes the answer; describes the input for {@code GET
 * /metadata} and shows a page at {@code GET /}. Created per served model by its {@link ModelKinds.Kind}; the
 * {@link ModelServer} does the rest (routing, counters, errors, shutdown). See the package documentation for how
 * to add one.
 */
interface ModelHandler {
    /**
     * The answer to one {@code POST /predict}.
     *
     * @param ctx the request (read its body through {@link HandlerContext#decoder()})
     * @param topK classes to list in a classification's {@code top}
     * @return the JSON answer, or null when the handler wrote the response itself (status, type, body)
     * @throws ApiException a refusal: 4xx for the client's mistake, 503 when busy
     */
    JsonNode predict(Context ctx, int topK);

    /** Writes the page at {@code GET /}: status, content type and body. */
    void page(Context ctx);

    /** Adds what the model takes to the {@code input} object of {@code GET /metadata} (its size, its columns...). */
    void describeInput(ObjectNode input);

    /** The queue the handler runs the model through (the server reads its counters and closes it). */
    InferenceQueue<?, ?> queue();
}

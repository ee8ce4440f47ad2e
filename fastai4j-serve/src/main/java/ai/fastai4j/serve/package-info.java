/**
 * An HTTP server for exported fastai4j models: {@link ai.fastai4j.serve.ModelServer} (on Javalin/Jetty).
 *
 * <h2>The pieces</h2>
 * <ul>
 *   <li>{@code ModelServer}: the wiring. Routes ({@code POST /predict}, {@code GET /}, {@code /health}, {@code
 *       /metadata}), counters, JSON errors, graceful shutdown, and the {@code Builder} with every setting.</li>
 *   <li>{@code RequestDecoder}: reads what a request carries within the server's limits, whatever the model: the
 *       media type (a declared oversized body is refused before it is read), the raw body, one multipart file, a
 *       JSON document, a base64 string or {@code data:} URL. Refusals are {@code ApiException}s (400, 413).</li>
 *   <li>{@code ModelHandler}: one per kind of model. Turns a request into the model's input, runs it through its
 *       {@code InferenceQueue} (the only threads that call the model, batching waiting inputs), answers JSON;
 *       describes the input for {@code /metadata}; writes the page at {@code GET /}. Today: {@code
 *       ImageHandler} (one image) and {@code RowsHandler} (tabular and collab rows).</li>
 *   <li>{@code ModelKinds}: the registry. Each {@code Kind} recognises its models from the manifest and creates
 *       their handler; the first kind that serves a model is used.</li>
 *   <li>{@code HandlerContext}: what a handler gets: the model, the decoder, the settings, and the shared steps
 *       (a queue with the server's batching settings, waiting for a result with the server's timeout, a {@code
 *       DataException} from the model as a 422). {@code PredictionJson} writes the shared classification answer.</li>
 * </ul>
 *
 * <h2>Serving a new kind of model</h2>
 * <ol>
 *   <li>Write {@code FooHandler implements ModelHandler} with a constructor taking a {@code HandlerContext}: read
 *       the body with {@code context.decoder()} (refuse other media types with a 415 that says what to send),
 *       build the model's input (a bad input is an {@code ApiException} 4xx naming the field), submit it to a
 *       queue made by {@code context.queue(model::predict, model::predictBatch)} and answer {@code
 *       context.await(queue.submit(input), "this foo")} as JSON (for classes, {@code PredictionJson.of}).</li>
 *   <li>Register it in {@code ModelKinds.ALL}: {@code new Kind("foo", "one foo ('foo')", m -> takes(m, "foo"),
 *       FooHandler::new)}, before a kind that would also accept the model (e.g. a segmentation model takes an
 *       image too: its kind goes before {@code image} and checks the manifest's target block).</li>
 *   <li>Test it as {@code ModelServerRowsTest} does: each answer against {@code InferenceModel.predict}, each
 *       malformed request a JSON 4xx, and the other kinds' requests refused with a message.</li>
 * </ol>
 * Routing, counters, limits, error bodies and shutdown need no change.
 */
package ai.fastai4j.serve;

package ai.fastai4j.serve;

import ai.fastai4j.data.DataException;
import ai.fastai4j.export.InferenceModel;
import ai.fastai4j.export.Manifest;
import ai.fastai4j.learner.Prediction;
import ai.fastai4j.vision.Image;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import java.util.concurrent.Semaphore;

/**
 * Serves a model that takes one image: a multipart upload (field {@code file}), a raw image body or JSON {@code
 * {"image": "<base64 or data: URL>"}}, decoded with the model's channel count and resized to the model's input
 * size (its item transforms, as in training) at most {@code decodeThreads} at a time, answered as a
 * classification. What waits for the model has the model's size; a model without a fixed size takes images of at
 * most {@code maxModelPixels}.
 */
final class ImageHandler implements ModelHandler {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The raw body types taken: those of the formats decoded, and their common aliases. */
    static final Set<String> IMAGE_TYPES = imageTypes();

    private static Set<String> imageTypes() {
        Set<String> types = new java.util.TreeSet<>(List.of("image/jpg", "image/pjpeg", "image/x-ms-bmp"));
        for (String t : ImageIO.getReaderMIMETypes()) {
            types.add(t.toLowerCase(java.util.Locale.ROOT));
        }
        return Set.copyOf(types);
    }

    private final HandlerContext context;
    private final InferenceModel model;
    private final int channels;
    private final ImageDecoder decoder;
    private final Semaphore decodePermits;
    /** Inputs resized to the model's size (or within the pixel budget) before they wait for the model. */
    private final InferenceQueue<InferenceModel.Prepared, Prediction> queue;
    private final byte[] page = WebPage.html();

    /** Writes the answer to one image: a JSON body, or null when it wrote the response itself (a PNG). */
    @FunctionalInterface
    interface Answer {
        JsonNode write(Context ctx, Prediction p, List<String> vocab, int topK);
    }

    private final Answer answer;

    /** Answers a classification (top classes and probabilities). */
    ImageHandler(HandlerContext context) {
        this(context, (ctx, p, vocab, k) -> PredictionJson.of(p, vocab, k));
    }

    ImageHandler(HandlerContext context, Answer answer) {
        this.answer = answer;
        this.context = context;
        this.model = context.model();
        Object c = model.manifest().inputs().get(0).params().get("channels");
        this.channels = c instanceof Number n ? n.intValue() : 3;
        boolean fixedSize = model.manifest().itemTransforms().stream().anyMatch(t -> t.name().equals("resize"));
        // a model that resizes its input costs the same whatever the image; one that does not gets a pixel budget
        this.decoder = fixedSize ? new ImageDecoder(channels, context.maxPixels(), "")
                : new ImageDecoder(channels, Math.min(context.maxPixels(), context.maxModelPixels()),
                        " (this model has no fixed input size, so the server's pixel budget applies: "
                                + "ModelServer.Builder.maxModelPixels, fastai4j serve --max-pixels)");
        this.decodePermits = new Semaphore(context.decodeThreads());
        this.queue = context.queue(model::predict, model::predictBatch);
    }

    @Override
    public JsonNode predict(Context ctx, int topK) {
        byte[] bytes = imageBytes(ctx);
        InferenceModel.Prepared input;
        decodePermits.acquireUninterruptibly();
        try {
            Image img = decoder.decode(bytes);
            input = model.prepare(img);
        } catch (DataException e) {
            throw new ApiException(422, "the model cannot use this image: " + e.getMessage());
        } finally {
            decodePermits.release();
        }
        Prediction p = context.await(queue.submit(input), "this image");
        return answer.write(ctx, p, model.vocab(), topK);
    }

    /** The encoded image of a request, whichever of the three forms it came in. */
    private byte[] imageBytes(Context ctx) {
        RequestDecoder in = context.decoder();
        String mime = in.mediaType(ctx);
        if (mime.equals("multipart/form-data")) {
            return in.multipartFile(ctx, "file");
        } else if (IMAGE_TYPES.contains(mime)) {
            byte[] bytes = in.body(ctx);
            if (bytes.length == 0) {
                throw new ApiException(400, "the request body is empty: send the image's bytes");
            }
            return bytes;
        } else if (mime.equals("application/json")) {
            return fromJson(in.body(ctx));
        } else if (mime.isEmpty()) {
            throw new ApiException(415, "the request has no Content-Type: send multipart/form-data (field 'file'),"
                    + " image/jpeg, image/png or application/json {\"image\": \"<base64>\"}");
        }
        throw new ApiException(415, "unsupported Content-Type '" + mime + "': send multipart/form-data (field"
                + " 'file'), an image (" + String.join(", ", new java.util.TreeSet<>(IMAGE_TYPES))
                + ") or application/json {\"image\": \"<base64>\"}");
    }

    private byte[] fromJson(byte[] body) {
        if (body.length == 0) {
            throw new ApiException(400, "the request body is empty: send {\"image\": \"<base64 of the image file>\"}");
        }
        JsonNode root = context.decoder().json(body);
        JsonNode img = root == null ? null : root.get("image");
        if (root != null && root.isObject() && img == null && (root.has("row") || root.has("rows"))) {
            throw new ApiException(400, "this model takes an image (input block 'image'), not table rows: send "
                    + "{\"image\": \"<base64 of the image file>\"}, multipart/form-data (field 'file') or image/jpeg, "
                    + "image/png");
        }
        if (root == null || !root.isObject() || img == null || !img.isTextual()) {
            throw new ApiException(400, "the JSON body must be an object with a string field 'image' holding the"
                    + " image file's bytes in base64");
        }
        return RequestDecoder.base64(img.textValue(), "image");
    }

    @Override
    public void page(Context ctx) {
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Content-Security-Policy", "default-src 'none'; script-src 'unsafe-inline'; "
                + "style-src 'unsafe-inline'; img-src blob: data:; connect-src 'self'");
        ctx.status(200).contentType("text/html; charset=utf-8").result(page);
    }

    @Override
    public void describeInput(ObjectNode input) {
        input.put("channels", channels);
        for (Manifest.Component c : model.manifest().itemTransforms()) {
            if (c.name().equals("resize")) {
                input.set("height", JSON.valueToTree(c.params().get("height")));
                input.set("width", JSON.valueToTree(c.params().get("width")));
                input.set("resize", JSON.valueToTree(c.params().get("method")));
            }
        }
    }

    @Override
    public InferenceQueue<InferenceModel.Prepared, Prediction> queue() {
        return queue;
    }
}

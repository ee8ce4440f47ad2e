package ai.fastai4j.serve;

import ai.fastai4j.learner.Prediction;
import ai.fastai4j.vision.Mask;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * The answer of a segmentation model: with {@code ?format=png} the predicted mask as a palette PNG (pixel values
 * are the class codes, colours for viewing); otherwise JSON {@code {"height", "width", "codes": [...],
 * "pixels": [{"code", "label", "count"}...], "mask_png": "<base64 palette PNG>"}}, the pixel counts of the codes
 * present, most first.
 */
final class MaskAnswer {
    private static final ObjectMapper JSON = new ObjectMapper();

    private MaskAnswer() {}

    static JsonNode write(Context ctx, Prediction p, List<String> codes, int topK) {
        if (!(p.label() instanceof Mask mask)) {
            throw new IllegalStateException("a segmentation model answered " + p.label());
        }
        byte[] png = png(mask);
        String format = ctx.queryParam("format");
        if (format != null && !format.equals("json") && !format.equals("png")) {
            throw new ApiException(400, "format must be 'json' or 'png', got '" + format + "'");
        }
        if ("png".equals(format)) {
            ctx.status(200).contentType("image/png").result(png);
            return null;
        }
        ObjectNode o = JSON.createObjectNode();
        o.put("height", mask.height());
        o.put("width", mask.width());
        ArrayNode c = o.putArray("codes");
        codes.forEach(c::add);
        long[] counts = new long[256];
        for (byte b : mask.codes()) {
            counts[b & 0xff]++;
        }
        ArrayNode px = o.putArray("pixels");
        java.util.stream.IntStream.range(0, 256).filter(i -> counts[i] > 0).boxed()
                .sorted((a, b) -> Long.compare(counts[b], counts[a])).forEach(i -> {
                    ObjectNode e = px.addObject();
                    e.put("code", i);
                    e.put("label", i < codes.size() ? codes.get(i) : String.valueOf(i));
                    e.put("count", counts[i]);
                });
        o.put("mask_png", Base64.getEncoder().encodeToString(png));
        return o;
    }

    static byte[] png(Mask mask) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(mask.toPaletteImage(), "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}

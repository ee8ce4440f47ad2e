package ai.fastai4j.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.fastai4j.data.DataBlock;
import ai.fastai4j.data.DataLoaderOptions;
import ai.fastai4j.data.DataLoaders;
import ai.fastai4j.data.Splitters;
import ai.fastai4j.export.InferenceModel;
import ai.fastai4j.learner.Learner;
import ai.fastai4j.vision.Image;
import ai.fastai4j.vision.ImageBlock;
import ai.fastai4j.vision.Mask;
import ai.fastai4j.vision.MaskBlock;
import ai.fastai4j.vision.VisionLearners;
import ai.fastai4j.vision.models.Arch;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A segmentation model served: its mask as JSON or PNG, the same as the model's own; bad uploads a JSON 4xx. */
class ModelServerMaskTest {
    @TempDir
    static Path dir;
    static Path file;
    static InferenceModel model;
    static byte[] png;

    record Item(Image image, Mask mask) {}

    @BeforeAll
    static void exportUnet() {
        Random r = new Random(3);
        List<Item> items = new ArrayList<>();
        for (int k = 0; k < 8; k++) {
            Image img = TinyModel.image(k % 2 == 0 ? "red" : "blue", 32, 32, r);
            byte[] codes = new byte[32 * 32];
            for (int i = 0; i < codes.length; i++) {
                codes[i] = (byte) ((img.pixels()[3 * i] & 0xff) > 128 ? 1 : 0);
            }
            items.add(new Item(img, new Mask(32, 32, codes)));
        }
        DataBlock<Item> block = DataBlock.<Item>builder(ImageBlock.rgb(), MaskBlock.of(List.of("bg", "red")))
                .getX(Item::image).getY(Item::mask).splitter(Splitters.byIndex(6, 7)).build();
        Engine.getInstance().setRandomSeed(4);
        try (DataLoaders dls = block.dataLoaders(items, DataLoaderOptions.defaults(4).withWorkers(0));
                Learner learn = VisionLearners.unetBuilder(dls, Arch.SIMPLE_CNN).pretrained(false)
                        .learner(b -> b.progress(false)).build()) {
            file = ai.fastai4j.export.ModelExport.export(learn, dir.resolve("unet.fai"));
        }
        model = InferenceModel.load(file);
        png = TinyModel.encode(items.get(0).image(), "png");
    }

    @AfterAll
    static void close() {
        model.close();
    }

    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    static HttpResponse<byte[]> post(ModelServer s, String query, String type, byte[] body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(s.url() + "predict" + query))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).header("Content-Type", type)
                .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static Mask decode(byte[] pngBytes) throws Exception {
        return Mask.fromBufferedImage(ImageIO.read(new ByteArrayInputStream(pngBytes)), "answer");
    }

    @Test
    void answersTheModelsMaskAsJsonAndAsPng() throws Exception {
        Mask expected = (Mask) model.predict(png).label();
        try (ModelServer s = ModelServer.builder().model(model).port(0).start()) {
            HttpResponse<byte[]> r = post(s, "", "image/png", png);
            assertEquals(200, r.statusCode());
            var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body());
            assertEquals(32, json.get("height").asInt());
            assertEquals("bg", json.get("codes").get(0).asText());
            assertEquals(expected, decode(Base64.getDecoder().decode(json.get("mask_png").asText())));
            long total = 0;
            for (var p : json.get("pixels")) {
                total += p.get("count").asLong();
            }
            assertEquals(32 * 32, total);

            HttpResponse<byte[]> p = post(s, "?format=png", "image/png", png);
            assertEquals(200, p.statusCode());
            assertEquals("image/png", p.headers().firstValue("Content-Type").orElse(""));
            assertEquals(expected, decode(p.body()));

            HttpResponse<byte[]> meta = HTTP.send(HttpRequest.newBuilder(URI.create(s.url() + "metadata")).GET()
                    .build(), HttpResponse.BodyHandlers.ofByteArray());
            assertTrue(new String(meta.body(), StandardCharsets.UTF_8).contains("image_segmentation"));
        }
    }

    @Test
    void refusesBadUploadsWithAJson4xx() throws Exception {
        try (ModelServer s = ModelServer.builder().model(model).port(0).start()) {
            List<HttpResponse<byte[]>> bad = List.of(
                    post(s, "", "image/png", "not a picture".getBytes(StandardCharsets.UTF_8)),
                    post(s, "", "image/png", new byte[0]),
                    post(s, "", "application/json", "{\"row\": {\"a\": 1}}".getBytes(StandardCharsets.UTF_8)),
                    post(s, "", "text/plain", png),
                    post(s, "?format=gif", "image/png", png));
            for (HttpResponse<byte[]> r : bad) {
                String body = new String(r.body(), StandardCharsets.UTF_8);
                assertTrue(r.statusCode() >= 400 && r.statusCode() < 500, r.statusCode() + " " + body);
                assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), body);
                var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body());
                assertEquals(r.statusCode(), json.get("status").asInt());
                assertTrue(json.get("error").asText().length() > 10, body);
            }
            // still serving after the refusals
            assertEquals(200, post(s, "", "image/png", png).statusCode());
        }
    }
}

package ai.fastai4j.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.fastai4j.export.InferenceModel;
import ai.fastai4j.learner.Prediction;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP API against a real server on an ephemeral port, checked against {@link InferenceModel#predict}. */
class ModelServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    static Path dir;
    static Path file;
    static InferenceModel model;
    static byte[] redPng;
    static byte[] blueJpeg;

    @BeforeAll
    static void exportModel() {
        file = TinyModel.export(dir);
        model = InferenceModel.load(file);
        Random r = new Random(11);
        redPng = TinyModel.encode(TinyModel.image("red", 40, 30, r), "png");
        blueJpeg = TinyModel.encode(TinyModel.image("blue", 25, 50, r), "jpg");
    }

    @AfterAll
    static void closeModel() {
        model.close();
    }

    // ---------------------------------------------------------------- HTTP helpers

    record Answer(int status, String contentType, JsonNode json, String text) {}

    static Answer send(HttpRequest.Builder b) throws Exception {
        HttpResponse<String> r = HTTP.send(b.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        String type = r.headers().firstValue("Content-Type").orElse("");
        JsonNode json = type.startsWith("application/json") ? JSON.readTree(r.body()) : null;
        return new Answer(r.statusCode(), type, json, r.body());
    }

    static Answer post(ModelServer s, String query, String contentType, byte[] body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(s.url() + "predict" + query))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return send(b);
    }

    static Answer get(ModelServer s, String path) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(s.url() + path)).GET());
    }

    static final String BOUNDARY = "----fastai4jTestBoundary7MA4YWxk";

    static byte[] multipart(String field, String filename, String type, byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String head = "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n"
                + "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"" + field + "\"; filename=\"" + filename
                + "\"\r\nContent-Type: " + type + "\r\n\r\n";
        out.writeBytes(head.getBytes(StandardCharsets.UTF_8));
        out.writeBytes(data);
        out.writeBytes(("\r\n--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    static String multipartType() {
        return "multipart/form-data; boundary=" + BOUNDARY;
    }

    static byte[] jsonImage(String base64) {
        return ("{\"image\": \"" + base64 + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    /** The answer holds exactly the model's own prediction for {@code image}, with the top {@code k} classes. */
    static void assertSamePrediction(byte[] image, Answer a, int k, float tolerance) {
        assertEquals(200, a.status(), a.text());
        assertTrue(a.contentType().startsWith("application/json"), a.contentType());
        Prediction want = model.predict(image);
        assertEquals(want.label(), a.json().get("label").textValue());
        float[] probs = want.probs();
        int idx = model.vocab().indexOf((String) want.label());
        assertEquals(probs[idx], (float) a.json().get("probability").doubleValue(), tolerance);
        JsonNode top = a.json().get("top");
        assertEquals(Math.min(k, probs.length), top.size(), a.text());
        Integer[] order = {0, 1};
        Arrays.sort(order, (x, y) -> Float.compare(probs[y], probs[x]));
        for (int i = 0; i < top.size(); i++) {
            assertEquals(model.vocab().get(order[i]), top.get(i).get("label").textValue());
            assertEquals(probs[order[i]], (float) top.get(i).get("probability").doubleValue(), tolerance);
        }
    }

    // ---------------------------------------------------------------- tests

    @Test
    void everyFormOfUploadGivesTheModelsOwnPrediction() throws Exception {
        try (ModelServer s = ModelServer.builder().model(model).port(0).start()) {
            assertTrue(s.port() > 0);
            assertSamePrediction(redPng, post(s, "", multipartType(), multipart("file", "red.png", "image/png", redPng)),
                    5, 0f);
            assertSamePrediction(blueJpeg, post(s, "?k=1", multipartType(),
                    multipart("file", "blue.jpg", "image/jpeg", blueJpeg)), 1, 0f);
            assertSamePrediction(redPng, post(s, "?k=2", "image/png", redPng), 2, 0f);
            assertSamePrediction(blueJpeg, post(s, "", "image/jpeg", blueJpeg), 5, 0f);
            // the declared type is a hint; the bytes decide (a JPEG sent as image/png still works)
            assertSamePrediction(blueJpeg, post(s, "", "image/png; charset=binary", blueJpeg), 5, 0f);
            String b64 = Base64.getEncoder().encodeToString(redPng);
            assertSamePrediction(redPng, post(s, "", "application/json", jsonImage(b64)), 5, 0f);
            assertSamePrediction(redPng, post(s, "?k=1", "application/json; charset=utf-8",
                    jsonImage("data:image/png;base64," + b64)), 1, 0f);
            byte[] bmp = TinyModel.encode(TinyModel.image("red", 20, 20, new Random(3)), "bmp");
            assertSamePrediction(bmp, post(s, "", "image/bmp", bmp), 5, 0f);

            ModelServer.Stats st = s.stats();
            assertEquals(8, st.requests());
            assertEquals(8, st.predictions());
            assertEquals(0, st.failures());
            assertEquals(8, st.batches(), "sequential requests run one by one");
        }
        // the caller's model is not closed with the server
        assertEquals(model.predict(redPng).label(), model.predict(redPng).label());
    }

    @Test
    void malformedRequestsGetJsonErrorsAndTheServerKeepsServing() throws Exception {
        byte[] jpeg = TinyModel.encode(TinyModel.image("red", 64, 64, new Random(1)), "jpg");
        byte[] truncatedJpeg = Arrays.copyOf(jpeg, jpeg.length * 2 / 3);
        byte[] truncatedPng = Arrays.copyOf(redPng, redPng.length / 2);
        byte[] garbledJpeg = jpeg.clone();
        for (int i = jpeg.length / 3; i < jpeg.length - 2; i++) {
            garbledJpeg[i] = (byte) 0xff; // markers everywhere: no valid entropy-coded data
        }
        byte[] text = "<html>not a picture</html>".getBytes(StandardCharsets.UTF_8);
        record Case(String what, String query, String type, byte[] body, int status, String says) {}
        List<Case> cases = List.of(
                new Case("empty raw body", "", "image/png", new byte[0], 400, "empty"),
                new Case("wrong content type", "", "text/plain", redPng, 415, "text/plain"),
                new Case("form-urlencoded (curl's default)", "", "application/x-www-form-urlencoded", redPng, 415,
                        "unsupported Content-Type"),
                new Case("no content type", "", null, redPng, 415, "no Content-Type"),
                new Case("webp is not decodable here", "", "image/webp", redPng, 415, "image/webp"),
                new Case("not an image", "", "image/png", text, 422, "not an image"),
                new Case("truncated JPEG", "", "image/jpeg", truncatedJpeg, 422, "truncated or corrupt JPEG"),
                new Case("garbled JPEG", "", "image/jpeg", garbledJpeg, 422, "corrupt"),
                new Case("truncated PNG", "", "image/png", truncatedPng, 422, "truncated or corrupt"),
                new Case("a PNG declaring 60000x60000 pixels", "", "image/png", pngBomb(60000, 60000), 422,
                        "megapixels"),
                new Case("empty JSON", "", "application/json", new byte[0], 400, "empty"),
                new Case("invalid JSON", "", "application/json", "{\"image\": ".getBytes(StandardCharsets.UTF_8), 400,
                        "not valid JSON"),
                new Case("JSON without image", "", "application/json", "{\"img\": \"abc\"}".getBytes(StandardCharsets.UTF_8),
                        400, "'image'"),
                new Case("JSON image not base64", "", "application/json", jsonImage("not base64!!"), 400, "base64"),
                new Case("JSON base64 of text", "", "application/json",
                        jsonImage(Base64.getEncoder().encodeToString(text)), 422, "not an image"),
                new Case("multipart without a file field", "", multipartType(),
                        multipart("picture", "red.png", "image/png", redPng), 400, "no 'file' field"),
                new Case("multipart with an empty file", "", multipartType(),
                        multipart("file", "red.png", "image/png", new byte[0]), 400, "empty"),
                new Case("multipart without its boundary", "", "multipart/form-data; boundary=nope",
                        multipart("file", "red.png", "image/png", redPng), 400, "multipart"),
                new Case("multipart of a text file", "", multipartType(),
                        multipart("file", "notes.png", "image/png", text), 422, "not an image"),
                new Case("k of 0", "?k=0", "image/png", redPng, 400, "at least 1"),
                new Case("k not a number", "?k=two", "image/png", redPng, 400, "whole number"));
        try (ModelServer s = ModelServer.builder().model(model).port(0).start()) {
            for (Case c : cases) {
                Answer a = post(s, c.query(), c.type(), c.body());
                assertEquals(c.status(), a.status(), c.what() + ": " + a.text());
                assertTrue(a.contentType().startsWith("application/json"), c.what() + ": " + a.contentType());
                assertEquals(c.status(), a.json().get("status").intValue(), c.what());
                String error = a.json().get("error").textValue();
                assertTrue(error.contains(c.says()), c.what() + ": '" + error + "' should say '" + c.says() + "'");
                // a good request right after each bad one
                assertSamePrediction(redPng, post(s, "", "image/png", redPng), 5, 0f);
            }
            Answer notFound = get(s, "nothing-here");
            assertEquals(404, notFound.status());
            assertTrue(notFound.json().get("error").textValue().contains("/nothing-here"), notFound.text());
            Answer wrongMethod = get(s, "predict");
            assertEquals(405, wrongMethod.status(), wrongMethod.text());
            assertTrue(wrongMethod.json().get("error").textValue().contains("GET"), wrongMethod.text());

            ModelServer.Stats st = s.stats();
            assertEquals(2L * cases.size(), st.requests());
            assertEquals(cases.size(), st.predictions());
            assertEquals(cases.size(), st.clientErrors());
            assertEquals(cases.size(), st.failures());
            assertEquals(0, st.serverErrors());
            JsonNode health = get(s, "health").json();
            assertEquals(2L * cases.size(), health.get("requests").longValue());
            assertEquals(cases.size(), health.get("failures").longValue());
        }
    }

    @Test
    void uploadLimitIsEnforcedInEveryForm() throws Exception {
        int limit = 4000;
        byte[] big = TinyModel.encode(TinyModel.image("blue", 64, 64, new Random(2)), "png");
        assertTrue(big.length > limit, "test image must exceed the limit: " + big.length);
        try (ModelServer s = ModelServer.builder().model(model).port(0).maxUploadBytes(limit).start()) {
            Answer raw = post(s, "", "image/png", big);
            assertEquals(413, raw.status(), raw.text());
            assertTrue(raw.json().get("error").textValue().contains("upload limit of 4000 bytes"), raw.text());
            assertEquals(413, post(s, "", multipartType(), multipart("file", "big.png", "image/png", big)).status());
            assertEquals(413, post(s, "", "application/json",
                    jsonImage(Base64.getEncoder().encodeToString(big))).status());
            // no Content-Length (chunked): counted while reading
            Answer chunked = send(HttpRequest.newBuilder(URI.create(s.url() + "predict"))
                    .header("Content-Type", "image/png")
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big))));
            assertEquals(413, chunked.status(), chunked.text());
            assertTrue(chunked.json().get("error").textValue().contains("request body is"), chunked.text());
            // under the limit, chunked, is fine
            Answer small = send(HttpRequest.newBuilder(URI.create(s.url() + "predict"))
                    .header("Content-Type", "image/png")
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(redPng))));
            assertSamePrediction(redPng, small, 5, 0f);
            assertEquals(4, s.stats().clientErrors());
        }
    }

    @Test
    void hugeDeclaredContentLengthIsRefusedBeforeTheBodyIsSent() throws Exception {
        try (ModelServer s = ModelServer.builder().model(model).port(0).start();
                Socket socket = new Socket("127.0.0.1", s.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /predict HTTP/1.1\r\nHost: localhost\r\nContent-Type: image/jpeg\r\n"
                    + "Content-Length: 1000000000000\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            // not one byte of the body is sent: the answer must come anyway
            String response = readResponse(socket.getInputStream());
            assertTrue(response.startsWith("HTTP/1.1 413"), response);
            assertTrue(response.contains("declares 1000000000000 bytes"), response);
            assertTrue(response.toLowerCase().contains("connection: close"), response);
            assertSamePrediction(redPng, post(s, "", "image/png", redPng), 5, 0f);
        }
    }

    /** Reads a response whose body is JSON (up to its closing brace). */
    private static String readResponse(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while (true) {
            try {
                c = in.read();
            } catch (java.net.SocketTimeoutException e) {
                throw new AssertionError("no complete answer within the timeout; got: '" + sb + "'", e);
            }
            if (c < 0) {
                break;
            }
            sb.append((char) c);
            int body = sb.indexOf("\r\n\r\n");
            if (body >= 0 && sb.charAt(sb.length() - 1) == '}') {
                break;
            }
        }
        return sb.toString();
    }

    @Test
    void healthAndMetadataDescribeTheModel() throws Exception {
        try (ModelServer s = ModelServer.builder().model(file).port(0).maxUploadBytes(123456).start()) {
            JsonNode m = get(s, "metadata").json();
            assertEquals("colours.fai", m.get("model").textValue());
            assertEquals("single_label_classification", m.get("task").textValue());
            assertEquals(List.of("blue", "red"), JSON.convertValue(m.get("categories"), List.class));
            JsonNode input = m.get("input");
            assertEquals("image", input.get("block").textValue());
            assertEquals(3, input.get("channels").intValue());
            assertEquals(28, input.get("height").intValue());
            assertEquals(28, input.get("width").intValue());
            assertEquals("SQUISH", input.get("resize").textValue());
            assertEquals(List.of(0.485, 0.456, 0.406), JSON.convertValue(m.get("normalization").get("mean"), List.class));
            assertEquals(List.of(0.229, 0.224, 0.225), JSON.convertValue(m.get("normalization").get("std"), List.class));
            assertEquals("SIMPLE_CNN", m.get("arch").textValue());
            assertEquals("vision_model", m.get("modelFactory").get("name").textValue());
            assertEquals(model.manifest().fastai4jVersion(), m.get("fastai4jVersion").textValue());
            assertEquals(model.manifest().weights().sha256(), m.get("weightsSha256").textValue());
            assertEquals(JSON.valueToTree(model.manifest().provenance()), m.get("provenance"));
            assertTrue(m.get("provenance").size() > 0, m.toString());
            assertEquals(123456, m.get("server").get("maxUploadBytes").longValue());

            JsonNode h0 = get(s, "health").json();
            assertEquals("ok", h0.get("status").textValue());
            assertEquals(0, h0.get("requests").longValue());
            assertTrue(h0.get("uptimeSeconds").doubleValue() > 0, h0.toString());
            post(s, "", "image/png", redPng);
            post(s, "", "image/png", new byte[0]);
            JsonNode h = get(s, "health").json();
            assertEquals(2, h.get("requests").longValue());
            assertEquals(1, h.get("predictions").longValue());
            assertEquals(1, h.get("failures").longValue());
            assertEquals(1, h.get("clientErrors").longValue());
            assertEquals(0, h.get("serverErrors").longValue());
            assertTrue(h.get("uptimeSeconds").doubleValue() >= h0.get("uptimeSeconds").doubleValue());

            Answer page = get(s, "");
            assertEquals(200, page.status());
            assertTrue(page.contentType().startsWith("text/html"), page.contentType());
            assertTrue(page.text().contains("id=\"file\"") && page.text().contains("fetch(\"predict?k="), "page");
            assertFalse(page.text().matches("(?s).*(src|href)=\"(https?:)?//.*"), "the page loads nothing from elsewhere");
        }
    }

    @Test
    void concurrentRequestsGetTheSequentialAnswersBatchedOrParallel() throws Exception {
        Random r = new Random(9);
        List<byte[]> images = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            images.add(TinyModel.encode(TinyModel.image(i % 2 == 0 ? "red" : "blue", 20 + 3 * i, 30, r), "png"));
        }
        List<ModelServer.Builder> configs = List.of(
                ModelServer.builder().maxBatch(8).batchWindow(Duration.ofMillis(5)),
                ModelServer.builder().workers(2).maxBatch(1));
        for (ModelServer.Builder config : configs) {
            try (ModelServer s = config.model(model).port(0).start()) {
                ExecutorService pool = Executors.newFixedThreadPool(8);
                try {
                    List<Future<List<Answer>>> futures = new ArrayList<>();
                    for (int t = 0; t < 8; t++) {
                        futures.add(pool.submit(() -> {
                            List<Answer> out = new ArrayList<>();
                            for (byte[] img : images) {
                                out.add(post(s, "", "image/png", img));
                            }
                            return out;
                        }));
                    }
                    for (Future<List<Answer>> f : futures) {
                        List<Answer> got = f.get();
                        for (int i = 0; i < images.size(); i++) {
                            // batched arithmetic may differ from one-by-one in the last bits
                            assertSamePrediction(images.get(i), got.get(i), 5, 1e-5f);
                        }
                    }
                } finally {
                    pool.shutdownNow();
                }
                ModelServer.Stats st = s.stats();
                assertEquals(48, st.predictions());
                assertEquals(0, st.failures());
                assertTrue(st.batches() <= 48 && st.meanBatchSize() >= 1.0, st.toString());
            }
        }
    }

    @Test
    void closeIsGracefulAndClosesAModelItLoaded() throws Exception {
        ModelServer s = ModelServer.builder().model(file).port(0).start();
        int port = s.port();
        assertEquals(200, post(s, "", "image/png", redPng).status());
        InferenceModel loaded = s.model();
        s.close();
        s.awaitClose();
        assertThrows(IllegalStateException.class, () -> loaded.predict(redPng), "the server's own model is closed");
        assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", port).close());
        s.close(); // twice is fine
    }

    @Test
    void aPortInUseIsAClearError() {
        try (ModelServer s = ModelServer.builder().model(model).port(0).start()) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> ModelServer.builder().model(model).port(s.port()).start());
            assertTrue(e.getMessage().contains("cannot start the server on 127.0.0.1:" + s.port()), e.getMessage());
            assertEquals(0, s.stats().requests());
        }
    }

    @Test
    void refusesModelsThatDoNotTakeAnImageAndBadSettings() {
        assertThrows(IllegalArgumentException.class, () -> ModelServer.builder().start());
        assertThrows(IllegalArgumentException.class, () -> ModelServer.builder().maxUploadBytes(0));
        assertThrows(IllegalArgumentException.class, () -> ModelServer.builder().maxBatch(65));
        assertThrows(IllegalArgumentException.class, () -> ModelServer.builder().port(70000));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelKinds.of(
                new ai.fastai4j.export.Manifest("fastai4j-model", 1, "x", "t", "regression",
                        new ai.fastai4j.nn.ModelSpec("m", Map.of()),
                        List.of(new ai.fastai4j.export.Manifest.Component("audio", Map.of())),
                        new ai.fastai4j.export.Manifest.Component("regression", Map.of()), List.of(), List.of(),
                        new ai.fastai4j.export.Manifest.Component("mse", Map.of()),
                        new ai.fastai4j.export.Manifest.Weights("w", "0".repeat(64), 1, 1), Map.of()),
                Path.of("table.fai")));
        assertTrue(e.getMessage().contains("table.fai") && e.getMessage().contains("[audio]"), e.getMessage());
    }

    /** A PNG whose header declares {@code w x h} RGB pixels, with a few bytes of data: a decompression bomb. */
    static byte[] pngBomb(int w, int h) {
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) 8).put((byte) 2).put((byte) 0)
                .put((byte) 0).put((byte) 0);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        chunk(out, "IHDR", ihdr.array());
        chunk(out, "IDAT", new byte[] {0x78, (byte) 0x9c, 0x63, 0, 0, 0, 1, 0, 1});
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(12 + data.length);
        b.putInt(data.length);
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        b.put(t).put(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        b.putInt((int) crc.getValue());
        out.writeBytes(b.array());
    }
}

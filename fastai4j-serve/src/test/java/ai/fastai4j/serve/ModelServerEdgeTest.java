package ai.fastai4j.serve;

import static ai.fastai4j.serve.ModelServerTest.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.fastai4j.export.InferenceModel;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Odd requests: thousands of multipart parts, an HTTP/0.9 request line. */
class ModelServerEdgeTest {
    @TempDir
    static Path dir;
    static InferenceModel model;

    @BeforeAll
    static void load() {
        model = InferenceModel.load(TinyModel.export(dir, 0));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void thousandsOfMultipartPartsGetAWhole413() throws Exception {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (int i = 0; i < 5000; i++) {
            body.writeBytes(("--" + ModelServerTest.BOUNDARY + "\r\nContent-Disposition: form-data; name=\"f" + i
                    + "\"\r\n\r\nx\r\n").getBytes(StandardCharsets.US_ASCII));
        }
        body.writeBytes(("--" + ModelServerTest.BOUNDARY + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        try (ModelServer s = ModelServer.builder().model(model).port(0).start()) {
            ModelServerTest.Answer a = post(s, "", ModelServerTest.multipartType(), body.toByteArray());
            assertEquals(413, a.status(), a.text());
            String error = a.json().get("error").textValue();
            assertTrue(error.contains("too many parts [1001 > 1000]") && error.contains("one field 'file'"), error);
            assertEquals(0, s.stats().serverErrors());
        }
    }

    @Test
    void anHttp09RequestIsAClientError() throws Exception {
        try (ModelServer s = ModelServer.builder().model(model).port(0).start();
                Socket socket = new Socket("127.0.0.1", s.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write("GET /health\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertTrue(answer.isEmpty() || answer.startsWith("HTTP/1.1 4"), answer);
            assertEquals(0, s.stats().serverErrors());
        }
    }
}

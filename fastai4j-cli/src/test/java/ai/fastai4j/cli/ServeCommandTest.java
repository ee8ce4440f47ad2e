package ai.fastai4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.fastai4j.data.DataLoaderOptions;
import ai.fastai4j.data.DataLoaders;
import ai.fastai4j.export.ModelExport;
import ai.fastai4j.learner.Learner;
import ai.fastai4j.vision.Image;
import ai.fastai4j.vision.ImageDataLoaders;
import ai.fastai4j.vision.Resize;
import ai.fastai4j.vision.VisionLearners;
import ai.fastai4j.vision.models.Arch;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fastai4j serve}: bad arguments, and a real server process stopped with Ctrl-C (SIGINT). */
class ServeCommandTest {
    @TempDir
    static Path dir;
    static Path model;

    static Image image(boolean red, Random r) {
        byte[] px = new byte[16 * 16 * 3];
        for (int i = 0; i < 16 * 16; i++) {
            px[3 * i] = (byte) (red ? 200 : r.nextInt(60));
            px[3 * i + 1] = (byte) r.nextInt(100);
            px[3 * i + 2] = (byte) (red ? r.nextInt(60) : 200);
        }
        return new Image(16, 16, 3, px);
    }

    @BeforeAll
    static void exportModel() {
        Random r = new Random(3);
        List<Image> x = new ArrayList<>();
        List<String> y = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            x.add(image(i % 2 == 0, r));
            y.add(i % 2 == 0 ? "red" : "blue");
        }
        model = dir.resolve("colours.fai");
        try (DataLoaders dls = ImageDataLoaders.fromImages(x.subList(0, 6), y.subList(0, 6), x.subList(6, 8),
                y.subList(6, 8), DataLoaderOptions.defaults(2).withWorkers(1), List.of(Resize.squish(16)), List.of());
                Learner learn = VisionLearners.create(dls, Arch.SIMPLE_CNN, b -> b.progress(false))) {
            ModelExport.export(learn, model);
        }
    }

    @Test
    void aMissingModelOrABadOptionIsRefused() {
        assertEquals(Main.EXIT_MODEL, Main.execute("serve", dir.resolve("absent.fai").toString()));
        assertEquals(2, Main.execute("serve", model.toString(), "--max-batch", "0"));
        assertEquals(2, Main.execute("serve", model.toString(), "--port", "eighty"));
        assertEquals(2, Main.execute("serve", model.toString(), "--max-pixels", "0"));
        assertEquals(2, Main.execute("serve", model.toString(), "--max-connections-per-client", "0"));
    }

    @Test
    void servesUntilCtrlCThenStopsGracefully() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Xmx512m", "-Dai.djl.offline=true", "-cp",
                System.getProperty("java.class.path"), "ai.fastai4j.cli.Main", "serve", model.toString(), "--port",
                String.valueOf(port)).redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            StringBuilder log = new StringBuilder();
            CompletableFuture<String> serving = CompletableFuture.supplyAsync(() -> {
                try {
                    String line;
                    while ((line = out.readLine()) != null) {
                        log.append(line).append('\n');
                        if (line.startsWith("Serving ")) {
                            return line;
                        }
                    }
                    return null;
                } catch (java.io.IOException e) {
                    return null;
                }
            });
            String line = serving.get(60, TimeUnit.SECONDS);
            assertTrue(line != null && line.contains("(2 classes) at http://127.0.0.1:" + port + "/"), log.toString());

            HttpClient http = HttpClient.newHttpClient();
            ByteArrayOutputStream png = new ByteArrayOutputStream();
            ImageIO.write(image(true, new Random(1)).toBufferedImage(), "png", png);
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/predict"))
                    .header("Content-Type", "image/png").timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(png.toByteArray())).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            assertTrue(r.body().contains("\"top\":[{\"label\":"), r.body());

            // Ctrl-C
            Process kill = new ProcessBuilder("kill", "-INT", String.valueOf(p.pid())).inheritIO().start();
            assertEquals(0, kill.waitFor());
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the server did not stop after SIGINT");
            StringBuilder rest = new StringBuilder(); // through the same reader: it may hold buffered output
            for (String l = out.readLine(); l != null; l = out.readLine()) {
                rest.append(l).append('\n');
            }
            assertTrue(rest.toString().contains("fastai4j: stopped after 1 requests (1 predictions, 0 refused)"), log + rest.toString());
        } finally {
            p.destroyForcibly();
        }
    }
}

package ai.fastai4j.serve;

import static ai.fastai4j.serve.ModelServerTest.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.fastai4j.export.InferenceModel;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Clients that trickle their bodies cannot take the server from everyone else. */
class SlowClientsTest {
    @TempDir
    static Path dir;

    /**
     * 40 connections from one client (127.0.0.2) each send headers, then one body byte a second; meanwhile
     * another client (127.0.0.1) predicts. Every normal request is answered; the slow ones are cut (408) or refused.
     */
    @Test
    void trickledBodiesDoNotBlockNormalRequests() throws Exception {
        byte[] png = TinyModel.encode(TinyModel.image("red", 32, 32, new Random(1)), "png");
        try (InferenceModel model = InferenceModel.load(TinyModel.export(dir, 0));
                ModelServer s = ModelServer.builder().model(model).port(0).httpThreads(12)
                        .maxConnectionsPerClient(4).start()) {
            assertEquals(200, post(s, "", "image/png", png).status()); // warm: the first prediction is slower
            ExecutorService pool = Executors.newFixedThreadPool(40);
            AtomicInteger cut = new AtomicInteger();
            List<Future<?>> slow = new ArrayList<>();
            try {
                for (int i = 0; i < 40; i++) {
                    slow.add(pool.submit(() -> {
                        trickle(s.port(), png, cut);
                        return null;
                    }));
                }
                Thread.sleep(1500); // every slow connection is open and trickling
                for (int i = 0; i < 8; i++) {
                    long t0 = System.nanoTime();
                    ModelServerTest.Answer a = post(s, "", "image/png", png);
                    assertEquals(200, a.status(), a.text());
                    // unprotected, a request waits for the slow bodies to end (a minute) or times out; the bound
                    // leaves room for a loaded machine
                    assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(20),
                            "a normal request waited " + (System.nanoTime() - t0) / 1e9 + " s");
                }
                for (Future<?> f : slow) {
                    f.get(60, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            assertEquals(40, cut.get(), "every slow connection is cut or refused");
            assertEquals(0, s.stats().serverErrors());
            assertEquals(9, s.stats().predictions());
        }
    }

    /** The cap counts open connections (Jetty reports a close a moment late): one after another are not refused. */
    @Test
    void connectionsOneAfterAnotherAreNotCapped() throws Exception {
        try (InferenceModel model = InferenceModel.load(TinyModel.export(dir, 0));
                ModelServer s = ModelServer.builder().model(model).port(0).maxConnectionsPerClient(4).start()) {
            for (int i = 0; i < 20; i++) {
                try (Socket socket = new Socket()) {
                    socket.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 0));
                    socket.connect(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), s.port()));
                    socket.setSoTimeout(10_000);
                    socket.getOutputStream().write(("POST /predict HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                            + "Content-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi").getBytes(StandardCharsets.US_ASCII));
                    String head = new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
                    assertEquals("HTTP/1.1 415", head, "connection " + i);
                }
            }
        }
    }

    /** Sends a PNG upload's headers, then its body one byte a second, until the server closes or answers. */
    private static void trickle(int port, byte[] png, AtomicInteger cut) throws IOException {
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 0));
            socket.connect(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port));
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\nContent-Length: " + png.length
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            for (int i = 0; i < 60; i++) {
                out.write(png[i]);
                out.flush();
                if (socket.getInputStream().available() > 0) {
                    break;
                }
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
            }
            InputStream in = socket.getInputStream();
            String head = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
            if (head.isEmpty() || head.startsWith("HTTP/1.1 408")) {
                cut.incrementAndGet();
            }
        } catch (IOException e) { // reset or closed by the server while sending: cut too
            cut.incrementAndGet();
        }
    }
}

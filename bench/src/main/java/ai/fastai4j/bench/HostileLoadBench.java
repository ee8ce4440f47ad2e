package ai.fastai4j.bench;

import ai.djl.engine.Engine;
import ai.fastai4j.engine.NativeMemory;
import ai.fastai4j.engine.Torch;
import ai.fastai4j.export.InferenceModel;
import ai.fastai4j.serve.ModelServer;
import ai.fastai4j.vision.Image;
import ai.fastai4j.vision.models.Arch;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * fastai4j-serve under hostile load: good clients in a closed loop alone (the unloaded baseline), then the same
 * good clients while other threads send malformed requests (garbage as an image, invalid JSON, a truncated PNG, an
 * unsupported type), oversized-in-pixels images (a blank 2000x2000 PNG of a few KB, a PNG declaring 60000x60000)
 * and slow bodies (one byte a second, reconnecting when cut), for a stated time. Malformed and oversized requests
 * come from 127.0.0.2, slow ones from 127.0.0.3, the good clients from 127.0.0.1, as from three machines (the
 * server caps the connections of each). Prints requests answered, the 2xx/4xx/5xx
 * counts, the good requests' p99 loaded against unloaded, and the process's RSS each second (server and clients
 * share the process). Checks (exit status 1 when one fails): no 5xx, every good request answered 200, good p99
 * within 2x of the unloaded one, RSS at most 512 MiB above where the loaded phase started.
 *
 * <pre>
 * java -cp ... ai.fastai4j.bench.HostileLoadBench --seconds 30 --good 4 --malformed 2 --oversized 2 --slow 40
 * </pre>
 */
public final class HostileLoadBench {
    private HostileLoadBench() {}

    static final String USAGE = """
            HostileLoadBench: good requests' latency and the server's memory while clients misbehave
              --arch NAME      untrained model exported first (default SIMPLE_CNN)
              --size N         its input size (default 64)
              --seconds N      length of each phase (default 30)
              --good N         good clients, closed loop (default 4)
              --malformed N    threads sending malformed requests (default 2)
              --oversized N    threads sending oversized-in-pixels images (default 2)
              --slow N         slow connections trickling a byte a second (default 40)
              --threads N      libtorch intra-op threads (default 1)
              --out DIR        work folder (default bench/target/hostile)
            """;

    public static void main(String[] args) throws Exception {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("arch", "SIMPLE_CNN");
        d.put("size", "64");
        d.put("seconds", "30");
        d.put("good", "4");
        d.put("malformed", "2");
        d.put("oversized", "2");
        d.put("slow", "40");
        d.put("threads", "1");
        d.put("out", "bench/target/hostile");
        BenchArgs a = BenchArgs.parse(args, d, USAGE);
        Engine.getInstance();
        Torch.setIntraOpThreads(a.integer("threads"));
        Path out = Files.createDirectories(Path.of(a.string("out")));
        System.out.printf(Locale.ROOT, "fastai4j HostileLoadBench  %s; %d cores; load %s%n", a,
                Runtime.getRuntime().availableProcessors(), BenchModels.load());
        Arch arch = Arch.valueOf(a.string("arch").toUpperCase(Locale.ROOT));
        Path file = BenchModels.exportVision(out.resolve("model.fai"), arch, a.integer("size"), 10, 42);
        Random r = new Random(42);
        List<byte[]> photos = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            photos.add(BenchModels.encode(BenchModels.photo(320, 240, r), "jpg"));
        }
        int seconds = a.integer("seconds");
        boolean ok = true;
        try (InferenceModel model = InferenceModel.load(file);
                ModelServer server = ModelServer.builder().model(model).port(0).start()) {
            Good.run(server, photos, a.integer("good"), 3); // warm-up
            Good unloaded = Good.run(server, photos, a.integer("good"), seconds);
            System.out.printf(Locale.ROOT, "unloaded: %d good requests, p50 %.1f ms, p99 %.1f ms, failures %d%n",
                    unloaded.latencies.size(), unloaded.percentile(50), unloaded.percentile(99), unloaded.failures.get());

            Hostile hostile = new Hostile(server.port(), seconds, photos.get(0));
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < a.integer("malformed"); i++) {
                threads.add(hostile.start("malformed-" + i, hostile::malformed));
            }
            for (int i = 0; i < a.integer("oversized"); i++) {
                threads.add(hostile.start("oversized-" + i, hostile::oversized));
            }
            for (int i = 0; i < a.integer("slow"); i++) {
                threads.add(hostile.start("slow-" + i, hostile::slow));
            }
            long rssStart = NativeMemory.residentBytes();
            List<Long> rss = Collections.synchronizedList(new ArrayList<>());
            Thread sampler = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    rss.add(NativeMemory.residentBytes() >> 20);
                    try {
                        Thread.sleep(1000);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            sampler.start();
            Good loaded = Good.run(server, photos, a.integer("good"), seconds);
            for (Thread t : threads) {
                t.join(30_000);
            }
            sampler.interrupt();
            sampler.join();
            ModelServer.Stats st = server.stats();
            double ratio = loaded.percentile(99) / unloaded.percentile(99);
            long rssMax = rss.stream().mapToLong(Long::longValue).max().orElse(0);
            System.out.printf(Locale.ROOT, "loaded:   %d good requests, p50 %.1f ms, p99 %.1f ms (%.2fx unloaded),"
                    + " failures %d%n", loaded.latencies.size(), loaded.percentile(50), loaded.percentile(99), ratio,
                    loaded.failures.get());
            System.out.printf(Locale.ROOT, "hostile:  %d requests sent, answers %s, connections cut or refused %d %s%n",
                    hostile.sent.get(), new java.util.TreeMap<>(hostile.answers), hostile.cut.get(),
                    new java.util.TreeMap<>(hostile.cutBy));
            System.out.printf(Locale.ROOT, "server:   %d requests, %d predictions, %d client errors (4xx), %d busy (503),"
                    + " %d server errors (5xx)%n", st.requests(), st.predictions(), st.clientErrors(), st.busy(),
                    st.serverErrors());
            System.out.printf(Locale.ROOT, "RSS MiB each second under load (started at %d): %s%n", rssStart >> 20, rss);
            long fiveHundreds = hostile.answers.entrySet().stream().filter(e -> e.getKey() >= 500)
                    .mapToLong(e -> e.getValue().get()).sum() + st.serverErrors();
            ok &= check("no server errors (5xx)", fiveHundreds == 0);
            ok &= check("every good request answered 200", loaded.failures.get() == 0 && unloaded.failures.get() == 0);
            ok &= check("good p99 within 2x of unloaded", ratio <= 2);
            ok &= check("RSS bounded (max " + rssMax + " MiB, at most 512 above " + (rssStart >> 20) + ")",
                    rssMax <= (rssStart >> 20) + 512);
            System.out.printf(Locale.ROOT, "RESULT good_p99_unloaded_ms=%.1f good_p99_loaded_ms=%.1f ratio=%.2f"
                    + " server_errors=%d rss_start_mb=%d rss_max_mb=%d%n", unloaded.percentile(99),
                    loaded.percentile(99), ratio, fiveHundreds, rssStart >> 20, rssMax);
        }
        System.exit(ok ? 0 : 1);
    }

    private static boolean check(String what, boolean passed) {
        System.out.println((passed ? "PASS " : "FAIL ") + what);
        return passed;
    }

    /** Good clients in a closed loop: JPEG photos, each answer timed. */
    static final class Good {
        final List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        final AtomicLong failures = new AtomicLong();

        static Good run(ModelServer s, List<byte[]> photos, int clients, int seconds) throws InterruptedException {
            Good g = new Good();
            long deadline = System.nanoTime() + seconds * 1_000_000_000L;
            List<Thread> ts = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int id = c;
                Thread t = new Thread(() -> {
                    HttpClient http = ServeLoadBench.client();
                    for (int i = id; System.nanoTime() < deadline; i++) {
                        long t0 = System.nanoTime();
                        try {
                            HttpResponse<String> r = http.send(ServeLoadBench.jpegRequest(s,
                                    photos.get(i % photos.size())), HttpResponse.BodyHandlers.ofString());
                            if (r.statusCode() != 200) {
                                g.failures.incrementAndGet();
                            }
                        } catch (IOException | InterruptedException e) {
                            g.failures.incrementAndGet();
                        }
                        g.latencies.add(System.nanoTime() - t0);
                    }
                });
                t.start();
                ts.add(t);
            }
            for (Thread t : ts) {
                t.join();
            }
            return g;
        }

        double percentile(double p) {
            List<Long> l = new ArrayList<>(latencies);
            Collections.sort(l);
            return l.isEmpty() ? Double.NaN : l.get((int) Math.min(l.size() - 1, Math.ceil(p / 100 * l.size()) - 1)) / 1e6;
        }
    }

    /** Misbehaving clients on raw sockets from 127.0.0.2; answers counted by status. */
    static final class Hostile {
        final int port;
        final long deadline;
        final byte[] photo;
        final byte[] blank = BenchModels.encode(new Image(2000, 2000, 3, new byte[2000 * 2000 * 3]).toBufferedImage(), "png");
        final byte[] bomb = ServeLoadBench.pngBomb(60000, 60000);
        final Map<Integer, AtomicLong> answers = new ConcurrentHashMap<>();
        final AtomicLong sent = new AtomicLong();
        final AtomicLong cut = new AtomicLong();
        final Map<String, AtomicLong> cutBy = new ConcurrentHashMap<>();

        Hostile(int port, int seconds, byte[] photo) {
            this.port = port;
            this.deadline = System.nanoTime() + seconds * 1_000_000_000L;
            this.photo = photo;
        }

        Thread start(String name, Runnable body) {
            Thread t = new Thread(() -> {
                while (System.nanoTime() < deadline) {
                    body.run();
                }
            }, name);
            t.start();
            return t;
        }

        void malformed() {
            int kind = (int) (sent.get() % 4);
            byte[] truncated = java.util.Arrays.copyOf(photo, photo.length / 2);
            switch (kind) {
                case 0 -> request("image/png", "this is not an image".getBytes(StandardCharsets.US_ASCII), 0, "127.0.0.2");
                case 1 -> request("application/json", "{\"image\": ".getBytes(StandardCharsets.US_ASCII), 0,
                        "127.0.0.2");
                case 2 -> request("image/jpeg", truncated, 0, "127.0.0.2");
                default -> request("text/html", "<html></html>".getBytes(StandardCharsets.US_ASCII), 0, "127.0.0.2");
            }
        }

        void oversized() {
            request("image/png", sent.get() % 2 == 0 ? blank : bomb, 0, "127.0.0.2");
        }

        void slow() {
            request("image/jpeg", photo, 1000, "127.0.0.3");
        }

        /** One request on its own connection from {@code from}; {@code pauseMs} between body bytes (0: at once). */
        private void request(String type, byte[] body, int pauseMs, String from) {
            sent.incrementAndGet();
            try (Socket socket = new Socket()) {
                socket.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
                socket.connect(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port));
                socket.setSoTimeout(60_000);
                OutputStream out = socket.getOutputStream();
                out.write(("POST /predict HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: " + type
                        + "\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                if (pauseMs == 0) {
                    out.write(body);
                } else {
                    for (int i = 0; i < body.length && System.nanoTime() < deadline; i++) {
                        out.write(body[i]);
                        out.flush();
                        if (socket.getInputStream().available() > 0) {
                            break;
                        }
                        Thread.sleep(pauseMs);
                    }
                }
                out.flush();
                InputStream in = socket.getInputStream();
                String head = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
                if (head.startsWith("HTTP/1.1 ")) {
                    answers.computeIfAbsent(Integer.parseInt(head.substring(9, 12)), k -> new AtomicLong())
                            .incrementAndGet();
                } else {
                    cut.incrementAndGet();
                    cutBy.computeIfAbsent(from + " closed", k -> new AtomicLong()).incrementAndGet();
                }
            } catch (IOException e) {
                cut.incrementAndGet();
                cutBy.computeIfAbsent(from + " " + e.getClass().getSimpleName(), k -> new AtomicLong())
                        .incrementAndGet();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

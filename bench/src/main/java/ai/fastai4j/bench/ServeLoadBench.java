package ai.fastai4j.bench;

import ai.djl.engine.Engine;
import ai.fastai4j.engine.NativeMemory;
import ai.fastai4j.engine.Torch;
import ai.fastai4j.export.InferenceModel;
import ai.fastai4j.serve.ModelServer;
import ai.fastai4j.vision.models.Arch;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;

/**
 * fastai4j-serve under load, on loopback: a {@link ModelServer} with an untrained vision model (ResNet-18 at 224
 * px by default), driven by N concurrent Java {@link HttpClient}s in a closed loop (each sends its next JPEG when
 * the previous one is answered) for a fixed time or request count. For each server configuration ({@code --modes})
 * it prints requests per second, latency percentiles, failures (must be 0), the mean batch size, and the
 * process's resident memory before, during and after the load (client and server share the process). Then a
 * robustness phase: {@code --malformed} bad requests of several kinds interleaved with as many good ones, sent
 * concurrently; every bad one must get its 4xx, every good one a 200, and the server no 500.
 *
 * <p>Lines starting with {@code RESULT} are for scripts. Exit status 1 when any check fails.
 *
 * <pre>
 * java -cp ... ai.fastai4j.bench.ServeLoadBench --clients 8 --seconds 30 --modes batch,parallel
 * </pre>
 */
public final class ServeLoadBench {
    private ServeLoadBench() {}

    static final String USAGE = """
            ServeLoadBench: fastai4j-serve throughput, latency and robustness on loopback
              --arch NAME       fastai4j Arch of the untrained model to export (default RESNET18)
              --size N          model input size in pixels (default 224)
              --classes N       classes of the model (default 10)
              --model FILE      serve this .fai instead of exporting one
              --photo WxH       size of the JPEGs sent (default 500x375, resized by the model's pipeline)
              --images N        distinct JPEGs, sent in turn (default 16)
              --clients N       concurrent clients (default 8)
              --seconds X       length of each load phase (default 30; 0 = until --requests)
              --requests N      requests per load phase, all clients together (default 0 = until --seconds)
              --warmup N        requests before each load phase, not measured (default 24)
              --modes LIST      server configurations, one load phase each (default batch,parallel):
                                  batch     1 inference thread, batches of up to 16 gathered within 2 ms (the default)
                                  batch0    1 inference thread, batches of what is waiting (no window)
                                  parallel  2 inference threads, no batching
                                  single    1 inference thread, no batching
              --malformed N     bad requests in the robustness phase, each followed by a good one (default 200; 0 skips)
              --threads N       libtorch intra-op threads (default 2)
              --seed N          seed of the weights and the images (default 42)
              --out DIR         where the model and the wrk files go (default bench/target/serve)
            """;

    record Mode(String name, int workers, int maxBatch, int windowMs) {}

    static final Map<String, Mode> MODES = Map.of(
            "batch", new Mode("batch", 1, 16, 2),
            "batch0", new Mode("batch0", 1, 16, 0),
            "parallel", new Mode("parallel", 2, 1, 0),
            "single", new Mode("single", 1, 1, 0));

    public static void main(String[] args) throws Exception {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("arch", "RESNET18");
        d.put("size", "224");
        d.put("classes", "10");
        d.put("model", null);
        d.put("photo", "500x375");
        d.put("images", "16");
        d.put("clients", "8");
        d.put("seconds", "30");
        d.put("requests", "0");
        d.put("warmup", "24");
        d.put("modes", "batch,parallel");
        d.put("malformed", "200");
        d.put("threads", "2");
        d.put("seed", "42");
        d.put("out", "bench/target/serve");
        BenchArgs a = BenchArgs.parse(args, d, USAGE);
        if (a.integer("seconds") <= 0 && a.integer("requests") <= 0) {
            throw new IllegalArgumentException("give --seconds or --requests a positive value\n" + USAGE);
        }
        boolean tuned = NativeMemory.requested() && NativeMemory.tuneMalloc(); // -Dfastai4j.malloc.tune=true
        Engine.getInstance(); // loads libtorch
        Torch.setIntraOpThreads(a.integer("threads"));
        Path out = Path.of(a.string("out"));
        Files.createDirectories(out);
        System.out.printf(Locale.ROOT, "fastai4j ServeLoadBench  %s%n", a);
        System.out.printf(Locale.ROOT, "engine: %s %s, intra-op threads %d, inter-op %d; %d cores; malloc tuned: %s;"
                + " load %s%n", Engine.getInstance().getEngineName(), Engine.getInstance().getVersion(),
                Torch.intraOpThreads(), Torch.interOpThreads(), Runtime.getRuntime().availableProcessors(),
                tuned, BenchModels.load());
        String wrk = which("wrk");
        System.out.println("wrk: " + (wrk == null ? "not installed (optional: apt-get install wrk)" : wrk));

        Path modelFile;
        if (a.string("model") != null) {
            modelFile = Path.of(a.string("model"));
        } else {
            long t0 = System.nanoTime();
            Arch arch = Arch.valueOf(a.string("arch").toUpperCase(Locale.ROOT));
            modelFile = BenchModels.exportVision(out.resolve(arch.name().toLowerCase(Locale.ROOT) + "-" + a.integer("size")
                    + ".fai"), arch, a.integer("size"), a.integer("classes"), a.integer("seed"));
            System.out.printf(Locale.ROOT, "exported untrained %s (%d classes, %d px) to %s in %.1f s%n", arch,
                    a.integer("classes"), a.integer("size"), modelFile, (System.nanoTime() - t0) / 1e9);
        }
        String[] wh = a.string("photo").split("x");
        int pw = Integer.parseInt(wh[0]);
        int ph = Integer.parseInt(wh[1]);
        Random r = new Random(a.integer("seed"));
        List<byte[]> jpegs = new ArrayList<>();
        for (int i = 0; i < a.integer("images"); i++) {
            jpegs.add(BenchModels.encode(BenchModels.photo(pw, ph, r), "jpg"));
        }
        System.out.printf(Locale.ROOT, "%d JPEGs of %dx%d, %.1f KB on average%n", jpegs.size(), pw, ph,
                jpegs.stream().mapToInt(b -> b.length).average().orElse(0) / 1024);
        if (wrk != null) {
            writeWrkFiles(out, jpegs.get(0));
        }

        boolean ok = true;
        List<String> summary = new ArrayList<>();
        try (InferenceModel model = InferenceModel.load(modelFile)) {
            for (String name : a.string("modes").split(",")) {
                Mode mode = MODES.get(name.trim());
                if (mode == null) {
                    throw new IllegalArgumentException("unknown mode '" + name + "' (known: " + MODES.keySet() + ")");
                }
                try (ModelServer server = start(model, mode)) {
                    LoadResult res = load(server, jpegs, a.integer("clients"), a.integer("warmup"), a.integer("seconds"),
                            a.integer("requests"));
                    ModelServer.Stats st = server.stats();
                    System.out.printf(Locale.ROOT, "%n[%s] workers %d, maxBatch %d, window %d ms; %d clients%n", mode.name(),
                            mode.workers(), mode.maxBatch(), mode.windowMs(), a.integer("clients"));
                    System.out.printf(Locale.ROOT, "  %d requests in %.1f s = %.1f requests/s; latency ms p50 %.1f, p90 %.1f,"
                            + " p99 %.1f, max %.1f; failures %d; mean batch %.2f%n", res.count, res.seconds,
                            res.count / res.seconds, res.pct(50), res.pct(90), res.pct(99), res.pct(100), res.failures,
                            st.meanBatchSize());
                    System.out.printf(Locale.ROOT, "  process CPU %.1f s = %.1f ms per request (%.2f cores busy);"
                            + " on a busy machine, CPU per request is the steadier figure%n", res.cpuSeconds,
                            1e3 * res.cpuSeconds / Math.max(1, res.count), res.cpuSeconds / res.seconds);
                    long heap = Runtime.getRuntime().totalMemory();
                    System.out.printf(Locale.ROOT, "  RSS MiB: before %d, during %s, after %d (max %d); Java heap committed"
                            + " %d of it, so native and the rest %d; load %s%n", res.rssBefore >> 20, res.rssDuring(),
                            res.rssAfter >> 20, res.rssMax >> 20, heap >> 20, (res.rssAfter - heap) >> 20, BenchModels.load());
                    System.out.printf(Locale.ROOT, "RESULT mode=%s rps=%.2f p50_ms=%.2f p99_ms=%.2f failures=%d"
                            + " mean_batch=%.2f cpu_ms_per_request=%.2f rss_before_mb=%d rss_after_mb=%d rss_max_mb=%d%n",
                            mode.name(), res.count / res.seconds, res.pct(50), res.pct(99), res.failures,
                            st.meanBatchSize(), 1e3 * res.cpuSeconds / Math.max(1, res.count),
                            res.rssBefore >> 20, res.rssAfter >> 20, res.rssMax >> 20);
                    summary.add(String.format(Locale.ROOT, "  %-9s %7.1f req/s  p50 %7.1f ms  p99 %7.1f ms  CPU %6.1f ms/req"
                            + "  mean batch %5.2f  failures %d", mode.name(), res.count / res.seconds, res.pct(50),
                            res.pct(99), 1e3 * res.cpuSeconds / Math.max(1, res.count), st.meanBatchSize(), res.failures));
                    if (res.failures > 0) {
                        System.out.println("  FAILED: " + res.failures + " requests did not get a 200; first: "
                                + res.firstFailure);
                        ok = false;
                    }
                }
            }
            if (summary.size() > 1) {
                System.out.println("\nsummary:");
                summary.forEach(System.out::println);
            }
            if (a.integer("malformed") > 0) {
                Mode mode = MODES.get(a.string("modes").split(",")[0].trim());
                try (ModelServer server = start(model, mode)) {
                    ok &= malformed(server, jpegs, a.integer("malformed"), a.integer("clients"));
                }
            }
        }
        System.out.println(ok ? "\nall checks passed" : "\nSOME CHECKS FAILED");
        System.exit(ok ? 0 : 1);
    }

    static ModelServer start(InferenceModel model, Mode mode) {
        return ModelServer.builder().model(model).port(0).workers(mode.workers()).maxBatch(mode.maxBatch())
                .batchWindow(Duration.ofMillis(mode.windowMs())).maxQueue(1024).start();
    }

    // ---------------------------------------------------------------- load

    static final class LoadResult {
        long count;
        long failures;
        String firstFailure;
        double seconds;
        double cpuSeconds;
        long[] latencies;
        long rssBefore;
        long rssAfter;
        long rssMax;
        final List<Long> rssSamples = Collections.synchronizedList(new ArrayList<>());

        double pct(double p) {
            if (latencies.length == 0) {
                return Double.NaN;
            }
            int i = (int) Math.ceil(p / 100 * latencies.length) - 1;
            return latencies[Math.max(0, Math.min(latencies.length - 1, i))] / 1e6;
        }

        /** RSS at a quarter, half, three quarters and the end of the phase. */
        String rssDuring() {
            List<Long> s = new ArrayList<>(rssSamples);
            if (s.isEmpty()) {
                return "-";
            }
            StringBuilder sb = new StringBuilder();
            for (int q = 1; q <= 4; q++) {
                sb.append(q == 1 ? "" : ", ").append(s.get(Math.max(0, q * s.size() / 4 - 1)) >> 20);
            }
            return sb.toString();
        }
    }

    /** CPU time of the whole process (server, clients, libtorch's threads), in nanoseconds. */
    static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    static HttpClient client() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
    }

    static HttpRequest jpegRequest(ModelServer s, byte[] jpeg) {
        return HttpRequest.newBuilder(URI.create(s.url() + "predict")).header("Content-Type", "image/jpeg")
                .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofByteArray(jpeg)).build();
    }

    static LoadResult load(ModelServer s, List<byte[]> jpegs, int clients, int warmup, int seconds, int requests)
            throws Exception {
        LoadResult res = new LoadResult();
        // warm-up, concurrent like the load
        runClients(clients, warmup, Long.MAX_VALUE, s, jpegs, null, null, null);
        System.gc();
        res.rssBefore = NativeMemory.residentBytes();
        AtomicLong max = new AtomicLong(res.rssBefore);
        Thread monitor = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                long rss = NativeMemory.residentBytes();
                res.rssSamples.add(rss);
                max.accumulateAndGet(rss, Math::max);
                try {
                    Thread.sleep(250);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "rss-monitor");
        monitor.setDaemon(true);
        monitor.start();
        List<Long> lat = Collections.synchronizedList(new ArrayList<>());
        AtomicLong failures = new AtomicLong();
        String[] first = new String[1];
        long cpu0 = cpuNanos();
        long t0 = System.nanoTime();
        long deadline = seconds > 0 ? t0 + seconds * 1_000_000_000L : Long.MAX_VALUE;
        runClients(clients, requests > 0 ? requests : Integer.MAX_VALUE, deadline, s, jpegs, lat, failures, first);
        res.seconds = (System.nanoTime() - t0) / 1e9;
        res.cpuSeconds = (cpuNanos() - cpu0) / 1e9;
        monitor.interrupt();
        monitor.join();
        res.rssAfter = NativeMemory.residentBytes();
        res.rssMax = Math.max(max.get(), res.rssAfter);
        res.latencies = lat.stream().mapToLong(Long::longValue).sorted().toArray();
        res.count = res.latencies.length;
        res.failures = failures.get();
        res.firstFailure = first[0];
        return res;
    }

    /** {@code clients} threads share {@code total} requests (and the deadline); each waits for its answer. */
    static void runClients(int clients, int total, long deadline, ModelServer s, List<byte[]> jpegs, List<Long> lat,
            AtomicLong failures, String[] first) throws InterruptedException {
        AtomicInteger next = new AtomicInteger();
        List<Thread> ts = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            Thread t = new Thread(() -> {
                HttpClient http = client();
                int i;
                while ((i = next.getAndIncrement()) < total && System.nanoTime() < deadline) {
                    long t0 = System.nanoTime();
                    String failure = null;
                    try {
                        HttpResponse<String> r = http.send(jpegRequest(s, jpegs.get(i % jpegs.size())),
                                HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() != 200) {
                            failure = r.statusCode() + " " + r.body();
                        }
                    } catch (IOException e) {
                        failure = e.toString();
                    } catch (InterruptedException e) {
                        return;
                    }
                    if (lat != null) {
                        lat.add(System.nanoTime() - t0);
                        if (failure != null) {
                            failures.incrementAndGet();
                            synchronized (first) {
                                if (first[0] == null) {
                                    first[0] = failure;
                                }
                            }
                        }
                    }
                }
            }, "client-" + c);
            ts.add(t);
            t.start();
        }
        for (Thread t : ts) {
            t.join();
        }
    }

    // ---------------------------------------------------------------- robustness

    /** A bad request kind: how to send it, and the status it must get. */
    record Kind(String name, int expect) {}

    static boolean malformed(ModelServer s, List<byte[]> jpegs, int n, int clients) throws Exception {
        byte[] jpeg = jpegs.get(0);
        byte[] truncated = Arrays.copyOf(jpeg, jpeg.length / 2);
        byte[] text = "<html><body>not a picture</body></html>".getBytes(StandardCharsets.UTF_8);
        List<Kind> kinds = List.of(new Kind("empty body", 400), new Kind("wrong content type", 415),
                new Kind("truncated JPEG", 422), new Kind("huge declared size", 413), new Kind("not an image", 422),
                new Kind("invalid JSON", 400), new Kind("PNG declaring 60000x60000 px", 422));
        byte[] bomb = pngBomb(60000, 60000);
        Map<String, Map<Integer, Integer>> seen = new ConcurrentHashMap<>();
        AtomicInteger goodOk = new AtomicInteger();
        AtomicInteger goodBad = new AtomicInteger();
        AtomicInteger badWrong = new AtomicInteger();
        List<String> problems = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger next = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(clients);
        long t0 = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            new Thread(() -> {
                HttpClient http = client();
                try {
                    int i;
                    while ((i = next.getAndIncrement()) < n) {
                        Kind k = kinds.get(i % kinds.size());
                        int status;
                        try {
                            status = switch (k.name()) {
                                case "empty body" -> post(http, s, "image/jpeg", new byte[0]);
                                case "wrong content type" -> post(http, s, "text/plain", jpeg);
                                case "truncated JPEG" -> post(http, s, "image/jpeg", truncated);
                                case "huge declared size" -> declaredHuge(s);
                                case "not an image" -> post(http, s, "image/png", text);
                                case "invalid JSON" -> post(http, s, "application/json",
                                        "{\"image\": [1, 2".getBytes(StandardCharsets.UTF_8));
                                default -> post(http, s, "image/png", bomb);
                            };
                        } catch (IOException e) {
                            status = -1;
                            problems.add(k.name() + ": " + e);
                        }
                        seen.computeIfAbsent(k.name(), x -> new TreeMap<>()).merge(status, 1, Integer::sum);
                        if (status != k.expect()) {
                            badWrong.incrementAndGet();
                        }
                        int g;
                        try {
                            g = post(http, s, "image/jpeg", jpegs.get(i % jpegs.size()));
                        } catch (IOException e) {
                            g = -1;
                            problems.add("good request: " + e);
                        }
                        (g == 200 ? goodOk : goodBad).incrementAndGet();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    done.countDown();
                }
            }, "robust-" + c).start();
        }
        done.await();
        double sec = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, "%nrobustness: %d bad requests interleaved with %d good ones, %d clients, %.1f s%n",
                n, n, clients, sec);
        for (Kind k : kinds) {
            System.out.printf(Locale.ROOT, "  %-30s expect %d, got %s%n", k.name(), k.expect(), seen.get(k.name()));
        }
        System.out.printf(Locale.ROOT, "  good requests: %d answered 200, %d not%n", goodOk.get(), goodBad.get());
        problems.stream().limit(5).forEach(p -> System.out.println("  problem: " + p));
        ModelServer.Stats st = s.stats();
        System.out.println("  server: " + st);
        boolean ok = badWrong.get() == 0 && goodBad.get() == 0 && st.serverErrors() == 0;
        System.out.printf(Locale.ROOT, "RESULT robustness bad=%d bad_wrong_status=%d good=%d good_not_200=%d"
                + " server_errors=%d%n", n, badWrong.get(), n, goodBad.get(), st.serverErrors());
        System.out.println(ok ? "  OK: every bad request got its 4xx, every good one a 200"
                : "  FAILED: " + badWrong.get() + " bad requests got another status, " + goodBad.get()
                        + " good ones were not answered 200");
        return ok;
    }

    static int post(HttpClient http, ModelServer s, String type, byte[] body) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(s.url() + "predict"))
                .header("Content-Type", type).timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200 && !r.body().startsWith("{\"error\":")) {
            throw new IOException("status " + r.statusCode() + " without a JSON error: " + r.body());
        }
        return r.statusCode();
    }

    /** Declares a terabyte and sends none of it (an HTTP client cannot): the answer must come anyway. */
    static int declaredHuge(ModelServer s) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", s.port())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /predict HTTP/1.1\r\nHost: localhost\r\nContent-Type: image/jpeg\r\n"
                    + "Content-Length: 1000000000000\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] head = new byte[12];
            int got = in.readNBytes(head, 0, 12);
            String line = new String(head, 0, got, StandardCharsets.US_ASCII);
            if (!line.startsWith("HTTP/1.1 ")) {
                throw new IOException("not an HTTP answer: '" + line + "'");
            }
            return Integer.parseInt(line.substring(9, 12));
        }
    }

    /** A PNG whose header declares {@code w x h} RGB pixels, with a few bytes of data. */
    static byte[] pngBomb(int w, int h) {
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) 8).put((byte) 2).put((byte) 0)
                .put((byte) 0).put((byte) 0);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        for (Object[] c : new Object[][] {{"IHDR", ihdr.array()}, {"IDAT", new byte[] {0x78, (byte) 0x9c, 0x63, 0, 0, 0,
                1, 0, 1}}, {"IEND", new byte[0]}}) {
            byte[] type = ((String) c[0]).getBytes(StandardCharsets.US_ASCII);
            byte[] data = (byte[]) c[1];
            CRC32 crc = new CRC32();
            crc.update(type);
            crc.update(data);
            out.writeBytes(ByteBuffer.allocate(12 + data.length).putInt(data.length).put(type).put(data)
                    .putInt((int) crc.getValue()).array());
        }
        return out.toByteArray();
    }

    // ---------------------------------------------------------------- wrk

    static String which(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            Path p = Path.of(dir, program);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }

    /** A JPEG and a wrk Lua script that POSTs it, with the command to run against a server started by hand. */
    static void writeWrkFiles(Path out, byte[] jpeg) throws IOException {
        Path img = Files.write(out.resolve("wrk-image.jpg"), jpeg);
        Path lua = Files.writeString(out.resolve("wrk-predict.lua"), """
                wrk.method = "POST"
                wrk.headers["Content-Type"] = "image/jpeg"
                local f = assert(io.open("%s", "rb"))
                wrk.body = f:read("*a")
                f:close()
                """.formatted(img.toAbsolutePath()));
        System.out.println("wrk files: " + lua + "; with a server running (./fastai4j serve MODEL --port 8080):\n"
                + "  wrk -t2 -c8 -d30s -s " + lua + " http://127.0.0.1:8080/predict");
    }
}

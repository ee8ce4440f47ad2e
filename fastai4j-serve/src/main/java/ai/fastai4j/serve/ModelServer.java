package ai.fastai4j.serve;

import ai.fastai4j.export.InferenceModel;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An HTTP server for an exported model ({@code .fai} file) that takes an image, a table row (tabular) or a
 * (user, item) row (collab), on an embedded Javalin (Jetty).
 *
 * <pre>{@code
 * try (ModelServer server = ModelServer.builder().model(Path.of("pets.fai")).port(8080).start()) {
 *     System.out.println("serving at " + server.url());
 *     server.awaitClose();
 * }
 * }</pre>
 *
 * <ul>
 *   <li>{@code POST /predict[?k=5]}: a multipart upload (field {@code file}), a raw body ({@code image/jpeg},
 *       {@code image/png}, {@code image/gif}, {@code image/bmp}) or JSON {@code {"image": "<base64>"}} (a
 *       {@code data:} URL is accepted too); answers {@code {"label", "probability", "top": [{"label",
 *       "probability"}...]}} with the {@code k} most probable classes.</li>
 *   <li>For a tabular or collab model, {@code POST /predict[?k=5]} takes {@code application/json}: {@code {"row":
 *       {"column": "value", ...}}} (values are strings, numbers or {@code null} for missing) answers like an image
 *       (or {@code {"value": v}} for regression), and {@code {"rows": [{...}, ...]}} (at most {@link
 *       Builder#maxRows} rows, run as one batch) answers {@code {"predictions": [...]}}. A row that is not an
 *       object, a value of another type, a missing column or an unknown user/item is a 422 naming it.</li>
 *   <li>{@code GET /health}: status, uptime, requests served, failures, queue.</li>
 *   <li>{@code GET /metadata}: categories, input (size and normalisation of an image; the columns of a row),
 *       architecture, versions, provenance.</li>
 *   <li>{@code GET /}: a self-contained web page to drop an image on and see the top classes (for a row model, a
 *       short text page on how to call it).</li>
 * </ul>
 *
 * <p>Every refusal is a JSON {@code {"error": "...", "status": n}}: 400 for an empty or malformed request, 413
 * for a body over the upload limit (a declared {@code Content-Length} over it is refused before anything is
 * read), 415 for an unsupported content type, 422 for bytes that are not a decodable image (truncated or corrupt
 * files, too many pixels), 503 when the queue is full or the server is shutting down. Nothing a client sends
 * stops the server from answering the next request.
 *
 * <p>Requests are read and images decoded in parallel on Jetty's threads; inference runs on {@link
 * Builder#workers} dedicated threads, each taking up to {@link Builder#maxBatch} waiting images at once as one
 * batch (see {@link Builder} for the defaults and why).
 *
 * <p>This class is the wiring (routes, counters, errors, shutdown); reading requests is {@link RequestDecoder}'s
 * job and each kind of model has its {@link ModelHandler}, chosen by {@link ModelKinds}.
 */
public final class ModelServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ModelServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final InferenceModel model;
    private final boolean ownsModel;
    private final int defaultTopK;
    private final int workers;
    private final String host;
    private final int maxBatch;
    private final ModelHandler handler;
    private final InferenceQueue<?, ?> queue;
    private final byte[] metadata;
    private final Javalin app;
    private final long startNanos = System.nanoTime();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong predictions = new AtomicLong();
    private final AtomicLong clientErrors = new AtomicLong();
    private final AtomicLong serverErrors = new AtomicLong();
    private final AtomicLong busy = new AtomicLong();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final ConnectionsPerClient connectionsPerClient;
    private final Object closeLock = new Object();
    private volatile boolean closing;
    private boolean closed;

    private ModelServer(Builder b, InferenceModel model, boolean ownsModel) {
        this.model = model;
        this.ownsModel = ownsModel;
        this.defaultTopK = b.defaultTopK;
        this.workers = b.workers;
        this.host = b.host;
        this.maxBatch = b.maxBatch;
        this.connectionsPerClient = new ConnectionsPerClient(b.maxConnectionsPerClient);
        ModelKinds.Kind kind = ModelKinds.of(model.manifest(), model.file());
        this.handler = kind.handler().apply(new HandlerContext(model,
                new RequestDecoder(b.maxUploadBytes, b.minRequestBytesPerSecond),
                b.maxPixels, b.maxModelPixels, b.decodeThreads, b.maxRows, b.workers, b.maxBatch, b.batchWindow.toNanos(), b.maxQueue,
                b.timeout.toMillis()));
        this.queue = handler.queue();
        try {
            this.metadata = json(Metadata.of(model, b.settings(), kind, handler));
        } catch (RuntimeException e) {
            queue.close(0);
            throw e;
        }
        QueuedThreadPool pool = new QueuedThreadPool(b.httpThreads, Math.min(4, b.httpThreads), 60_000);
        pool.setName("fastai4j-http");
        try {
            this.app = Javalin.create(cfg -> {
                cfg.showJavalinBanner = false;
                cfg.startupWatcherEnabled = false;
                cfg.http.maxRequestSize = b.maxUploadBytes;
                cfg.http.prefer405over404 = true;
                cfg.http.disableCompression();
                cfg.jetty.threadPool = pool;
                cfg.jetty.modifyServer(s -> s.setErrorHandler(new JsonErrorHandler()));
                cfg.jetty.modifyHttpConfiguration(h -> {
                    // answer as soon as the headers are in: an oversized declared body is refused before a byte of it
                    h.setDelayDispatchUntilContent(false);
                    // a body trickling in slower than this is cut with a 408, freeing its thread
                    h.setMinRequestDataRate(b.minRequestBytesPerSecond);
                });
            });
            app.get("/", handler::page);
            app.get("/index.html", handler::page);
            app.get("/health", this::health);
            app.get("/metadata", ctx -> send(ctx, 200, metadata));
            app.post("/predict", this::predict);
            app.exception(HttpResponseException.class, (e, ctx) -> error(ctx, e.getStatus(), e.getMessage()));
            app.exception(Exception.class, (e, ctx) -> {
                LOG.error("unexpected error on {} {}", ctx.method(), ctx.path(), e);
                error(ctx, 500, "internal error: " + e);
            });
            app.error(404, ctx -> error(ctx, 404, "no such page: " + ctx.method() + " " + ctx.path()
                    + " (try GET /, GET /health, GET /metadata, POST /predict)"));
            app.error(405, ctx -> error(ctx, 405, ctx.method() + " is not allowed on " + ctx.path()));
            app.start(b.host, b.port);
            for (Connector c : app.jettyServer().server().getConnectors()) {
                if (c instanceof AbstractConnector ac) {
                    ac.setIdleTimeout(b.idleTimeout.toMillis());
                    ac.addBean(connectionsPerClient);
                }
            }
        } catch (RuntimeException e) {
            queue.close(0);
            throw new IllegalStateException("cannot start the server on " + b.host + ":" + b.port + ": " + e.getMessage(),
                    e);
        }
    }

    /** A new builder; {@link Builder#model(Path)} or {@link Builder#model(InferenceModel)} is required. */
    public static Builder builder() {
        return new Builder();
    }

    // ---------------------------------------------------------------- endpoints

    private void health(Context ctx) {
        send(ctx, 200, json(stats().toJson()));
    }

    private void predict(Context ctx) {
        requests.incrementAndGet();
        inFlight.incrementAndGet();
        try {
            if (closing) {
                throw new ApiException(503, "the server is shutting down");
            }
            int k = RequestDecoder.topK(ctx.queryParam("k"), defaultTopK);
            JsonNode answer = handler.predict(ctx, k);
            if (answer != null) { // null: the handler wrote the response itself (a mask as PNG)
                send(ctx, 200, json(answer));
            }
            predictions.incrementAndGet();
        } catch (ApiException e) {
            (e.status() >= 500 ? busy : clientErrors).incrementAndGet();
            if (e.status() == 413 || e.status() == 408) {
                ctx.header("Connection", "close"); // the rest of the body is not read
            }
            if (e.status() == 503) {
                ctx.header("Retry-After", "1");
            }
            error(ctx, e.status(), e.getMessage());
        } catch (RuntimeException e) {
            serverErrors.incrementAndGet();
            LOG.error("prediction failed", e);
            error(ctx, 500, "internal error: " + e);
        } finally {
            inFlight.decrementAndGet();
        }
    }

    // ---------------------------------------------------------------- responses

    private static void error(Context ctx, int status, String message) {
        ObjectNode o = JSON.createObjectNode();
        o.put("error", message);
        o.put("status", status);
        send(ctx, status, json(o));
    }

    private static void send(Context ctx, int status, byte[] json) {
        ctx.status(status).contentType("application/json").result(json);
    }

    static byte[] json(JsonNode n) {
        try {
            return JSON.writeValueAsBytes(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------- state

    /**
     * The server's counters.
     *
     * @param status {@code ok}, or {@code closing} once {@link #close()} has begun
     * @param uptimeSeconds seconds since the server started
     * @param requests {@code POST /predict} requests received
     * @param predictions requests answered with a prediction (200)
     * @param failures requests refused: client errors + busy + server errors
     * @param clientErrors requests refused with a 4xx status
     * @param busy requests refused with 503 (queue full, timed out, shutting down)
     * @param serverErrors requests that failed with a 500 (a bug: none expected)
     * @param waiting images waiting for the model now
     * @param batches batches the model ran (a single image is a batch of one)
     * @param meanBatchSize images per batch on average
     * @param workers inference threads
     * @param maxBatch most images per batch
     */
    public record Stats(String status, double uptimeSeconds, long requests, long predictions, long failures,
            long clientErrors, long busy, long serverErrors, int waiting, long batches, double meanBatchSize,
            int workers, int maxBatch) {
        ObjectNode toJson() {
            return JSON.valueToTree(this);
        }
    }

    /** The counters now. */
    public Stats stats() {
        long b = queue.batches();
        long c = clientErrors.get();
        long bz = busy.get();
        long s = serverErrors.get();
        return new Stats(closing ? "closing" : "ok", (System.nanoTime() - startNanos) / 1e9, requests.get(),
                predictions.get(), c + bz + s, c, bz, s, queue.waiting(), b, b == 0 ? 0 : queue.items() / (double) b,
                workers, maxBatch);
    }

    /** The port the server listens on (the one chosen by the system when built with port 0). */
    public int port() {
        return app.port();
    }

    /** {@code http://host:port/}, with {@code localhost} for a server on all interfaces. */
    public String url() {
        String h = host;
        if (h == null || h.equals("0.0.0.0") || h.equals("::")) {
            h = "localhost";
        }
        return "http://" + (h.contains(":") ? "[" + h + "]" : h) + ":" + port() + "/";
    }

    /** The model being served. */
    public InferenceModel model() {
        return model;
    }

    /** Blocks until {@link #close()} has finished (from another thread or a shutdown hook). */
    public void awaitClose() throws InterruptedException {
        synchronized (closeLock) {
            while (!closed) {
                closeLock.wait();
            }
        }
    }

    /**
     * Stops gracefully: new predictions are refused with 503, those under way finish (up to 10 s), then the
     * HTTP server stops, the inference threads end, and the model is closed if the server loaded it.
     */
    @Override
    public void close() {
        synchronized (closeLock) {
            if (closed || closing) {
                return;
            }
            closing = true;
        }
        try {
            long deadline = System.currentTimeMillis() + 10_000;
            while (inFlight.get() > 0 && System.currentTimeMillis() < deadline) {
                Thread.sleep(10);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            app.stop();
        } finally {
            queue.close(5_000);
            if (ownsModel) {
                model.close();
            }
            synchronized (closeLock) {
                closed = true;
                closeLock.notifyAll();
            }
        }
    }

    // ---------------------------------------------------------------- configuration

    /**
     * Settings of a {@link ModelServer}. Defaults: host {@code 127.0.0.1}, port 8080, uploads up to 10 MiB, images
     * up to 40 megapixels, top 5 classes, inference on 1 thread in batches of up to 16 images gathered within
     * 2 ms, 64 images waiting at most, 30 s timeout.
     *
     * <p>Why batching by default: measured with {@code bench/ServeLoadBench} on 2 cores (ResNet-18 at 224 px, 8
     * clients), see bench/README.md. Parallel inference ({@code workers(2).maxBatch(1)}) is the alternative.
     */
    public static final class Builder {
        /** Default interface: loopback only. */
        public static final String DEFAULT_HOST = "127.0.0.1";
        /** Default port. */
        public static final int DEFAULT_PORT = 8080;
        /** Default upload limit in MiB. */
        public static final int DEFAULT_MAX_UPLOAD_MB = 10;
        /** Default image size limit in megapixels. */
        public static final int DEFAULT_MAX_MEGAPIXELS = 40;
        /** Default pixel budget of a model without a fixed input size: 512 x 512. */
        public static final long DEFAULT_MAX_MODEL_PIXELS = 512 * 512;
        /** Default number of classes in {@code top}. */
        public static final int DEFAULT_TOP_K = 5;
        /** Default number of inference threads. */
        public static final int DEFAULT_WORKERS = 1;
        /** Default largest batch. */
        public static final int DEFAULT_MAX_BATCH = 16;
        /** Default batching window in milliseconds. */
        public static final int DEFAULT_BATCH_WINDOW_MS = 2;
        /** Default queue bound. */
        public static final int DEFAULT_MAX_QUEUE = 64;
        /** Default most connections one client (IP address) holds open: half the HTTP threads. */
        public static final int DEFAULT_MAX_CONNECTIONS_PER_CLIENT = 16;
        /** Default slowest request body accepted, in bytes per second (averaged since its first byte). */
        public static final long DEFAULT_MIN_REQUEST_BYTES_PER_SECOND = 1024;
        /** Default time a connection may send nothing before it is closed, in seconds. */
        public static final int DEFAULT_IDLE_TIMEOUT_SECONDS = 10;
        /** Default largest number of rows in one {@code {"rows": [...]}} request. */
        public static final int DEFAULT_MAX_ROWS = 1000;

        private Path modelFile;
        private ai.djl.Device device;
        private InferenceModel model;
        private String host = DEFAULT_HOST;
        private int port = DEFAULT_PORT;
        private long maxUploadBytes = (long) DEFAULT_MAX_UPLOAD_MB << 20;
        private long maxPixels = DEFAULT_MAX_MEGAPIXELS * 1_000_000L;
        private long maxModelPixels = DEFAULT_MAX_MODEL_PIXELS;
        private int defaultTopK = DEFAULT_TOP_K;
        private int workers = DEFAULT_WORKERS;
        private int maxBatch = DEFAULT_MAX_BATCH;
        private Duration batchWindow = Duration.ofMillis(DEFAULT_BATCH_WINDOW_MS);
        private int maxQueue = DEFAULT_MAX_QUEUE;
        private int maxRows = DEFAULT_MAX_ROWS;
        private int httpThreads = 32;
        private int maxConnectionsPerClient = DEFAULT_MAX_CONNECTIONS_PER_CLIENT;
        private long minRequestBytesPerSecond = DEFAULT_MIN_REQUEST_BYTES_PER_SECOND;
        private Duration idleTimeout = Duration.ofSeconds(DEFAULT_IDLE_TIMEOUT_SECONDS);
        private int decodeThreads = Math.max(2, Runtime.getRuntime().availableProcessors());
        private Duration timeout = Duration.ofSeconds(30);

        private Builder() {}

        /** Serves this model file; the server loads it and closes it when it closes. */
        public Builder model(Path file) {
            this.modelFile = Objects.requireNonNull(file);
            this.model = null;
            return this;
        }

        /** Serves this loaded model; the caller keeps ownership (the server does not close it). */
        public Builder model(InferenceModel model) {
            this.model = Objects.requireNonNull(model);
            this.modelFile = null;
            return this;
        }

        /** Interface to listen on ({@code 127.0.0.1}; {@code 0.0.0.0} for all). */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host);
            return this;
        }

        /** Port to listen on; 0 lets the system choose a free one (read it back with {@link ModelServer#port()}). */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0..65535, got " + port);
            }
            this.port = port;
            return this;
        }

        /** Largest request body accepted, in bytes (default 10 MiB); larger ones get a 413. */
        public Builder maxUploadBytes(long bytes) {
            if (bytes < 1 || bytes > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("maxUploadBytes must be 1.." + (Integer.MAX_VALUE - 8) + ", got " + bytes);
            }
            this.maxUploadBytes = bytes;
            return this;
        }

        /** Largest image accepted, in pixels (width x height; default 40 million); checked before decoding. */
        public Builder maxPixels(long pixels) {
            if (pixels < 1) {
                throw new IllegalArgumentException("maxPixels must be positive, got " + pixels);
            }
            this.maxPixels = pixels;
            return this;
        }

        /**
         * Largest image given to a model without a fixed input size, in pixels (default 512 x 512): such a model runs
         * on the image at its own size, and its memory and time grow with the pixels (a 2000x2000 image took 9 GB
         * through a small CNN). A model that resizes its input (every vision learner's export does, to its training
         * size) costs the same for any image up to {@link #maxPixels}.
         */
        public Builder maxModelPixels(long pixels) {
            if (pixels < 1) {
                throw new IllegalArgumentException("maxModelPixels must be positive, got " + pixels);
            }
            this.maxModelPixels = pixels;
            return this;
        }

        /** Classes listed in {@code top} when the request gives no {@code ?k=} (default 5). */
        public Builder defaultTopK(int k) {
            this.defaultTopK = atLeast("defaultTopK", k, 1);
            return this;
        }

        /** Inference threads (default 1). Each runs the model on its own; libtorch's intra-op threads come on top. */
        public Builder workers(int n) {
            this.workers = atLeast("workers", n, 1);
            return this;
        }

        /**
         * Most images an inference thread runs as one batch (default 16, at most {@link InferenceModel#MAX_BATCH});
         * 1 turns batching off.
         */
        public Builder maxBatch(int n) {
            if (n < 1 || n > InferenceModel.MAX_BATCH) {
                throw new IllegalArgumentException("maxBatch must be 1.." + InferenceModel.MAX_BATCH + ", got " + n);
            }
            this.maxBatch = n;
            return this;
        }

        /** How long an inference thread waits for more images after the first of a batch (default 2 ms). */
        public Builder batchWindow(Duration window) {
            if (window.isNegative()) {
                throw new IllegalArgumentException("batchWindow must not be negative, got " + window);
            }
            this.batchWindow = window;
            return this;
        }

        /** Most images waiting for the model (default 64); more get a 503 with {@code Retry-After}. */
        public Builder maxQueue(int n) {
            this.maxQueue = atLeast("maxQueue", n, 1);
            return this;
        }

        /** Most rows in one {@code {"rows": [...]}} request of a row model (default 1000); more get a 413. */
        public Builder maxRows(int n) {
            this.maxRows = atLeast("maxRows", n, 1);
            return this;
        }

        private static int atLeast(String name, int value, int min) {
            if (value < min) {
                throw new IllegalArgumentException(name + " must be at least " + min + ", got " + value);
            }
            return value;
        }

        /** Jetty's thread pool size (default 32): requests read and decoded at once, plus a few for Jetty. */
        public Builder httpThreads(int n) {
            this.httpThreads = atLeast("httpThreads", n, 4);
            return this;
        }

        /**
         * Most connections one client (IP address) holds open at once (default 16, half the HTTP threads); more are
         * closed as they open, so that one client cannot occupy every thread.
         */
        public Builder maxConnectionsPerClient(int n) {
            this.maxConnectionsPerClient = atLeast("maxConnectionsPerClient", n, 1);
            return this;
        }

        /**
         * Slowest request body accepted, in bytes per second averaged since its first byte (default 1024); a slower
         * one gets a 408 and its connection is closed, freeing the thread that read it. 0 turns the check off.
         */
        public Builder minRequestBytesPerSecond(long rate) {
            if (rate < 0) {
                throw new IllegalArgumentException("minRequestBytesPerSecond must not be negative, got " + rate);
            }
            this.minRequestBytesPerSecond = rate;
            return this;
        }

        /** How long a connection may send nothing (between requests, or in a body) before it is closed (10 s). */
        public Builder idleTimeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("idleTimeout must be positive, got " + timeout);
            }
            this.idleTimeout = timeout;
            return this;
        }

        /** Images decoded at once (default: the number of cores, at least 2); bounds the memory of big images. */
        public Builder decodeThreads(int n) {
            this.decodeThreads = atLeast("decodeThreads", n, 1);
            return this;
        }

        /** How long a request waits for the model before a 503 (default 30 s). */
        public Builder timeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive, got " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /**
         * The device a model loaded from a file runs on (default: {@code FASTAI4J_DEVICE}, else the engine's
         * default); a model passed as an {@code InferenceModel} keeps its own.
         */
        public Builder device(ai.djl.Device d) {
            this.device = java.util.Objects.requireNonNull(d, "device");
            return this;
        }

        Map<String, Object> settings() {
            return Map.ofEntries(Map.entry("maxUploadBytes", maxUploadBytes), Map.entry("maxPixels", maxPixels),
                    Map.entry("maxModelPixels", maxModelPixels), Map.entry("defaultTopK", defaultTopK),
                    Map.entry("workers", workers), Map.entry("maxBatch", maxBatch),
                    Map.entry("batchWindowMs", batchWindow.toNanos() / 1e6), Map.entry("maxQueue", maxQueue),
                    Map.entry("maxRows", maxRows), Map.entry("maxConnectionsPerClient", maxConnectionsPerClient),
                    Map.entry("minRequestBytesPerSecond", minRequestBytesPerSecond),
                    Map.entry("idleTimeoutMs", idleTimeout.toMillis()));
        }

        /**
         * Loads the model (when given a file), checks it takes one image, table row or (user, item) row, and starts
         * listening.
         *
         * @throws IllegalArgumentException when no model is given or the model takes something else
         * @throws ai.fastai4j.export.ModelFileException when the model file cannot be loaded
         * @throws IllegalStateException when the port cannot be opened
         */
        public ModelServer start() {
            if (model == null && modelFile == null) {
                throw new IllegalArgumentException("no model: call model(Path) or model(InferenceModel)");
            }
            if (model != null) {
                return new ModelServer(this, model, false);
            }
            InferenceModel m = InferenceModel.load(modelFile, device);
            try {
                return new ModelServer(this, m, true);
            } catch (RuntimeException e) {
                m.close();
                throw e;
            }
        }
    }
}

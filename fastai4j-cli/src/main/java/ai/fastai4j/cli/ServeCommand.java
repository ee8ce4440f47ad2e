package ai.fastai4j.cli;

import ai.fastai4j.serve.ModelServer.Builder;
import ai.fastai4j.serve.ModelServer;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/** {@code fastai4j serve}: an HTTP server (JSON API and web page) for an exported model, until Ctrl-C. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serve an exported image, tabular or collab model (.fai file) over HTTP until Ctrl-C:",
            "  GET  /           a web page: drop an image, see the top classes",
            "  POST /predict    multipart (field 'file'), raw image/jpeg or image/png, or JSON {\"image\": \"<base64>\"};"
                    + " ?k=N for the top N classes",
            "                   tabular/collab: JSON {\"row\": {\"col\": \"value\", ...}} or {\"rows\": [...]}",
            "  GET  /health     status, uptime, requests served, failures",
            "  GET  /metadata   categories, input size, normalisation, architecture, provenance"})
final class ServeCommand implements Callable<Integer> {
    @Mixin
    DeviceOption device;

    @Parameters(index = "0", paramLabel = "MODEL", description = "Exported model file (.fai).")
    Path modelFile;

    @Option(names = "--port", defaultValue = "" + Builder.DEFAULT_PORT,
            description = "Port to listen on; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--host", defaultValue = Builder.DEFAULT_HOST,
            description = "Interface to listen on; 0.0.0.0 for all (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--max-upload-mb", defaultValue = "" + Builder.DEFAULT_MAX_UPLOAD_MB,
            description = "Largest upload in MiB; larger ones are refused with 413 (default: ${DEFAULT-VALUE}).")
    double maxUploadMb;

    @Option(names = "--max-megapixels", defaultValue = "" + Builder.DEFAULT_MAX_MEGAPIXELS,
            description = "Largest image in megapixels, checked before decoding (default: ${DEFAULT-VALUE}).")
    double maxMegapixels;

    @Option(names = "--max-pixels", defaultValue = "" + Builder.DEFAULT_MAX_MODEL_PIXELS,
            description = "Pixel budget of a model without a fixed input size (one exported before sizes were recorded):"
                    + " larger images are refused with 422, as its cost grows with the pixels (default: ${DEFAULT-VALUE},"
                    + " 512x512). A model that resizes its input costs the same for any image.")
    long maxModelPixels;

    @Option(names = "--max-connections-per-client", defaultValue = "" + Builder.DEFAULT_MAX_CONNECTIONS_PER_CLIENT,
            description = "Most connections one IP address holds open; more are closed (default: ${DEFAULT-VALUE}).")
    int maxConnectionsPerClient;

    @Option(names = "--top", defaultValue = "" + Builder.DEFAULT_TOP_K,
            description = "Classes listed when a request gives no ?k= (default: ${DEFAULT-VALUE}).")
    int top;

    @Option(names = "--workers", defaultValue = "" + Builder.DEFAULT_WORKERS,
            description = "Inference threads (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--max-batch", defaultValue = "" + Builder.DEFAULT_MAX_BATCH,
            description = "Most waiting images run as one batch; 1 turns batching off (default: ${DEFAULT-VALUE}).")
    int maxBatch;

    @Option(names = "--batch-window-ms", defaultValue = "" + Builder.DEFAULT_BATCH_WINDOW_MS,
            description = "How long to wait for more images to batch after the first (default: ${DEFAULT-VALUE}).")
    double batchWindowMs;

    @Option(names = "--max-queue", defaultValue = "" + Builder.DEFAULT_MAX_QUEUE,
            description = "Most images waiting for the model; more are refused with 503 (default: ${DEFAULT-VALUE}).")
    int maxQueue;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        if (!Files.isRegularFile(modelFile)) {
            throw new ModelFileException("model file " + modelFile + " does not exist", null);
        }
        Builder b;
        try {
            b = ModelServer.builder().host(host).port(port).maxUploadBytes(Math.round(maxUploadMb * 1048576))
                    .maxPixels(Math.round(maxMegapixels * 1e6)).defaultTopK(top).workers(workers).maxBatch(maxBatch)
                    .batchWindow(Duration.ofNanos(Math.round(batchWindowMs * 1e6))).maxQueue(maxQueue)
                    .maxModelPixels(maxModelPixels).maxConnectionsPerClient(maxConnectionsPerClient)
                    .model(modelFile);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        ModelServer server;
        try {
            server = b.start();
        } catch (ai.fastai4j.export.ModelFileException | IllegalArgumentException e) {
            throw new ModelFileException("cannot serve " + modelFile + ": " + e.getMessage(), e);
        }
        PrintWriter out = spec.commandLine().getOut();
        Thread hook = new Thread(() -> {
            out.println("fastai4j: stopping (finishing the requests under way)...");
            out.flush();
            server.close();
            ModelServer.Stats s = server.stats();
            out.printf("fastai4j: stopped after %d requests (%d predictions, %d refused)%n", s.requests(),
                    s.predictions(), s.failures());
            out.flush();
        }, "fastai4j-serve-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        out.printf("Serving %s (%d classes) at %s  (Ctrl-C to stop)%n", modelFile, server.model().vocab().size(),
                server.url());
        out.flush();
        server.awaitClose();
        return 0;
    }
}

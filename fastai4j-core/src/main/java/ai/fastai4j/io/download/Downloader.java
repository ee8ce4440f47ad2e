package ai.fastai4j.io.download;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** Copies an http(s) or {@code classpath:} URI to a file, with an optional console progress bar. */
public final class Downloader {
    /** URI scheme for resources on the class path, e.g. {@code classpath:ai/fastai4j/x.zip}. */
    public static final String CLASSPATH_SCHEME = "classpath";

    private static volatile HttpClient client;

    private Downloader() {
    }

    /**
     * Writes the content at {@code uri} to {@code target} (replaced if present).
     *
     * @param expectedSize size for the progress bar when the server sends none (-1 if unknown)
     * @param progress whether to draw a progress bar on stderr
     */
    public static void copy(URI uri, Path target, long expectedSize, boolean progress) throws IOException {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
        switch (scheme) {
            case CLASSPATH_SCHEME -> {
                try (InputStream in = openClasspath(uri.getSchemeSpecificPart())) {
                    write(in, target, expectedSize, false, uri);
                }
            }
            case "http", "https" -> copyHttp(uri, target, expectedSize, progress);
            case "file" -> {
                try (InputStream in = Files.newInputStream(Path.of(uri))) {
                    write(in, target, expectedSize, progress, uri);
                }
            }
            default -> throw new IOException("unsupported URI scheme: " + uri);
        }
    }

    /** Opens a class path resource through the context class loader, then this library's loader. */
    public static InputStream openClasspath(String name) throws IOException {
        String n = name.startsWith("/") ? name.substring(1) : name;
        URL url = null;
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        if (context != null) {
            url = context.getResource(n);
        }
        if (url == null) {
            ClassLoader own = Downloader.class.getClassLoader();
            url = own == null ? ClassLoader.getSystemResource(n) : own.getResource(n);
        }
        if (url == null) {
            throw new FileNotFoundException("class path resource " + n + " not found");
        }
        return url.openStream();
    }

    private static void copyHttp(URI uri, Path target, long expectedSize, boolean progress) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(Duration.ofSeconds(60))
                .header("User-Agent", "fastai4j")
                .GET()
                .build();
        HttpResponse<InputStream> response;
        try {
            response = httpClient().send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while downloading " + uri, e);
        }
        try (InputStream body = response.body()) {
            if (response.statusCode() != 200) {
                throw new IOException("HTTP " + response.statusCode() + " from " + uri);
            }
            long length = response.headers().firstValueAsLong("Content-Length").orElse(expectedSize);
            write(body, target, length, progress, uri);
        }
    }

    private static void write(InputStream in, Path target, long length, boolean progress, URI uri)
            throws IOException {
        try (OutputStream out = Files.newOutputStream(target)) {
            if (!progress) {
                in.transferTo(out);
                return;
            }
            ProgressBarBuilder builder = new ProgressBarBuilder()
                    .setTaskName(lastSegment(uri))
                    .setInitialMax(length > 0 ? length : -1)
                    .setUnit("MiB", 1 << 20)
                    .setStyle(ProgressBarStyle.ASCII)
                    .setUpdateIntervalMillis(250)
                    .showSpeed()
                    .setConsumer(new ConsoleProgressBarConsumer(System.err, 100));
            try (ProgressBar bar = builder.build()) {
                byte[] buf = new byte[1 << 16];
                for (int n; (n = in.read(buf)) > 0; ) {
                    out.write(buf, 0, n);
                    bar.stepBy(n);
                }
            }
        }
    }

    private static HttpClient httpClient() {
        HttpClient c = client;
        if (c == null) {
            synchronized (Downloader.class) {
                c = client;
                if (c == null) {
                    c = HttpClient.newBuilder()
                            .connectTimeout(Duration.ofSeconds(30))
                            .followRedirects(HttpClient.Redirect.NORMAL)
                            .build();
                    client = c;
                }
            }
        }
        return c;
    }

    private static String lastSegment(URI uri) {
        String s = uri.isOpaque() ? uri.getSchemeSpecificPart() : uri.getPath();
        return s == null || s.isEmpty() ? uri.toString() : s.substring(s.lastIndexOf('/') + 1);
    }
}

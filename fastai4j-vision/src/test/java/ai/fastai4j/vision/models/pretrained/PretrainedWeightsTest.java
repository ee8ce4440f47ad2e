package ai.fastai4j.vision.models.pretrained;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.fastai4j.data.external.ExternalData;
import ai.fastai4j.io.download.ChecksumMismatchException;
import ai.fastai4j.vision.models.Arch;
import ai.fastai4j.vision.models.pretrained.PretrainedWeights.Config;
import ai.fastai4j.vision.models.pretrained.PretrainedWeights.Spec;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PretrainedWeightsTest {
    @TempDir
    Path dir;

    private HttpServer server;
    private final Map<String, byte[]> served = new ConcurrentHashMap<>();
    private final AtomicInteger requests = new AtomicInteger();
    private URI base;

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/models/", exchange -> {
            requests.incrementAndGet();
            String name = exchange.getRequestURI().getPath().substring("/models/".length());
            byte[] body = served.get(name);
            if (body == null) {
                exchange.sendResponseHeaders(404, -1);
            } else {
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
            exchange.close();
        });
        server.start();
        base = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/models/");
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    private static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    /** A spec whose URL is on the local server and whose hash prefix is that of {@code content}. */
    private Spec localSpec(String stem, byte[] content) throws Exception {
        String prefix = sha256(content).substring(0, 8);
        String name = stem + "-" + prefix + ".pth";
        served.put(name, content);
        return new Spec(Arch.RESNET18, "TEST", base.resolve(name), prefix, 0, 0);
    }

    private Config config() {
        return Config.of(dir.resolve("cache"));
    }

    @Test
    void registryHasTorchvisionsUrlsAndHashPrefixes() {
        assertEquals(8, PretrainedWeights.registry().size());
        assertEquals(URI.create("https://download.pytorch.org/models/resnet18-f37072fd.pth"),
                PretrainedWeights.RESNET18_IMAGENET1K_V1.url());
        assertEquals("f37072fd", PretrainedWeights.RESNET18_IMAGENET1K_V1.sha256Prefix());
        assertEquals("b627a593", PretrainedWeights.RESNET34_IMAGENET1K_V1.sha256Prefix());
        assertEquals("0676ba61", PretrainedWeights.RESNET50_IMAGENET1K_V1.sha256Prefix());
        assertEquals("11ad3fa6", PretrainedWeights.RESNET50_IMAGENET1K_V2.sha256Prefix());
        for (Spec s : PretrainedWeights.registry()) {
            assertTrue(s.fileName().matches("resnet\\d+-" + s.sha256Prefix() + "\\.pth"), s.toString());
            assertTrue(s.url().toString().startsWith(PretrainedWeights.TORCHVISION_BASE), s.toString());
            assertTrue(s.fileName().startsWith(s.arch().name().toLowerCase(java.util.Locale.ROOT) + "-"));
            assertArrayEquals(new float[] {0.485f, 0.456f, 0.406f}, s.mean());
            assertArrayEquals(new float[] {0.229f, 0.224f, 0.225f}, s.std());
        }
        // torchvision's DEFAULT, which fastai's model_meta asks for
        assertEquals(PretrainedWeights.RESNET18_IMAGENET1K_V1, PretrainedWeights.defaultFor(Arch.RESNET18));
        assertEquals(PretrainedWeights.RESNET34_IMAGENET1K_V1, PretrainedWeights.defaultFor(Arch.RESNET34));
        assertEquals(PretrainedWeights.RESNET50_IMAGENET1K_V2, PretrainedWeights.defaultFor(Arch.RESNET50));
        assertEquals(PretrainedWeights.RESNET50_IMAGENET1K_V1,
                PretrainedWeights.find(Arch.RESNET50, "imagenet1k_v1").orElseThrow());
        assertEquals(PretrainedWeights.RESNET50_IMAGENET1K_V2, PretrainedWeights.find(Arch.RESNET50, "DEFAULT").orElseThrow());
        assertTrue(PretrainedWeights.find(Arch.SIMPLE_CNN, "DEFAULT").isEmpty());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PretrainedWeights.defaultFor(Arch.SMALL_RESNET));
        assertTrue(e.getMessage().contains("no pretrained weights are published for SMALL_RESNET"), e.getMessage());
    }

    @Test
    void downloadsVerifiesAndCaches() throws Exception {
        byte[] content = randomBytes(300_000, 1);
        Spec spec = localSpec("resnet18", content);
        Path got = PretrainedWeights.fetch(spec, config().withProgress(true));
        assertEquals(dir.resolve("cache").resolve(spec.fileName()), got);
        assertArrayEquals(content, Files.readAllBytes(got));
        assertEquals(1, requests.get());
        assertEquals(got, PretrainedWeights.fetch(spec, config()), "second call uses the cache");
        assertEquals(1, requests.get(), "no second download");
        try (Stream<Path> s = Files.list(dir.resolve("cache"))) {
            assertEquals(List.of(got), s.toList(), "no temporary files left");
        }
    }

    @Test
    void refusesADownloadWithTheWrongHash() throws Exception {
        // a mirror serving something else under torchvision's file name
        served.put("resnet18-f37072fd.pth", randomBytes(1000, 2));
        Config c = config().withMirror(base);
        ChecksumMismatchException e = assertThrows(ChecksumMismatchException.class,
                () -> PretrainedWeights.fetch(PretrainedWeights.RESNET18_IMAGENET1K_V1, c));
        assertTrue(e.getMessage().contains("resnet18-f37072fd.pth"), e.getMessage());
        assertTrue(e.getMessage().contains("expected f37072fd"), e.getMessage());
        assertEquals("f37072fd", e.expected());
        try (Stream<Path> s = Files.list(dir.resolve("cache"))) {
            assertEquals(0, s.count(), "the bad download is deleted");
        }
    }

    @Test
    void replacesACorruptCachedCopy() throws Exception {
        byte[] content = randomBytes(5000, 3);
        Spec spec = localSpec("resnet34", content);
        Files.createDirectories(dir.resolve("cache"));
        Files.write(dir.resolve("cache").resolve(spec.fileName()), new byte[] {1, 2, 3});
        Path got = PretrainedWeights.fetch(spec, config());
        assertArrayEquals(content, Files.readAllBytes(got));
        assertEquals(1, requests.get());
    }

    @Test
    void usesAVerifiedFileInPyTorchsHubCache() throws Exception {
        byte[] content = randomBytes(5000, 4);
        Spec spec = localSpec("resnet50", content);
        served.clear(); // the network has nothing: the file must come from the hub cache
        Path hub = Files.createDirectories(dir.resolve("torch/hub/checkpoints"));
        Files.write(hub.resolve(spec.fileName()), content);
        assertEquals(hub.resolve(spec.fileName()),
                PretrainedWeights.fetch(spec, config().withReadOnlyCaches(List.of(hub))));
        assertEquals(0, requests.get());
        // a wrong file there is ignored, not deleted (not ours)
        Files.write(hub.resolve(spec.fileName()), new byte[] {9});
        Config offline = config().withReadOnlyCaches(List.of(hub)).withOffline(true);
        assertThrows(WeightsUnavailableException.class, () -> PretrainedWeights.fetch(spec, offline));
        assertTrue(Files.exists(hub.resolve(spec.fileName())));
    }

    @Test
    void localOverrideFileOrFolderWinsAndIsNotVerified() throws Exception {
        Spec spec = localSpec("resnet18", randomBytes(1000, 5));
        Path mine = Files.write(dir.resolve("my-finetuned.pth"), new byte[] {1, 2, 3});
        assertEquals(mine, PretrainedWeights.fetch(spec, config().withOverrides(List.of(mine))));
        Path folder = Files.createDirectories(dir.resolve("weights"));
        Files.write(folder.resolve(spec.fileName()), new byte[] {4, 5});
        assertEquals(folder.resolve(spec.fileName()),
                PretrainedWeights.fetch(spec, config().withOverrides(List.of(dir.resolve("nothing-here"), folder))));
        assertEquals(0, requests.get());
    }

    @Test
    void overridesAndCacheComeFromTheSameSettingsAsDatasets() throws Exception {
        Path home = dir.resolve("home");
        Path file = Files.write(dir.resolve("w.pth"), new byte[] {1});
        System.setProperty(ExternalData.HOME_PROPERTY, home.toString());
        System.setProperty(PretrainedWeights.WEIGHTS_PROPERTY, file + java.io.File.pathSeparator + dir);
        System.setProperty(ExternalData.OFFLINE_PROPERTY, "true");
        System.setProperty(PretrainedWeights.MIRROR_PROPERTY, "http://mirror.example/models");
        try {
            Config c = Config.fromEnvironment();
            assertEquals(home.resolve("models").toAbsolutePath(), c.cacheRoot());
            assertEquals(List.of(file, dir), c.overrides());
            assertTrue(c.offline());
            assertEquals(URI.create("http://mirror.example/models/resnet18-f37072fd.pth"),
                    c.downloadUrl(PretrainedWeights.RESNET18_IMAGENET1K_V1));
            assertEquals(file, PretrainedWeights.fetch(PretrainedWeights.RESNET34_IMAGENET1K_V1));
        } finally {
            System.clearProperty(ExternalData.HOME_PROPERTY);
            System.clearProperty(PretrainedWeights.WEIGHTS_PROPERTY);
            System.clearProperty(ExternalData.OFFLINE_PROPERTY);
            System.clearProperty(PretrainedWeights.MIRROR_PROPERTY);
        }
    }

    @Test
    void offlineGivesAClearMessage() {
        Config c = config().withOffline(true);
        WeightsUnavailableException e = assertThrows(WeightsUnavailableException.class,
                () -> PretrainedWeights.fetch(PretrainedWeights.RESNET34_IMAGENET1K_V1, c));
        String m = e.getMessage();
        assertTrue(m.contains("RESNET34 IMAGENET1K_V1 (resnet34-b627a593.pth) are not available"), m);
        assertTrue(m.contains("downloads are off"), m);
        assertTrue(m.contains("https://download.pytorch.org/models/resnet34-b627a593.pth"), m);
        assertTrue(m.contains(dir.resolve("cache").resolve("resnet34-b627a593.pth").toString()), m);
        assertTrue(m.contains("-Dfastai4j.weights=<path>") && m.contains("FASTAI4J_WEIGHTS"), m);
        assertTrue(m.contains("unset fastai4j.offline"), m);
        assertEquals(0, requests.get());
    }

    @Test
    void unreachableServerSaysTheMachineSeemsOffline() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        Config c = config().withMirror(URI.create("http://127.0.0.1:" + closedPort + "/models/"));
        WeightsUnavailableException e = assertThrows(WeightsUnavailableException.class,
                () -> PretrainedWeights.fetch(PretrainedWeights.RESNET18_IMAGENET1K_V1, c));
        assertTrue(e.getMessage().contains("cannot reach 127.0.0.1"), e.getMessage());
        assertTrue(e.getMessage().contains("offline"), e.getMessage());
        assertTrue(e.getMessage().contains("To fix, download https://download.pytorch.org/models/resnet18-f37072fd.pth"),
                e.getMessage());
        assertFalse(Files.exists(dir.resolve("cache").resolve("resnet18-f37072fd.pth")));
    }

    @Test
    void httpErrorIsReported() {
        Config c = config().withMirror(base); // serves nothing: 404
        WeightsUnavailableException e = assertThrows(WeightsUnavailableException.class,
                () -> PretrainedWeights.fetch(PretrainedWeights.RESNET50_IMAGENET1K_V2, c));
        assertTrue(e.getMessage().contains("HTTP 404"), e.getMessage());
        assertTrue(e.getMessage().contains("resnet50-11ad3fa6.pth"), e.getMessage());
    }
}

package ai.fastai4j.data.external;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.fastai4j.data.external.DatasetSpec.Resource;
import ai.fastai4j.io.download.ArchivesTest;
import ai.fastai4j.io.download.ChecksumMismatchException;
import ai.fastai4j.io.download.Checksums;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExternalDataTest {

    @TempDir
    Path tmp;

    private HttpServer server;
    private final Map<String, byte[]> served = new ConcurrentHashMap<>();
    private final AtomicInteger requests = new AtomicInteger();

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            byte[] body = served.get(exchange.getRequestURI().getPath());
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
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    private URI url(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    private Path cache() {
        return tmp.resolve("home/data");
    }

    private ExternalData.Config config(Path... dataFolders) {
        return ExternalData.Config.of(List.of(dataFolders), cache());
    }

    private static DatasetSpec twoFiles(URI a, URI b, String shaA, String shaB) {
        return DatasetSpec.files("Two files", "two_files", List.of(
                new Resource("a.gz", List.of(a), -1, shaA, null),
                new Resource("b.gz", List.of(b), -1, shaB, null)));
    }

    private Path servedTgz() throws IOException {
        Path archive = ArchivesTest.tgz(tmp.resolve("ds.tgz"), ArchivesTest.sampleEntries());
        served.put("/files/ds.tgz", Files.readAllBytes(archive));
        return archive;
    }

    private List<Path> leftovers() throws IOException {
        if (!Files.isDirectory(cache())) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(cache())) {
            return s.filter(p -> p.getFileName().toString().startsWith(".")).toList();
        }
    }

    @Test
    void resolvesFromLocalDataFolderFirst() throws IOException {
        Path local = tmp.resolve("local");
        Files.createDirectories(local.resolve("two_files"));
        Files.writeString(local.resolve("two_files/a.gz"), "A");
        Files.writeString(local.resolve("two_files/b.gz"), "B");
        Path empty = tmp.resolve("empty");
        Files.createDirectories(empty);
        // Wrong checksums and unreachable URLs: a local copy is used as it is, never fetched or verified.
        DatasetSpec spec = twoFiles(url("/nope/a.gz"), url("/nope/b.gz"), "1".repeat(64), "2".repeat(64));
        ExternalData.Config cfg = config(empty, local).withOffline(true);
        assertEquals(local.resolve("two_files"), ExternalData.untarData(spec, cfg));
        assertEquals(local.resolve("two_files"), ExternalData.path(spec, cfg));
        assertEquals(0, requests.get());
    }

    @Test
    void incompleteLocalFolderIsSkippedAndReported() throws IOException {
        Path local = tmp.resolve("local");
        Files.createDirectories(local.resolve("two_files"));
        Files.writeString(local.resolve("two_files/a.gz"), "A");
        DatasetSpec spec = twoFiles(url("/x/a.gz"), url("/x/b.gz"), null, null);
        ExternalData.Config cfg = config(local).withOffline(true);
        assertTrue(ExternalData.find(spec, cfg).isEmpty());
        assertEquals(cache().resolve("two_files"), ExternalData.path(spec, cfg));
        DatasetUnavailableException e = assertThrows(DatasetUnavailableException.class,
                () -> ExternalData.untarData(spec, cfg));
        assertTrue(e.getMessage().contains("missing b.gz"), e.getMessage());
    }

    @Test
    void clearErrorWhenNothingFoundAndOffline() {
        Path local = tmp.resolve("nowhere");
        DatasetSpec spec = DatasetSpec.archive("Pets test", "pets_test",
                Resource.md5(url("/files/pets_test.tgz"), 10, "0".repeat(32)));
        DatasetUnavailableException e = assertThrows(DatasetUnavailableException.class,
                () -> ExternalData.untarData(spec, config(local).withOffline(true)));
        String m = e.getMessage();
        assertTrue(m.contains("\"Pets test\""), m);
        assertTrue(m.contains("downloads are off"), m);
        assertTrue(m.contains(local.resolve("pets_test").toString()), m);
        assertTrue(m.contains(cache().resolve("pets_test").toString()), m);
        assertTrue(m.contains(url("/files/pets_test.tgz").toString()), m);
        assertTrue(m.contains(ExternalData.DATA_ENV) && m.contains(ExternalData.DATA_PROPERTY), m);
        assertTrue(m.contains(ExternalData.OFFLINE_ENV), m);
        assertEquals(0, requests.get());
    }

    @Test
    void downloadsVerifiesAndExtractsArchive() throws IOException {
        Path archive = servedTgz();
        DatasetSpec spec = DatasetSpec.archive("Test archive", "ds_test", new Resource("ds.tgz",
                List.of(url("/files/ds.tgz")), Files.size(archive), Checksums.sha256(archive), null));
        Path got = ExternalData.untarData(spec, config());
        // the archive's single top folder "ds" becomes the dataset folder
        assertEquals(cache().resolve("ds_test"), got);
        assertEquals("one", Files.readString(got.resolve("train/a/1.txt")));
        assertEquals("two", Files.readString(got.resolve("valid/b/2.txt")));
        assertEquals(List.of(), leftovers());
        // second call: from the cache, no new request, even offline
        int before = requests.get();
        assertEquals(got, ExternalData.untarData(spec, config().withOffline(true)));
        assertEquals(before, requests.get());
    }

    @Test
    void downloadsPlainFilesAndFallsBackToMirror() throws IOException {
        served.put("/m/a.gz", new byte[] {1, 2, 3});
        served.put("/m/b.gz", new byte[] {4, 5});
        Path a = Files.write(tmp.resolve("a"), new byte[] {1, 2, 3});
        Path b = Files.write(tmp.resolve("b"), new byte[] {4, 5});
        DatasetSpec spec = DatasetSpec.files("Mirrored", "mirrored", List.of(
                new Resource("a.gz", List.of(url("/missing/a.gz"), url("/m/a.gz")), 3, Checksums.sha256(a), null),
                new Resource("b.gz", List.of(url("/m/b.gz")), 2, Checksums.sha256(b), null)));
        Path got = ExternalData.untarData(spec, config().withProgress(true));
        assertEquals(cache().resolve("mirrored"), got);
        assertEquals(3, Files.size(got.resolve("a.gz")));
        assertEquals(2, Files.size(got.resolve("b.gz")));
        assertEquals(List.of(), leftovers());
    }

    @Test
    void wrongChecksumIsRefused() throws IOException {
        Path archive = servedTgz();
        DatasetSpec spec = DatasetSpec.archive("Tampered", "tampered", new Resource("ds.tgz",
                List.of(url("/files/ds.tgz")), Files.size(archive), "ab".repeat(32), null));
        ChecksumMismatchException e = assertThrows(ChecksumMismatchException.class,
                () -> ExternalData.untarData(spec, config()));
        assertTrue(e.getMessage().contains("SHA-256 mismatch for ds.tgz"), e.getMessage());
        assertTrue(e.getMessage().contains(url("/files/ds.tgz").toString()), e.getMessage());
        assertFalse(Files.exists(cache().resolve("tampered")));
        assertEquals(List.of(), leftovers());
    }

    @Test
    void httpErrorGivesClearMessage() {
        DatasetSpec spec = twoFiles(url("/gone/a.gz"), url("/gone/b.gz"), null, null);
        DatasetUnavailableException e = assertThrows(DatasetUnavailableException.class,
                () -> ExternalData.untarData(spec, config()));
        assertTrue(e.getMessage().contains("HTTP 404"), e.getMessage());
        assertTrue(e.getMessage().contains("\"Two files\""), e.getMessage());
    }

    @Test
    void archiveWithTraversalIsRefusedAndNothingIsLeft() throws IOException {
        Path archive = ArchivesTest.tgz(tmp.resolve("evil.tgz"), Map.of("../evil", "x"));
        served.put("/files/evil.tgz", Files.readAllBytes(archive));
        DatasetSpec spec = DatasetSpec.archive("Evil", "evil_ds", new Resource("evil.tgz",
                List.of(url("/files/evil.tgz")), -1, Checksums.sha256(archive), null));
        DatasetUnavailableException e = assertThrows(DatasetUnavailableException.class,
                () -> ExternalData.untarData(spec, config()));
        assertTrue(e.getMessage().contains("refusing unsafe entry"), e.getMessage());
        assertFalse(Files.exists(cache().resolve("evil_ds")));
        assertFalse(Files.exists(cache().resolve("evil")));
        assertEquals(List.of(), leftovers());
    }

    @Test
    void extractsClasspathResourceOffline() throws Exception {
        Path jarRoot = tmp.resolve("cp");
        Path zip = jarRoot.resolve("some/pkg/sample.zip");
        Files.createDirectories(zip.getParent());
        ArchivesTest.zip(zip, ArchivesTest.sampleEntries());
        DatasetSpec spec = DatasetSpec.archive("Embedded", "embedded", new Resource("sample.zip",
                List.of(URI.create("classpath:some/pkg/sample.zip")), Files.size(zip), Checksums.sha256(zip), null));
        ClassLoader saved = Thread.currentThread().getContextClassLoader();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jarRoot.toUri().toURL()}, saved)) {
            Thread.currentThread().setContextClassLoader(loader);
            Path got = ExternalData.untarData(spec, config().withOffline(true));
            assertEquals("one", Files.readString(got.resolve("train/a/1.txt")));
        } finally {
            Thread.currentThread().setContextClassLoader(saved);
        }
    }

    @Test
    void missingClasspathResourceNamesTheModule() {
        DatasetSpec spec = DatasetSpec.archive("Embedded", "embedded2", new Resource("nothing.zip",
                List.of(URI.create("classpath:no/such/nothing.zip")), -1, null, null));
        DatasetUnavailableException e = assertThrows(DatasetUnavailableException.class,
                () -> ExternalData.untarData(spec, config().withOffline(true)));
        assertTrue(e.getMessage().contains("no/such/nothing.zip not found"), e.getMessage());
        assertTrue(e.getMessage().contains("class path"), e.getMessage());
    }

    @Test
    void configFromEnvironmentReadsProperties() {
        String[] keys = {ExternalData.DATA_PROPERTY, ExternalData.HOME_PROPERTY, ExternalData.OFFLINE_PROPERTY};
        String[] saved = new String[keys.length];
        for (int i = 0; i < keys.length; i++) {
            saved[i] = System.getProperty(keys[i]);
        }
        try {
            System.setProperty(ExternalData.DATA_PROPERTY, tmp.resolve("d1") + java.io.File.pathSeparator + tmp.resolve("d2"));
            System.setProperty(ExternalData.HOME_PROPERTY, tmp.resolve("h").toString());
            System.setProperty(ExternalData.OFFLINE_PROPERTY, "true");
            ExternalData.Config c = ExternalData.Config.fromEnvironment();
            assertEquals(List.of(tmp.resolve("d1"), tmp.resolve("d2")), c.dataFolders());
            assertEquals(tmp.resolve("h/data"), c.cacheRoot());
            assertTrue(c.offline());
        } finally {
            for (int i = 0; i < keys.length; i++) {
                if (saved[i] == null) {
                    System.clearProperty(keys[i]);
                } else {
                    System.setProperty(keys[i], saved[i]);
                }
            }
        }
    }
}

package ai.fastai4j.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.fastai4j.data.CsvTable;
import ai.fastai4j.data.DataException;
import ai.fastai4j.export.InferenceModel;
import ai.fastai4j.export.ModelExport;
import ai.fastai4j.export.ModelFile;
import ai.fastai4j.export.ModelFileException;
import ai.fastai4j.io.Safetensors;
import ai.fastai4j.io.WeightsFormatException;
import ai.fastai4j.io.torch.TorchStateDictReader;
import ai.fastai4j.tabular.Table;
import ai.fastai4j.tabular.TabularConfig;
import ai.fastai4j.tabular.TabularDataLoaders;
import ai.fastai4j.tabular.TabularLearner;
import ai.fastai4j.tabular.TabularLearners;
import ai.fastai4j.vision.ImageFiles;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Fuzz targets for everything that reads what a user or client hands over: the model file's manifest, safetensors
 * weights, the pickle of a {@code .pth}, image bytes, CSV files, and the server's requests (image uploads in their
 * three forms, table rows). Each target accepts only the readers' documented refusals; any other exception, a
 * server error (5xx) or a crash is a finding.
 *
 * <p>In every build ({@code ./mvnw verify}) Jazzer replays the seed corpora in {@code
 * src/test/resources/ai/fastai4j/serve/ReadersFuzzTestInputs/<target>/} (real files: a model manifest, safetensors
 * and pickles written by PyTorch, Fashion-MNIST images in five formats, CSVs, request bodies) in seconds. The long
 * run fuzzes one target at a time, new findings landing in that folder:
 *
 * <pre>{@code
 * JAZZER_FUZZ=1 ./mvnw -o -pl fastai4j-serve -am test -Dtest='ReadersFuzzTest#pickle' \
 *     -Dsurefire.failIfNoSpecifiedTests=false
 * }</pre>
 * (targets: manifest, safetensors, pickle, image, csv, request, rows; each runs for its {@code maxDuration}, 2
 * minutes: raise it in the annotation for a longer run).
 */
class ReadersFuzzTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String[] REQUEST_TYPES = {"image/png", ModelServerTest.multipartType(), "application/json",
        "image/jpeg", "text/plain", null};

    /** A real model file's weights and temporary folder, and the servers, made on first use. */
    private static final class Fixtures {
        static final Path DIR;
        static final byte[] WEIGHTS;
        static final NDManager MANAGER = NDManager.newBaseManager();

        static {
            try {
                DIR = Files.createTempDirectory("fastai4j-fuzz");
                try (ZipFile z = new ZipFile(TinyModel.export(DIR, 0).toFile())) {
                    WEIGHTS = z.getInputStream(z.getEntry(ModelFile.WEIGHTS_ENTRY)).readAllBytes();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static final class ImageServer {
        static final ModelServer SERVER = ModelServer.builder()
                .model(InferenceModel.load(Fixtures.DIR.resolve("colours.fai"))).port(0).start();
    }

    private static final class RowsServer {
        static final ModelServer SERVER = ModelServer.builder().model(InferenceModel.load(tabularModel())).port(0)
                .start();
    }

    private static Path write(String name, byte[] bytes) throws IOException {
        return Files.write(Fixtures.DIR.resolve(name), bytes);
    }

    private static Path zip(String name, Map<String, byte[]> entries) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(out)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                z.putNextEntry(new ZipEntry(e.getKey()));
                z.write(e.getValue());
                z.closeEntry();
            }
        }
        return write(name, out.toByteArray());
    }

    @FuzzTest(maxDuration = "2m")
    void manifest(byte[] json) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put(ModelFile.MANIFEST_ENTRY, json);
        entries.put(ModelFile.WEIGHTS_ENTRY, Fixtures.WEIGHTS);
        Path f = zip("fuzz.fai", entries);
        try {
            ModelFile.read(f);
            InferenceModel.load(f).close();
        } catch (ModelFileException expected) {
            // a refusal naming the file
        }
    }

    @FuzzTest(maxDuration = "2m")
    void safetensors(byte[] bytes) throws IOException {
        Path f = write("fuzz.safetensors", bytes);
        try (NDManager m = Fixtures.MANAGER.newSubManager()) {
            Map<String, NDArray> tensors = Safetensors.read(f, m);
            tensors.values().forEach(NDArray::close);
        } catch (WeightsFormatException expected) {
            // refused with a message
        }
    }

    @FuzzTest(maxDuration = "2m")
    void pickle(byte[] pickle) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("archive/data.pkl", pickle);
        for (int i = 0; i < 4; i++) {
            entries.put("archive/data/" + i, new byte[64]);
        }
        entries.put("archive/version", "3\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        Path f = zip("fuzz.pth", entries);
        try (NDManager m = Fixtures.MANAGER.newSubManager()) {
            TorchStateDictReader.read(f, m).values().forEach(NDArray::close);
        } catch (WeightsFormatException expected) {
            // refused: a forbidden global, a malformed pickle, a tensor its storage cannot hold
        }
    }

    @FuzzTest(maxDuration = "2m")
    void image(byte[] bytes) {
        try {
            ImageFiles.decode(bytes, 3, "fuzz", 4_000_000);
        } catch (DataException expected) {
            // not an image, too many pixels, truncated
        }
    }

    @FuzzTest(maxDuration = "2m")
    void csv(byte[] bytes) throws IOException {
        Path f = write("fuzz.csv", bytes);
        try {
            Table.fromCsv(CsvTable.read(f));
        } catch (DataException expected) {
            // malformed CSV, named with its file and line
        }
    }

    /** The first byte picks the content type, the rest is the body of a {@code POST /predict}. */
    @FuzzTest(maxDuration = "2m")
    void request(byte[] input) throws Exception {
        if (input.length == 0) {
            return;
        }
        String type = REQUEST_TYPES[Math.floorMod(input[0], REQUEST_TYPES.length)];
        try (var local = ourServerOnly()) {
            post(ImageServer.SERVER, type, java.util.Arrays.copyOfRange(input, 1, input.length));
        }
    }

    @FuzzTest(maxDuration = "2m")
    void rows(byte[] json) throws Exception {
        try (var local = ourServerOnly()) {
            post(RowsServer.SERVER, "application/json", json);
        }
    }

    /** The target's own requests to its server on loopback are not the server-side request forgery Jazzer flags. */
    private static com.code_intelligence.jazzer.api.SilentCloseable ourServerOnly() {
        return com.code_intelligence.jazzer.api.BugDetectors.allowNetworkConnections(
                (host, port) -> host.equals("localhost") || host.equals("127.0.0.1"));
    }

    private static void post(ModelServer s, String type, byte[] body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(s.url() + "predict"))
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (type != null) {
            b.header("Content-Type", type);
        }
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(r.statusCode() == 200 || r.statusCode() >= 400 && r.statusCode() < 500, r.statusCode() + " "
                + r.body());
        assertTrue(!r.body().contains("NaN"), r.body());
        assertEquals(0, s.stats().serverErrors(), r.body());
    }

    /** A small tabular classifier (color, size categorical; x1, x2 continuous), exported once untrained. */
    private static Path tabularModel() {
        Random r = new Random(5);
        String[] colors = {"red", "green", "blue"};
        List<Map<String, String>> rows = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            double x1 = r.nextGaussian();
            Map<String, String> row = new LinkedHashMap<>();
            row.put("color", colors[r.nextInt(3)]);
            row.put("size", r.nextBoolean() ? "S" : "M");
            row.put("x1", String.format(Locale.ROOT, "%.4f", x1));
            row.put("x2", String.format(Locale.ROOT, "%.4f", 5 + r.nextGaussian()));
            row.put("label", x1 > 0 ? "yes" : "no");
            rows.add(row);
        }
        Path file = Fixtures.DIR.resolve("table.fai");
        try (TabularDataLoaders dls = TabularDataLoaders.fromTable(Table.fromRows("synthetic.csv", rows))
                .catNames("color", "size").contNames("x1", "x2").yNames("label").batchSize(32).build();
                TabularLearner learn = TabularLearners.create(dls, List.of(8), TabularConfig.defaults(), Map.of(),
                        b -> b.progress(false))) {
            ModelExport.export(learn, file); // untrained: the readers, not the answers, are under test
        }
        return file;
    }
}

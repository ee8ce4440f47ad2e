package ai.fastai4j.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.fastai4j.io.Safetensors;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Damaged, tampered and hostile model files are refused with clear messages. */
class ModelFileTest {

    private static final ExportRegistry REGISTRY = ExportFixtures.registry();

    @TempDir
    static Path dir;
    static Path good;

    @BeforeAll
    static void export() {
        good = dir.resolve("good.fai");
        try (ExportFixtures.Rig rig = ExportFixtures.classifier()) {
            ModelExport.export(rig.learn, good, REGISTRY);
        }
    }

    private static ModelFileException refused(Path file) {
        ModelFileException e = assertThrows(ModelFileException.class, () -> InferenceModel.load(file, REGISTRY).close());
        assertTrue(e.getMessage().startsWith("model file " + file + ": "), e.getMessage());
        assertEquals(file, e.file());
        return e;
    }

    private static void assertMessage(ModelFileException e, String part) {
        assertTrue(e.getMessage().contains(part), "expected '" + part + "' in: " + e.getMessage());
    }

    @Test
    void theUntouchedFileLoads() throws Exception {
        // the surgery helpers themselves do not break a file (re-zipped with every entry deflated)
        Path same = ExportFixtures.rezip(good, dir.resolve("same.fai"), m -> m);
        try (InferenceModel m = InferenceModel.load(same, REGISTRY)) {
            assertEquals("a", m.predict(new float[] {-2f, -2f}).label());
        }
        ModelFile f = ModelFile.read(good);
        assertEquals(good, f.file());
        assertEquals(ModelFile.FORMAT_VERSION, f.manifest().formatVersion());
    }

    @Test
    void newerFormatVersion() throws Exception {
        Path f = ExportFixtures.editManifest(good, dir.resolve("v99.fai"), m -> {
            m.put("formatVersion", 99);
            m.put("somethingNew", "x"); // whatever else a newer version changed
            m.remove("loss");
        });
        assertMessage(refused(f), "model file was written by a newer fastai4j (format 99); this version reads format 1");
    }

    @Test
    void vocabularyThatNoLongerFitsTheModel() throws Exception {
        Path f = ExportFixtures.editManifest(good, dir.resolve("vocab.fai"), m ->
                ((ArrayNode) m.get("target").get("params").get("vocab")).add("c"));
        ModelFileException e = refused(f);
        assertMessage(e, "needs 3 model outputs");
        assertMessage(e, "builds a model with 2");
    }

    @Test
    void inputBlockThatNoLongerFitsTheModel() throws Exception {
        Path f = ExportFixtures.editManifest(good, dir.resolve("dim3.fai"), m ->
                ((ObjectNode) m.get("inputs").get(0).get("params")).put("dim", 3));
        ModelFileException e = refused(f);
        assertMessage(e, "the manifest does not add up: model factory 'test_mlp' does not fit the input blocks: "
                + "the input vectors have 3 values, the model takes 2");
    }

    @Test
    void unknownFactoryBlockAndTransform() throws Exception {
        Path f = ExportFixtures.editManifest(good, dir.resolve("factory.fai"), m ->
                ((ObjectNode) m.get("model")).put("factory", "nope"));
        ModelFileException e = refused(f);
        assertMessage(e, "unknown model factory 'nope'");
        assertMessage(e, "test_mlp");

        f = ExportFixtures.editManifest(good, dir.resolve("block.fai"), m ->
                ((ObjectNode) m.get("inputs").get(0)).put("block", "java.lang.Runtime"));
        assertMessage(refused(f), "unknown input block 'java.lang.Runtime'");

        f = ExportFixtures.editManifest(good, dir.resolve("tfm.fai"), m ->
                ((ObjectNode) m.get("batchTransforms").get(0)).put("name", "rm_rf"));
        assertMessage(refused(f), "unknown batch transform 'rm_rf'");
    }

    @Test
    void wrongShapesAndBadParameters() throws Exception {
        Path f = ExportFixtures.editManifest(good, dir.resolve("hidden.fai"), m ->
                ((ObjectNode) m.get("model").get("params")).put("hidden", 9));
        ModelFileException e = refused(f);
        assertMessage(e, "weights do not fit the model built by model factory 'test_mlp'");
        assertMessage(e, "0.weight (model F32 (9, 2), file F32 (8, 2))");

        f = ExportFixtures.editManifest(good, dir.resolve("dim.fai"), m ->
                ((ObjectNode) m.get("inputs").get(0).get("params")).put("dim", "two"));
        assertMessage(refused(f), "parameter 'dim' must be an integer, got 'two'");

        f = ExportFixtures.editManifest(good, dir.resolve("noparams.fai"), m ->
                ((ObjectNode) m.get("loss")).remove("params"));
        assertMessage(refused(f), "manifest.json field 'loss.params' must be an object");

        f = ExportFixtures.editManifest(good, dir.resolve("typed.fai"), m ->
                ((ObjectNode) m.get("model").get("params")).putObject("@class").put("type", "java.lang.ProcessBuilder"));
        // a class name in the file is only ever a string in a map: the factory ignores unknown keys here
        try (InferenceModel model = InferenceModel.load(f, REGISTRY)) {
            assertEquals("java.lang.ProcessBuilder",
                    ((Map<?, ?>) model.manifest().model().params().get("@class")).get("type"));
        }
    }

    @Test
    void notJsonOrNotOurs() throws Exception {
        Path f = ExportFixtures.rezip(good, dir.resolve("notjson.fai"), m -> {
            m.put(ModelFile.MANIFEST_ENTRY, "{\"format\": ".getBytes(StandardCharsets.UTF_8));
            return m;
        });
        assertMessage(refused(f), "manifest.json is not valid JSON");

        f = ExportFixtures.rezip(good, dir.resolve("dup.fai"), m -> {
            String s = new String(m.get(ModelFile.MANIFEST_ENTRY), StandardCharsets.UTF_8);
            m.put(ModelFile.MANIFEST_ENTRY, s.replaceFirst("\\{", "{\"task\": \"x\",").getBytes(StandardCharsets.UTF_8));
            return m;
        });
        assertMessage(refused(f), "Duplicate field 'task'");

        f = ExportFixtures.editManifest(good, dir.resolve("format.fai"), m -> m.put("format", "pickle"));
        assertMessage(refused(f), "not a fastai4j model");
    }

    @Test
    void tamperedWeights() throws Exception {
        Path f = ExportFixtures.rezip(good, dir.resolve("flipped.fai"), m -> {
            byte[] w = m.get(ModelFile.WEIGHTS_ENTRY).clone();
            w[w.length - 3] ^= 0x5a; // inside the last tensor's data
            m.put(ModelFile.WEIGHTS_ENTRY, w);
            return m;
        });
        assertMessage(refused(f), "weights do not match the manifest checksum");

        f = ExportFixtures.rezip(good, dir.resolve("header.fai"), m -> {
            byte[] w = m.get(ModelFile.WEIGHTS_ENTRY).clone();
            w[12] ^= 0x5a; // inside the safetensors header: still reported as a checksum failure
            m.put(ModelFile.WEIGHTS_ENTRY, w);
            return m;
        });
        assertMessage(refused(f), "weights do not match the manifest checksum");

        f = ExportFixtures.rezip(good, dir.resolve("shorter.fai"), m -> {
            byte[] w = m.get(ModelFile.WEIGHTS_ENTRY);
            m.put(ModelFile.WEIGHTS_ENTRY, Arrays.copyOf(w, w.length - 4));
            return m;
        });
        assertMessage(refused(f), "the manifest says");
    }

    /** Weights rewritten consistently (checksum updated too) are still checked against the model. */
    @Test
    void consistentlyForgedWeightsAreStillChecked() throws Exception {
        Map<String, byte[]> m = ExportFixtures.unzip(good);
        byte[] w = m.get(ModelFile.WEIGHTS_ENTRY);
        String text = new String(w, StandardCharsets.ISO_8859_1);
        // swap a shape for another of the same length: (8, 2) -> (2, 8)
        String forged = text.replaceFirst("\\[8,2\\]", "[2,8]");
        assertTrue(!forged.equals(text), "the header holds a [8,2] shape");
        Path f = forge(m, forged.getBytes(StandardCharsets.ISO_8859_1), "shape.fai");
        assertMessage(refused(f), "weights do not fit the model");

        // overlapping data: make a tensor claim bytes another holds
        String overlap = text.replaceFirst("\"data_offsets\":\\[0,", "\"data_offsets\":[4,");
        if (!overlap.equals(text)) {
            f = forge(m, overlap.getBytes(StandardCharsets.ISO_8859_1), "overlap.fai");
            assertMessage(refused(f), "weights are invalid");
        }
    }

    /** Files written before the one safetensors writer (weights encoded by DJL's NDList) still load the same. */
    @Test
    void weightsWrittenByTheEarlierEncoderStillLoad() throws Exception {
        Map<String, byte[]> m = ExportFixtures.unzip(good);
        Path ours = dir.resolve("ours.safetensors");
        Files.write(ours, m.get(ModelFile.WEIGHTS_ENTRY));
        byte[] djl;
        try (NDManager nd = NDManager.newBaseManager()) {
            NDList list = new NDList();
            Safetensors.read(ours, nd).values().forEach(list::add);
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            list.encode(bytes, NDList.Encoding.SAFETENSORS);
            djl = bytes.toByteArray();
        }
        Path old = forge(m, djl, "djl-weights.fai");
        try (InferenceModel a = InferenceModel.load(good, REGISTRY); InferenceModel b = InferenceModel.load(old, REGISTRY)) {
            Map<String, ai.djl.ndarray.NDArray> wa = a.model().stateDict();
            Map<String, ai.djl.ndarray.NDArray> wb = b.model().stateDict();
            assertEquals(wa.keySet(), wb.keySet());
            wa.forEach((k, v) -> assertTrue(java.util.Arrays.equals(v.toByteArray(), wb.get(k).toByteArray()), k));
        }
    }

    /** Weights with a NaN, checksum updated (as a diverged training exported before exports were checked). */
    @Test
    void nonFiniteWeightsAreRefusedOnLoad() throws Exception {
        Map<String, byte[]> m = ExportFixtures.unzip(good);
        byte[] w = m.get(ModelFile.WEIGHTS_ENTRY).clone();
        long header = java.nio.ByteBuffer.wrap(w, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        int at = (int) (8 + header); // the first value of the first tensor (all tensors here are float32)
        java.nio.ByteBuffer.wrap(w, at, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putFloat(Float.NaN);
        Path f = forge(m, w, "nan-weights.fai");
        assertMessage(refused(f), "weights are not finite (NaN or infinite values in ");
    }

    private static Path forge(Map<String, byte[]> entries, byte[] weights, String name) throws Exception {
        Map<String, byte[]> m = new LinkedHashMap<>(entries);
        m.put(ModelFile.WEIGHTS_ENTRY, weights);
        ObjectNode root = (ObjectNode) ExportFixtures.JSON.readTree(m.get(ModelFile.MANIFEST_ENTRY));
        ObjectNode wn = (ObjectNode) root.get("weights");
        wn.put("sha256", HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(weights)));
        wn.put("bytes", weights.length);
        m.put(ModelFile.MANIFEST_ENTRY, ExportFixtures.JSON.writeValueAsBytes(root));
        Path f = dir.resolve(name);
        ExportFixtures.zip(m, f);
        return f;
    }

    @Test
    void truncatedAndMissingFiles() throws Exception {
        byte[] all = Files.readAllBytes(good);
        for (int len : new int[] {all.length / 2, all.length - 10, 3, 0}) {
            Path f = dir.resolve("truncated-" + len + ".fai");
            Files.write(f, Arrays.copyOf(all, len));
            assertMessage(refused(f), "truncated or corrupted");
        }
        Path none = dir.resolve("missing.fai");
        assertMessage(refused(none), "no such file");
        Path notZip = dir.resolve("text.fai");
        Files.writeString(notZip, "hello, I am not a model");
        assertMessage(refused(notZip), "not a fastai4j model file");
    }

    @Test
    void exactlyTheExpectedEntries() throws Exception {
        Path f = ExportFixtures.rezip(good, dir.resolve("extra.fai"), m -> {
            m.put("evil.class", new byte[] {(byte) 0xca, (byte) 0xfe});
            return m;
        });
        assertMessage(refused(f), "unexpected entry 'evil.class'");

        f = ExportFixtures.rezip(good, dir.resolve("noweights.fai"), m -> {
            m.remove(ModelFile.WEIGHTS_ENTRY);
            return m;
        });
        assertMessage(refused(f), "entry 'weights.safetensors' is missing");

        // two entries with the same name: written under a placeholder of the same length, then renamed in place
        Map<String, byte[]> m = ExportFixtures.unzip(good);
        m.put("weightX.safetensors", m.get(ModelFile.WEIGHTS_ENTRY));
        Path tmp = dir.resolve("twice.tmp");
        ExportFixtures.zip(m, tmp);
        byte[] raw = Files.readAllBytes(tmp);
        byte[] from = "weightX.safetensors".getBytes(StandardCharsets.US_ASCII);
        int replaced = 0;
        for (int i = 0; i + from.length <= raw.length; i++) {
            if (Arrays.equals(raw, i, i + from.length, from, 0, from.length)) {
                raw[i + 6] = 's';
                replaced++;
            }
        }
        assertEquals(2, replaced, "local header and central directory");
        f = dir.resolve("twice.fai");
        Files.write(f, raw);
        ModelFileException e = refused(f);
        assertTrue(e.getMessage().contains("duplicate entry") || e.getMessage().contains("truncated or corrupted"),
                e.getMessage());
    }

    @Test
    void oversizedAndBombEntries() throws Exception {
        // a manifest over 10 MB (padding with spaces keeps it valid JSON)
        Path f = ExportFixtures.rezip(good, dir.resolve("big.fai"), m -> {
            byte[] j = m.get(ModelFile.MANIFEST_ENTRY);
            byte[] big = new byte[ModelFile.MAX_MANIFEST_BYTES + 10];
            Arrays.fill(big, (byte) ' ');
            System.arraycopy(j, 0, big, 0, j.length);
            m.put(ModelFile.MANIFEST_ENTRY, big);
            return m;
        });
        assertMessage(refused(f), "entry 'manifest.json' is larger than allowed");

        // weights of 8 MB of zeros deflate about 1000 to 1
        f = ExportFixtures.rezip(good, dir.resolve("bomb.fai"), m -> {
            m.put(ModelFile.WEIGHTS_ENTRY, new byte[8 << 20]);
            return m;
        });
        assertMessage(refused(f), "refusing a possible zip bomb");
    }
}

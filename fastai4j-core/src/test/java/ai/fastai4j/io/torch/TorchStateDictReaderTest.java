package ai.fastai4j.io.torch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TorchStateDictReaderTest {
    private static NDManager manager;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    private Path fixture(String name, String gzBase64) throws IOException {
        return Files.write(dir.resolve(name), TorchFixtures.bytes(gzBase64));
    }

    @ParameterizedTest
    @ValueSource(strings = {"P2", "P4"})
    void readsEveryDtypeAndLayoutSavedByTorch(String which) throws IOException {
        Path f = fixture(which + ".pth", which.equals("P2") ? TorchFixtures.P2 : TorchFixtures.P4);
        try (NDManager m = manager.newSubManager()) {
            Map<String, NDArray> sd = TorchStateDictReader.read(f, m);
            assertEquals(List.of("weight", "bias", "running_mean", "running_var", "num_batches_tracked", "f32", "f64",
                    "i64", "u8", "bool", "f16", "i32", "i8", "i16", "bf16", "transposed", "permuted", "strided", "base",
                    "scalar", "empty", "param"), List.copyOf(sd.keySet()), "file order");
            sd.forEach((k, v) -> assertEquals(k, v.getName()));

            check(sd.get("weight"), DataType.FLOAT32, new Shape(2));
            assertArrayEquals(new float[] {1, 1}, sd.get("weight").toFloatArray());
            assertArrayEquals(new float[] {1, 1}, sd.get("running_var").toFloatArray());
            check(sd.get("num_batches_tracked"), DataType.INT64, new Shape());
            assertEquals(7L, sd.get("num_batches_tracked").getLong());

            check(sd.get("f32"), DataType.FLOAT32, new Shape(2, 3));
            assertArrayEquals(new float[] {0, .25f, .5f, .75f, 1, 1.25f}, sd.get("f32").toFloatArray());
            check(sd.get("f64"), DataType.FLOAT64, new Shape(2));
            assertArrayEquals(new double[] {1.5, -2.25}, sd.get("f64").toDoubleArray());
            check(sd.get("i64"), DataType.INT64, new Shape(2, 2));
            assertArrayEquals(new long[] {-1, 1L << 40, 3, 4}, sd.get("i64").toLongArray());
            check(sd.get("u8"), DataType.UINT8, new Shape(3));
            assertArrayEquals(new int[] {0, 7, 255}, sd.get("u8").toUint8Array());
            check(sd.get("bool"), DataType.BOOLEAN, new Shape(3));
            assertArrayEquals(new boolean[] {true, false, true}, sd.get("bool").toBooleanArray());
            check(sd.get("f16"), DataType.FLOAT16, new Shape(2));
            assertArrayEquals(new float[] {.5f, -3f}, sd.get("f16").toType(DataType.FLOAT32, false).toFloatArray());
            check(sd.get("i32"), DataType.INT32, new Shape(2));
            assertArrayEquals(new int[] {-7, 9}, sd.get("i32").toIntArray());
            check(sd.get("i8"), DataType.INT8, new Shape(2));
            assertArrayEquals(new byte[] {-128, 127}, sd.get("i8").toByteArray());
            check(sd.get("i16"), DataType.INT32, new Shape(2)); // widened
            assertArrayEquals(new int[] {-300, 5}, sd.get("i16").toIntArray());
            check(sd.get("bf16"), DataType.FLOAT32, new Shape(2)); // widened
            assertArrayEquals(new float[] {1.5f, -2f}, sd.get("bf16").toFloatArray());

            // arange(12).reshape(3, 4).t(): element [i][j] is j * 4 + i
            check(sd.get("transposed"), DataType.FLOAT32, new Shape(4, 3));
            assertArrayEquals(new float[] {0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11}, sd.get("transposed").toFloatArray());
            // arange(24).reshape(2, 3, 4).permute(2, 0, 1): element [k][i][j] is i * 12 + j * 4 + k
            check(sd.get("permuted"), DataType.INT64, new Shape(4, 2, 3));
            long[] expected = new long[24];
            for (int k = 0, n = 0; k < 4; k++) {
                for (int i = 0; i < 2; i++) {
                    for (int j = 0; j < 3; j++) {
                        expected[n++] = i * 12 + j * 4 + k;
                    }
                }
            }
            assertArrayEquals(expected, sd.get("permuted").toLongArray());
            // a strided view with a storage offset, sharing its storage with "base"
            assertArrayEquals(new float[] {2, 5, 8}, sd.get("strided").toFloatArray());
            assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, sd.get("base").toFloatArray());

            check(sd.get("scalar"), DataType.FLOAT32, new Shape());
            assertEquals(3.25f, sd.get("scalar").getFloat());
            check(sd.get("empty"), DataType.FLOAT32, new Shape(0, 3));
            assertArrayEquals(new float[] {.5f, .5f}, sd.get("param").toFloatArray(), "nn.Parameter");

            // arrays are independent copies: changing one view leaves its storage-mate alone
            sd.get("strided").muli(0);
            assertEquals(5f, sd.get("base").getFloat(5));
        }
    }

    @Test
    void inspectReadsTypesAndShapesOnly() throws IOException {
        Map<String, TorchStateDictReader.TensorInfo> info =
                TorchStateDictReader.inspect(fixture("small.pth", TorchFixtures.SMALL));
        assertEquals(List.of("weight", "bias", "running_mean", "running_var", "num_batches_tracked", "t"),
                List.copyOf(info.keySet()));
        assertEquals(new Shape(3, 2), info.get("t").shape());
        assertEquals(DataType.FLOAT64, info.get("t").dataType());
        assertFalse(info.get("t").contiguous());
        assertTrue(info.get("weight").contiguous());
        assertEquals(new Shape(), info.get("num_batches_tracked").shape());
    }

    @Test
    void refusesTheLegacyFormat() throws IOException {
        TorchFormatException e = assertThrows(TorchFormatException.class,
                () -> TorchStateDictReader.read(fixture("legacy.pth", TorchFixtures.LEGACY), manager));
        assertTrue(e.getMessage().contains("legacy torch.save format is not supported; re-save with torch>=1.6"),
                e.getMessage());
    }

    @Test
    void refusesTruncatedFiles() throws IOException {
        byte[] full = TorchFixtures.bytes(TorchFixtures.P2);
        for (int keep : new int[] {0, 3, 100, full.length / 2, full.length - 10}) {
            Path f = Files.write(dir.resolve("cut" + keep + ".pth"), Arrays.copyOf(full, keep));
            TorchFormatException e = assertThrows(TorchFormatException.class,
                    () -> TorchStateDictReader.read(f, manager), "kept " + keep + " bytes");
            assertTrue(e.getMessage().contains("truncated") || e.getMessage().contains("empty")
                    || e.getMessage().contains("no zip header"), e.getMessage());
        }
    }

    @Test
    void refusesTruncatedEntriesInsideAWellFormedZip() throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (ZipFile z = new ZipFile(fixture("small.pth", TorchFixtures.SMALL).toFile())) {
            for (ZipEntry e : java.util.Collections.list(z.entries())) {
                entries.put(e.getName(), z.getInputStream(e).readAllBytes());
            }
        }
        // a storage cut short
        Map<String, byte[]> shortStorage = new LinkedHashMap<>(entries);
        String lastStorage = entries.keySet().stream().filter(n -> n.contains("/data/")).reduce((a, b) -> b).orElseThrow();
        shortStorage.put(lastStorage, Arrays.copyOf(entries.get(lastStorage), 20));
        Path f1 = PickleBytes.zipEntries(dir.resolve("short-storage.pth"), shortStorage);
        TorchFormatException e1 = assertThrows(TorchFormatException.class, () -> TorchStateDictReader.read(f1, manager));
        assertTrue(e1.getMessage().contains("truncated"), e1.getMessage());
        // the pickle cut short
        Map<String, byte[]> shortPickle = new LinkedHashMap<>(entries);
        String pkl = entries.keySet().stream().filter(n -> n.endsWith("data.pkl")).findFirst().orElseThrow();
        shortPickle.put(pkl, Arrays.copyOf(entries.get(pkl), entries.get(pkl).length - 7));
        Path f2 = PickleBytes.zipEntries(dir.resolve("short-pickle.pth"), shortPickle);
        TorchFormatException e2 = assertThrows(TorchFormatException.class, () -> TorchStateDictReader.read(f2, manager));
        assertTrue(e2.getMessage().contains("ends early"), e2.getMessage());
        // a storage missing
        Map<String, byte[]> noStorage = new LinkedHashMap<>(entries);
        noStorage.remove(lastStorage);
        Path f3 = PickleBytes.zipEntries(dir.resolve("no-storage.pth"), noStorage);
        TorchFormatException e3 = assertThrows(TorchFormatException.class, () -> TorchStateDictReader.read(f3, manager));
        assertTrue(e3.getMessage().contains("missing"), e3.getMessage());
    }

    /** The check: a pickle that names any other global is refused, and nothing runs. */
    @Test
    void refusesOsSystemAndRunsNothing() throws IOException {
        Path marker = dir.resolve("pwned");
        byte[] pickle = new PickleBytes().proto(2).global("os", "system").str("touch " + marker).op(0x85).reduce()
                .stop().bytes();
        Path f = PickleBytes.zip(dir.resolve("evil.pth"), pickle, Map.of());
        ForbiddenGlobalException e = assertThrows(ForbiddenGlobalException.class,
                () -> TorchStateDictReader.read(f, manager));
        assertEquals("os.system", e.global());
        assertTrue(e.getMessage().contains("'os.system'"), e.getMessage());
        assertTrue(e.getMessage().contains("Nothing from the file was executed"), e.getMessage());
        assertFalse(Files.exists(marker));
        assertThrows(ForbiddenGlobalException.class, () -> TorchStateDictReader.inspect(f));
    }

    @ParameterizedTest
    @ValueSource(strings = {"builtins eval", "builtins exec", "builtins getattr", "posix system", "nt system",
        "subprocess Popen", "__builtin__ eval", "torch load", "torch._utils _rebuild_tensor",
        "torch._utils _rebuild_device_tensor_from_numpy", "torch.serialization _get_layout", "numpy.core.multiarray _reconstruct",
        "collections OrderedDict.__class__", "collections defaultdict", "torch Tensor", "torch FloatStorage.__new__",
        "torch._utils _rebuild_tensor_v2 x"})
    void refusesEveryOtherGlobal(String global) throws IOException {
        String[] mn = global.split(" ", 2);
        String qualified = mn[0] + "." + mn[1];
        // as GLOBAL (protocol 2)
        byte[] p2 = new PickleBytes().proto(2).global(mn[0], mn[1]).emptyTuple().reduce().stop().bytes();
        ForbiddenGlobalException e = assertThrows(ForbiddenGlobalException.class,
                () -> TorchStateDictReader.read(PickleBytes.zip(dir.resolve("g2.pth"), p2, Map.of()), manager));
        assertEquals(qualified, e.global());
        assertTrue(e.getMessage().contains(qualified), e.getMessage());
        // as STACK_GLOBAL (protocol 4)
        byte[] p4 = new PickleBytes().proto(4).shortStr(mn[0]).shortStr(mn[1]).op(0x93).emptyTuple().reduce().stop()
                .bytes();
        ForbiddenGlobalException e4 = assertThrows(ForbiddenGlobalException.class,
                () -> TorchStateDictReader.read(PickleBytes.zip(dir.resolve("g4.pth"), p4, Map.of()), manager));
        assertEquals(qualified, e4.global());
        // as INST, the protocol-0 way to construct an object
        byte[] p0 = new PickleBytes().mark().raw("i" + mn[0] + "\n" + mn[1] + "\n").stop().bytes();
        ForbiddenGlobalException e0 = assertThrows(ForbiddenGlobalException.class,
                () -> TorchStateDictReader.read(PickleBytes.zip(dir.resolve("g0.pth"), p0, Map.of()), manager));
        assertEquals(qualified, e0.global());
    }

    @Test
    void refusesAForbiddenGlobalHiddenInsideAValidStateDict() throws IOException {
        // {'w': tensor, 'x': eval('1')}: the first entry is fine, the second names builtins.eval
        byte[] pickle = new PickleBytes().proto(2).op('}').mark()
                .str("w").tensor("FloatStorage", "0", 2, 0, new int[] {2}, new int[] {1})
                .str("x").global("builtins", "eval").str("1").op(0x85).reduce()
                .op('u').stop().bytes();
        Path f = PickleBytes.zip(dir.resolve("hidden.pth"), pickle, Map.of("0", floats(1, 2)));
        ForbiddenGlobalException e = assertThrows(ForbiddenGlobalException.class,
                () -> TorchStateDictReader.read(f, manager));
        assertEquals("builtins.eval", e.global());
    }

    @Test
    void refusesObjectConstructionAndMisuseOfAllowedGlobals() throws IOException {
        byte[] newobj = new PickleBytes().proto(2).global("collections", "OrderedDict").emptyTuple().op(0x81).stop()
                .bytes();
        TorchFormatException e1 = assertThrows(TorchFormatException.class,
                () -> TorchStateDictReader.read(PickleBytes.zip(dir.resolve("n.pth"), newobj, Map.of()), manager));
        assertTrue(e1.getMessage().contains("NEWOBJ"), e1.getMessage());
        byte[] ext = new PickleBytes().proto(2).op(0x82, 1).stop().bytes();
        TorchFormatException e2 = assertThrows(TorchFormatException.class,
                () -> TorchStateDictReader.read(PickleBytes.zip(dir.resolve("e.pth"), ext, Map.of()), manager));
        assertTrue(e2.getMessage().contains("EXT1"), e2.getMessage());
        byte[] callStorage = new PickleBytes().proto(2).global("torch", "FloatStorage").emptyTuple().reduce().stop()
                .bytes();
        TorchFormatException e3 = assertThrows(TorchFormatException.class,
                () -> TorchStateDictReader.read(PickleBytes.zip(dir.resolve("s.pth"), callStorage, Map.of()), manager));
        assertTrue(e3.getMessage().contains("persistent id"), e3.getMessage());
    }

    @Test
    void readsHandMadeFilesAndChecksStorageBounds() throws IOException {
        byte[] ok = new PickleBytes().proto(2).op('}').str("a")
                .tensor("FloatStorage", "0", 6, 1, new int[] {2, 2}, new int[] {1, 2}).op('s').stop().bytes();
        try (NDManager m = manager.newSubManager()) {
            Map<String, NDArray> sd = TorchStateDictReader.read(
                    PickleBytes.zip(dir.resolve("ok.pth"), ok, Map.of("0", floats(0, 1, 2, 3, 4, 5))), m);
            // offset 1, stride (1, 2): [[1, 3], [2, 4]]
            assertArrayEquals(new float[] {1, 3, 2, 4}, sd.get("a").toFloatArray());
        }
        byte[] tooFar = new PickleBytes().proto(2).op('}').str("a")
                .tensor("FloatStorage", "0", 2, 0, new int[] {3}, new int[] {1}).op('s').stop().bytes();
        TorchFormatException e = assertThrows(TorchFormatException.class, () -> TorchStateDictReader.read(
                PickleBytes.zip(dir.resolve("far.pth"), tooFar, Map.of("0", floats(1, 2))), manager));
        assertTrue(e.getMessage().contains("storage of 2 elements"), e.getMessage());
    }

    /** A 16-byte storage seen as 23170 x 23170 through zero strides: 2 GB for a file of a few hundred bytes. */
    @Test
    void refusesOverlappingViewsLargerThanTheirStorage() throws IOException {
        byte[] bomb = new PickleBytes().proto(2).op('}').str("a")
                .tensor("FloatStorage", "0", 4, 0, new int[] {23170, 23170}, new int[] {0, 0}).op('s').stop().bytes();
        Path f = PickleBytes.zip(dir.resolve("stride0.pth"), bomb, Map.of("0", floats(1, 2, 3, 4)));
        assertTrue(Files.size(f) < 1000, Files.size(f) + " bytes");
        TorchFormatException e = assertThrows(TorchFormatException.class, () -> TorchStateDictReader.read(f, manager));
        assertTrue(e.getMessage().contains("tensor 'a' (23170, 23170) has 536848900 elements over a storage of 4"),
                e.getMessage());
        // a real view (transposed, no overlap) still reads
        byte[] view = new PickleBytes().proto(2).op('}').str("t")
                .tensor("FloatStorage", "0", 4, 0, new int[] {2, 2}, new int[] {1, 2}).op('s').stop().bytes();
        try (NDManager m = manager.newSubManager()) {
            assertArrayEquals(new float[] {1, 3, 2, 4}, TorchStateDictReader.read(
                    PickleBytes.zip(dir.resolve("view.pth"), view, Map.of("0", floats(1, 2, 3, 4))), m)
                    .get("t").toFloatArray());
        }
    }

    /** A storage entry inflating to far more than the pickle declares, or compressed like a zip bomb. */
    @Test
    void boundsEveryEntryByItsDeclaredSizeAndRatio() throws IOException {
        byte[] pickle = new PickleBytes().proto(2).op('}').str("a")
                .tensor("FloatStorage", "0", 4, 0, new int[] {4}, new int[] {1}).op('s').stop().bytes();
        // 4 floats declared, 64 MB of zeros stored (deflated to about 64 KB)
        Path big = PickleBytes.zip(dir.resolve("inflates.pth"), pickle, Map.of("0", new byte[64 << 20]));
        assertTrue(Files.size(big) < 1 << 20, Files.size(big) + " bytes");
        TorchFormatException e = assertThrows(TorchFormatException.class, () -> TorchStateDictReader.read(big, manager));
        assertTrue(e.getMessage().contains("entry archive/data/0 ") && e.getMessage().contains("16"), e.getMessage());
        // 16M floats declared and 64 MB of zeros deflated: the ratio is refused before inflating
        byte[] many = new PickleBytes().proto(2).op('}').str("a")
                .tensor("FloatStorage", "0", 16 << 20, 0, new int[] {16 << 20}, new int[] {1}).op('s').stop().bytes();
        Path bomb = PickleBytes.zip(dir.resolve("bomb.pth"), many, Map.of("0", new byte[64 << 20]));
        e = assertThrows(TorchFormatException.class, () -> TorchStateDictReader.read(bomb, manager));
        assertTrue(e.getMessage().contains("more than 100 to 1"), e.getMessage());
    }

    @Test
    void readsBigEndianFiles() throws IOException {
        byte[] pickle = new PickleBytes().proto(2).op('}').str("a")
                .tensor("FloatStorage", "0", 2, 0, new int[] {2}, new int[] {1}).op('s').stop().bytes();
        ByteBuffer be = ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN).putFloat(1.5f).putFloat(-2f);
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("archive/data.pkl", pickle);
        entries.put("archive/byteorder", "big".getBytes(StandardCharsets.US_ASCII));
        entries.put("archive/data/0", be.array());
        try (NDManager m = manager.newSubManager()) {
            Map<String, NDArray> sd = TorchStateDictReader.read(PickleBytes.zipEntries(dir.resolve("be.pth"), entries), m);
            assertArrayEquals(new float[] {1.5f, -2f}, sd.get("a").toFloatArray());
        }
    }

    @Test
    void explainsFilesThatAreNotStateDicts() throws IOException {
        byte[] checkpoint = new PickleBytes().proto(2).op('}').str("epoch").integer(3).op('s').stop().bytes();
        TorchFormatException e1 = assertThrows(TorchFormatException.class, () -> TorchStateDictReader.read(
                PickleBytes.zip(dir.resolve("ckpt.pth"), checkpoint, Map.of()), manager));
        assertTrue(e1.getMessage().contains("epoch (int)"), e1.getMessage());
        byte[] list = new PickleBytes().proto(2).op(']').stop().bytes();
        TorchFormatException e2 = assertThrows(TorchFormatException.class, () -> TorchStateDictReader.read(
                PickleBytes.zip(dir.resolve("list.pth"), list, Map.of()), manager));
        assertTrue(e2.getMessage().contains("not a state dict"), e2.getMessage());
        Path noPkl = PickleBytes.zipEntries(dir.resolve("plain.zip"), Map.of("a.txt", new byte[] {1}));
        TorchFormatException e3 = assertThrows(TorchFormatException.class, () -> TorchStateDictReader.read(noPkl, manager));
        assertTrue(e3.getMessage().contains("no data.pkl"), e3.getMessage());
        Path text = Files.writeString(dir.resolve("notes.pth"), "hello, not a model");
        TorchFormatException e4 = assertThrows(TorchFormatException.class, () -> TorchStateDictReader.read(text, manager));
        assertTrue(e4.getMessage().contains("not a PyTorch .pth file"), e4.getMessage());
    }

    @Test
    void oddPicklesFailCleanly() throws IOException {
        // a list that contains itself, used as a dict key: refused, no endless hashing
        byte[] cyclic = new PickleBytes().proto(2).op('}').op(']').op('q', 0).op('h', 0).op('a').integer(1).op('s')
                .stop().bytes();
        TorchFormatException e1 = assertThrows(TorchFormatException.class, () -> TorchStateDictReader.read(
                PickleBytes.zip(dir.resolve("cyclic.pth"), cyclic, Map.of()), manager));
        assertTrue(e1.getMessage().contains("dict key of type list"), e1.getMessage());
        // sets are not part of a state dict
        byte[] set = new PickleBytes().proto(4).op(0x8f).stop().bytes();
        TorchFormatException e2 = assertThrows(TorchFormatException.class, () -> TorchStateDictReader.read(
                PickleBytes.zip(dir.resolve("set.pth"), set, Map.of()), manager));
        assertTrue(e2.getMessage().contains("EMPTY_SET"), e2.getMessage());
        // a persistent id that is not a storage tuple, and a memo entry never stored
        byte[] pid = new PickleBytes().proto(2).str("x").op('Q').stop().bytes();
        TorchFormatException e3 = assertThrows(TorchFormatException.class, () -> TorchStateDictReader.read(
                PickleBytes.zip(dir.resolve("pid.pth"), pid, Map.of()), manager));
        assertTrue(e3.getMessage().contains("persistent id"), e3.getMessage());
        byte[] memo = new PickleBytes().proto(2).op('h', 5).stop().bytes();
        TorchFormatException e4 = assertThrows(TorchFormatException.class, () -> TorchStateDictReader.read(
                PickleBytes.zip(dir.resolve("memo.pth"), memo, Map.of()), manager));
        assertTrue(e4.getMessage().contains("memo entry 5"), e4.getMessage());
        // a storage key that tries to leave the archive's data folder
        byte[] escape = new PickleBytes().proto(2).op('}').str("a")
                .tensor("FloatStorage", "../version", 1, 0, new int[] {1}, new int[] {1}).op('s').stop().bytes();
        TorchFormatException e5 = assertThrows(TorchFormatException.class, () -> TorchStateDictReader.read(
                PickleBytes.zip(dir.resolve("escape.pth"), escape, Map.of()), manager));
        assertTrue(e5.getMessage().contains("bad storage key"), e5.getMessage());
    }

    private static void check(NDArray a, DataType type, Shape shape) {
        assertEquals(type, a.getDataType(), a.getName());
        assertEquals(shape, a.getShape(), a.getName());
    }

    private static byte[] floats(float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putFloat(f);
        }
        return b.array();
    }
}

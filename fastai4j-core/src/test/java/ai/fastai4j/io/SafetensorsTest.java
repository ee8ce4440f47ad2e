package ai.fastai4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {
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

    private static Map<String, NDArray> sample(NDManager m) {
        Map<String, NDArray> t = new LinkedHashMap<>();
        t.put("z.last.first", m.arange(6f).reshape(2, 3).div(4)); // names in a non-sorted order on purpose
        t.put("b.f64", m.create(new double[] {1.5, -2.25}));
        t.put("a.i64", m.create(new long[] {-1, 1L << 40}));
        t.put("u8", m.create(new byte[] {0, 7, (byte) 255}, new Shape(3)).toType(DataType.UINT8, false));
        t.put("mask", m.create(new boolean[] {true, false}));
        t.put("half", m.create(new float[] {.5f, -3f}).toType(DataType.FLOAT16, false));
        t.put("i32", m.create(new int[] {-7, 9}));
        t.put("i8", m.create(new byte[] {-128, 127}));
        t.put("num_batches_tracked", m.create(7L));
        t.put("empty", m.zeros(new Shape(0, 3)));
        return t;
    }

    @Test
    void roundTripKeepsNamesOrderTypesShapesValuesAndMetadata() throws IOException {
        try (NDManager m = manager.newSubManager()) {
            Map<String, NDArray> in = sample(m);
            Path f = dir.resolve("w.safetensors");
            Safetensors.write(in, Map.of("format", "pt", "arch", "resnet18"), f);
            Map<String, NDArray> out = Safetensors.read(f, m);
            assertEquals(List.copyOf(in.keySet()), List.copyOf(out.keySet()));
            for (String k : in.keySet()) {
                assertEquals(k, out.get(k).getName());
                assertEquals(in.get(k).getDataType(), out.get(k).getDataType(), k);
                assertEquals(in.get(k).getShape(), out.get(k).getShape(), k);
                assertArrayEquals(in.get(k).toByteArray(), out.get(k).toByteArray(), k);
            }
            assertEquals(Map.of("format", "pt", "arch", "resnet18"), Safetensors.metadata(f));
            assertEquals(0, headerLength(f) % 8, "header padded to 8 bytes");
        }
    }

    @Test
    void interoperatesWithDjlBothWays() throws IOException {
        try (NDManager m = manager.newSubManager()) {
            Map<String, NDArray> in = sample(m);
            in.remove("empty");
            Path ours = dir.resolve("ours.safetensors");
            Safetensors.write(in, ours);
            NDList djl;
            try (InputStream is = Files.newInputStream(ours)) {
                djl = NDList.decode(m, is);
            }
            assertEquals(in.size(), djl.size());
            for (NDArray a : djl) {
                assertArrayEquals(in.get(a.getName()).toByteArray(), a.toByteArray(), a.getName());
            }
            NDList list = new NDList();
            in.forEach((k, v) -> {
                NDArray c = v.duplicate();
                c.setName(k);
                list.add(c);
            });
            Path theirs = dir.resolve("djl.safetensors");
            try (OutputStream os = Files.newOutputStream(theirs)) {
                list.encode(os, NDList.Encoding.SAFETENSORS);
            }
            Map<String, NDArray> back = Safetensors.read(theirs, m);
            assertEquals(List.copyOf(in.keySet()), List.copyOf(back.keySet()), "data order = DJL's write order");
            in.forEach((k, v) -> assertArrayEquals(v.toByteArray(), back.get(k).toByteArray(), k));
        }
    }

    @Test
    void checksTheHeaderBeforeTrustingIt() throws IOException {
        String good = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        readOk(file("ok", good, 8));
        refuse(file("trunc", good, 5), "outside the 5 data bytes");
        refuse(file("trailing", good, 12), "trailing bytes");
        refuse(file("size", "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8), "needs 12");
        refuse(file("dtype", "{\"a\":{\"dtype\":\"X9\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8), "unsupported dtype");
        refuse(file("neg", "{\"a\":{\"dtype\":\"U8\",\"shape\":[-8],\"data_offsets\":[0,8]}}", 8), "non-negative");
        refuse(file("dup", "{\"a\":{\"dtype\":\"U8\",\"shape\":[8],\"data_offsets\":[0,8]},"
                + "\"a\":{\"dtype\":\"U8\",\"shape\":[8],\"data_offsets\":[0,8]}}", 8), "not valid JSON");
        refuse(file("overlap", "{\"a\":{\"dtype\":\"U8\",\"shape\":[8],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[4,8]}}", 8), "overlaps");
        refuse(file("gap", "{\"a\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[4,8]}}", 8), "gap");
        refuse(file("json", "{\"a\":", 8), "not valid JSON");
        refuse(file("array", "[1, 2]", 8), "does not start with '{'");
        refuse(file("fields", "{\"a\":{\"dtype\":\"U8\"}}", 8), "needs dtype");
        Path hugeHeader = Files.write(dir.resolve("huge.safetensors"),
                ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 40).array());
        refuse(hugeHeader, "header length");
        refuse(Files.write(dir.resolve("tiny.safetensors"), new byte[3]), "not a safetensors file");
    }

    @Test
    void sizesAndOffsetsAreCheckedAgainstTheRealFile() throws IOException {
        // the header is honest but the data is cut: refused before any tensor is allocated
        try (NDManager m = manager.newSubManager()) {
            Path whole = dir.resolve("whole.safetensors");
            Safetensors.write(sample(m), whole);
            byte[] all = Files.readAllBytes(whole);
            long dataStart = 8 + headerLength(whole);
            for (long cut : new long[] {all.length - 1, dataStart + 3, dataStart, dataStart - 1, 12}) {
                Path f = Files.write(dir.resolve("cut" + cut + ".safetensors"), Arrays.copyOf(all, (int) cut));
                WeightsFormatException e = assertThrows(WeightsFormatException.class, () -> Safetensors.read(f, m));
                assertTrue(e.getMessage().contains("truncated"), cut + ": " + e.getMessage());
            }
        }
        // a header that claims a tensor far larger than the file: refused from the header alone
        refuse(file("lie", "{\"a\":{\"dtype\":\"F32\",\"shape\":[268435456,16],"
                + "\"data_offsets\":[0,17179869184]}}", 8), "outside the 8 data bytes");
        refuse(file("lie2", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", 8), "outside the 8");
        refuse(file("negative", "{\"a\":{\"dtype\":\"U8\",\"shape\":[8],\"data_offsets\":[-8,0]}}", 8),
                "outside");
        refuse(file("backwards", "{\"a\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[8,0]}}", 8),
                "outside");
        refuse(file("same", "{\"a\":{\"dtype\":\"U8\",\"shape\":[8],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"U8\",\"shape\":[8],\"data_offsets\":[0,8]}}", 16), "overlaps");
        refuse(file("rank", "{\"a\":{\"dtype\":\"U8\",\"shape\":[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1],"
                + "\"data_offsets\":[0,1]}}", 1), "at most 16");
        refuse(file("extra", "{\"a\":{\"dtype\":\"U8\",\"shape\":[8],\"data_offsets\":[0,8],\"x\":1}}", 8),
                "nothing else");
        refuse(file("overflow", "{\"a\":{\"dtype\":\"F64\",\"shape\":[4294967296,4294967296],"
                + "\"data_offsets\":[0,8]}}", 8), "too large");
        // a header length beyond the file, and one inside it but past the end of the stream
        Path longer = Files.write(dir.resolve("longer.safetensors"),
                ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN).putLong(33).array());
        refuse(longer, "impossible for a file of 40 bytes");
    }

    @Test
    void aStreamShorterThanItsDeclaredSizeIsTruncated() throws IOException {
        try (NDManager m = manager.newSubManager()) {
            Path f = dir.resolve("s.safetensors");
            Safetensors.write(sample(m), f);
            byte[] all = Files.readAllBytes(f);
            // the caller declares the full size, but the stream stops early (a lying archive entry)
            InputStream cut = new java.io.ByteArrayInputStream(all, 0, all.length - 5);
            Safetensors.Header h = Safetensors.readHeader(cut, all.length, "entry");
            assertEquals(List.copyOf(sample(m).keySet()), h.tensors().stream().map(Safetensors.TensorInfo::name)
                    .toList());
            WeightsFormatException e = assertThrows(WeightsFormatException.class,
                    () -> Safetensors.readTensors(cut, h, m, "entry", (t, a) -> a.close()));
            assertTrue(e.getMessage().startsWith("entry: the file ends inside tensor"), e.getMessage());
            InputStream headerCut = new java.io.ByteArrayInputStream(all, 0, 20);
            e = assertThrows(WeightsFormatException.class, () -> Safetensors.readHeader(headerCut, all.length, "e2"));
            assertTrue(e.getMessage().contains("ends inside the safetensors header"), e.getMessage());
        }
    }

    private Path file(String name, String header, int dataBytes) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        return Files.write(dir.resolve(name + ".safetensors"), b.array());
    }

    private void readOk(Path f) throws IOException {
        try (NDManager m = manager.newSubManager()) {
            assertEquals(new Shape(2), Safetensors.read(f, m).get("a").getShape());
        }
    }

    private void refuse(Path f, String why) {
        WeightsFormatException e = assertThrows(WeightsFormatException.class, () -> Safetensors.read(f, manager),
                f.getFileName().toString());
        assertTrue(e.getMessage().contains(why), f.getFileName() + ": " + e.getMessage());
    }

    private static long headerLength(Path f) throws IOException {
        byte[] b = Arrays.copyOf(Files.readAllBytes(f), 8);
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }
}

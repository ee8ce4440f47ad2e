package ai.fastai4j.nn.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes named tensors in the <a href="https://github.com/huggingface/safetensors">safetensors</a>
 * format: an 8-byte little-endian header length, a JSON header ({@code name -> {dtype, shape, data_offsets}},
 * optional {@code __metadata__} of strings), then the raw little-endian data. The format holds no code.
 *
 * <p>Files written here are read by DJL's {@code NDList.decode} and by Hugging Face's {@code safetensors}, and
 * this reader reads theirs. Unlike DJL's own encoder, the header keeps the map's order, offsets may pass
 * 2 GiB, and a string metadata map can be stored; the reader checks the header before trusting it (size, JSON
 * object with no duplicate names, known dtypes, non-negative shapes, offsets that tile the data exactly) and
 * returns the tensors in data order. {@code BF16} is widened to float32 on reading (DJL's PyTorch engine does
 * not handle bfloat16 reliably).
 */
public final class SafetensorsIO {
    /** Largest header accepted, as in Hugging Face's implementation. */
    static final long MAX_HEADER = 100L << 20;

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private SafetensorsIO() {
    }

    /** Writes {@code tensors} to {@code file} (replaced atomically if present), in the map's order. */
    public static void write(Map<String, NDArray> tensors, Path file) throws IOException {
        write(tensors, Map.of(), file);
    }

    /**
     * Writes {@code tensors} and a string {@code metadata} map (stored as {@code __metadata__}) to {@code file}.
     * The file appears only once complete (written to a temporary file, then moved).
     */
    public static void write(Map<String, NDArray> tensors, Map<String, String> metadata, Path file)
            throws IOException {
        ObjectNode header = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            String name = e.getKey();
            if (name == null || name.isEmpty() || name.equals("__metadata__")) {
                throw new IllegalArgumentException("invalid tensor name '" + name + "'");
            }
            NDArray a = e.getValue();
            ObjectNode t = header.putObject(name);
            t.put("dtype", code(a.getDataType(), name));
            ArrayNode shape = t.putArray("shape");
            for (long d : a.getShape().getShape()) {
                shape.add(d);
            }
            long bytes = a.size() * a.getDataType().getNumOfBytes();
            t.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] json = JSON.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8; // pad with spaces to 8-byte alignment, as Hugging Face does
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp");
        try {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
                out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
                out.write(json);
                for (int i = json.length; i < padded; i++) {
                    out.write(' ');
                }
                for (NDArray a : tensors.values()) {
                    ByteBuffer b = a.toByteBuffer();
                    if (b.order() != ByteOrder.LITTLE_ENDIAN && a.getDataType().getNumOfBytes() > 1) {
                        throw new IOException("big-endian native arrays are not supported");
                    }
                    byte[] bytes = new byte[b.remaining()];
                    b.get(bytes);
                    out.write(bytes);
                }
            }
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (java.nio.file.AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Reads every tensor of {@code file} onto {@code manager}, in data order, each named with its key. */
    public static Map<String, NDArray> read(Path file, NDManager manager) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Header h = header(ch, file);
            Map<String, NDArray> out = new LinkedHashMap<>();
            try {
                for (Entry e : h.entries) {
                    int n = Math.toIntExact(e.end - e.begin);
                    ByteBuffer src = ByteBuffer.allocateDirect(n).order(ByteOrder.LITTLE_ENDIAN);
                    long at = h.dataStart + e.begin;
                    while (src.hasRemaining()) {
                        int r = ch.read(src, at + src.position());
                        if (r < 0) {
                            throw new TorchFormatException(file + ": truncated data for '" + e.name + "'");
                        }
                    }
                    src.flip();
                    NDArray a;
                    if (e.shape.size() == 0) {
                        a = manager.zeros(e.shape, e.stored == DataType.BFLOAT16 ? DataType.FLOAT32 : e.stored);
                    } else if (e.stored == DataType.BFLOAT16) {
                        ByteBuffer wide = ByteBuffer.allocateDirect(n * 2).order(ByteOrder.LITTLE_ENDIAN);
                        while (src.hasRemaining()) {
                            wide.putInt((src.getShort() & 0xffff) << 16);
                        }
                        wide.flip();
                        a = manager.create(wide, e.shape, DataType.FLOAT32);
                    } else {
                        a = manager.create(src, e.shape, e.stored);
                    }
                    a.setName(e.name);
                    out.put(e.name, a);
                }
            } catch (IOException | RuntimeException ex) {
                out.values().forEach(NDArray::close);
                throw ex;
            }
            return out;
        }
    }

    /** The {@code __metadata__} strings of {@code file} (empty if none), after the same header checks. */
    public static Map<String, String> metadata(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return header(ch, file).metadata;
        }
    }

    private record Entry(String name, DataType stored, Shape shape, long begin, long end) {}

    private record Header(List<Entry> entries, Map<String, String> metadata, long dataStart) {}

    private static Header header(FileChannel ch, Path file) throws IOException {
        long fileSize = ch.size();
        if (fileSize < 8) {
            throw new TorchFormatException(file + " is not a safetensors file (" + fileSize + " bytes)");
        }
        ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, lenBuf, 0, file);
        long n = lenBuf.getLong(0);
        if (n < 2 || n > MAX_HEADER || n > fileSize - 8) {
            throw new TorchFormatException(file + ": safetensors header length " + Long.toUnsignedString(n)
                    + " is impossible for a file of " + fileSize + " bytes (not safetensors, or truncated)");
        }
        ByteBuffer hb = ByteBuffer.allocate((int) n);
        readFully(ch, hb, 8, file);
        byte[] raw = hb.array();
        if (raw[0] != '{') {
            throw new TorchFormatException(file + ": safetensors header does not start with '{'");
        }
        JsonNode root;
        try {
            root = JSON.readTree(new String(raw, StandardCharsets.UTF_8).stripTrailing());
        } catch (JsonProcessingException e) {
            throw new TorchFormatException(file + ": safetensors header is not valid JSON: " + e.getOriginalMessage(),
                    e);
        }
        if (root == null || !root.isObject()) {
            throw new TorchFormatException(file + ": safetensors header is not a JSON object");
        }
        long dataStart = 8 + n;
        long dataLength = fileSize - dataStart;
        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            String name = f.getKey();
            JsonNode v = f.getValue();
            if (name.equals("__metadata__")) {
                if (!v.isObject()) {
                    throw bad(file, name, "__metadata__ is not an object");
                }
                for (Iterator<Map.Entry<String, JsonNode>> m = v.fields(); m.hasNext(); ) {
                    Map.Entry<String, JsonNode> kv = m.next();
                    if (!kv.getValue().isTextual()) {
                        throw bad(file, name, "metadata value '" + kv.getKey() + "' is not a string");
                    }
                    metadata.put(kv.getKey(), kv.getValue().asText());
                }
                continue;
            }
            if (!v.isObject() || !v.path("dtype").isTextual() || !v.path("shape").isArray()
                    || !v.path("data_offsets").isArray() || v.path("data_offsets").size() != 2) {
                throw bad(file, name, "needs dtype (string), shape (array) and data_offsets ([begin, end])");
            }
            DataType type = type(v.get("dtype").asText(), file, name);
            long[] dims = new long[v.get("shape").size()];
            long numel = 1;
            for (int i = 0; i < dims.length; i++) {
                JsonNode d = v.get("shape").get(i);
                if (!d.canConvertToLong() || !d.isIntegralNumber() || d.asLong() < 0) {
                    throw bad(file, name, "shape " + v.get("shape") + " is not a list of non-negative integers");
                }
                dims[i] = d.asLong();
                try {
                    numel = Math.multiplyExact(numel, dims[i]);
                } catch (ArithmeticException e) {
                    throw bad(file, name, "shape " + v.get("shape") + " is too large");
                }
            }
            JsonNode o = v.get("data_offsets");
            if (!o.get(0).isIntegralNumber() || !o.get(1).isIntegralNumber() || !o.get(0).canConvertToLong()
                    || !o.get(1).canConvertToLong()) {
                throw bad(file, name, "data_offsets " + o + " are not integers");
            }
            long begin = o.get(0).asLong();
            long end = o.get(1).asLong();
            if (begin < 0 || end < begin || end > dataLength) {
                throw bad(file, name, "data_offsets " + o + " outside the " + dataLength + " data bytes"
                        + " (truncated file?)");
            }
            if (numel > (Long.MAX_VALUE / 8) || end - begin != numel * type.getNumOfBytes()) {
                throw bad(file, name, "data_offsets " + o + " hold " + (end - begin) + " bytes but " + type
                        + " " + new Shape(dims) + " needs " + numel * type.getNumOfBytes());
            }
            if (end - begin > Integer.MAX_VALUE - 16) {
                throw bad(file, name, "tensor larger than 2 GiB is not supported");
            }
            entries.add(new Entry(name, type, new Shape(dims), begin, end));
        }
        entries.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long expect = 0;
        for (Entry e : entries) {
            if (e.begin != expect) {
                throw bad(file, e.name, e.begin < expect ? "data overlaps the previous tensor's"
                        : "a gap of " + (e.begin - expect) + " bytes precedes its data");
            }
            expect = e.end;
        }
        if (expect != dataLength) {
            throw new TorchFormatException(file + ": the header describes " + expect + " data bytes but the file has "
                    + dataLength + (expect > dataLength ? " (truncated)" : " (trailing bytes)"));
        }
        return new Header(entries, metadata, dataStart);
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long at, Path file) throws IOException {
        while (b.hasRemaining()) {
            if (ch.read(b, at + b.position()) < 0) {
                throw new TorchFormatException(file + ": unexpected end of file");
            }
        }
    }

    private static TorchFormatException bad(Path file, String name, String why) {
        return new TorchFormatException(file + ": safetensors entry '" + RestrictedUnpickler.printable(name) + "': "
                + why);
    }

    private static DataType type(String code, Path file, String name) throws TorchFormatException {
        return switch (code) {
            case "F64" -> DataType.FLOAT64;
            case "F32" -> DataType.FLOAT32;
            case "F16" -> DataType.FLOAT16;
            case "BF16" -> DataType.BFLOAT16;
            case "I64" -> DataType.INT64;
            case "I32" -> DataType.INT32;
            case "I8" -> DataType.INT8;
            case "U8" -> DataType.UINT8;
            case "BOOL" -> DataType.BOOLEAN;
            default -> throw bad(file, name, "unsupported dtype '" + RestrictedUnpickler.printable(code) + "'");
        };
    }

    private static String code(DataType t, String name) {
        return switch (t) {
            case FLOAT64 -> "F64";
            case FLOAT32 -> "F32";
            case FLOAT16 -> "F16";
            case INT64 -> "I64";
            case INT32 -> "I32";
            case INT8 -> "I8";
            case UINT8 -> "U8";
            case BOOLEAN -> "BOOL";
            default -> throw new IllegalArgumentException("tensor '" + name + "' has type " + t
                    + ", which is not written to safetensors here");
        };
    }
}

package ai.fastai4j.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one reader and writer of named tensors in the <a href="https://github.com/huggingface/safetensors">
 * safetensors</a> format, used by {@code .fai} model files, {@code learn.save}/{@code load} and pretrained bodies:
 * an 8-byte little-endian header length, a JSON header ({@code name -> {dtype, shape, data_offsets}}, optional
 * {@code __metadata__} of strings), then the raw little-endian data. The format holds no code.
 *
 * <p><b>Limits.</b> The header is checked before anything is trusted or allocated: its length must fit the
 * source's real size and {@value #MAX_HEADER_BYTES} bytes; it must be one JSON object (no duplicate names, at most
 * {@value #MAX_DEPTH} levels deep) of known dtypes, shapes of at most {@value #MAX_RANK} non-negative dimensions
 * and offsets that tile the data exactly (no gap, overlap, or byte outside the source) with the size the dtype
 * and shape need. So a tensor's buffer is allocated only once the source is known to hold its bytes, and never
 * beyond them. One tensor holds less than 2 GiB.
 *
 * <p>Files written here are read by DJL's {@code NDList.decode} and Hugging Face's {@code safetensors}, and theirs
 * are read here. {@code BF16} is widened to float32 on reading (DJL's PyTorch engine does not handle bfloat16
 * reliably on CPU).
 */
public final class Safetensors {
    /** Largest header accepted, as in Hugging Face's implementation (100 MB). */
    public static final long MAX_HEADER_BYTES = 100L << 20;
    /** Most dimensions a tensor may have. */
    public static final int MAX_RANK = 16;
    /** Deepest JSON nesting accepted in a header (the format needs 3). */
    public static final int MAX_DEPTH = 8;
    private static final int MAX_TENSOR_BYTES = Integer.MAX_VALUE - 16;

    private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_DEPTH)
                    .maxNumberLength(100)
                    .maxStringLength((int) MAX_HEADER_BYTES)
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private Safetensors() {
    }

    /** One tensor of a checked header, in stored form ({@code begin}, {@code end}: offsets in the data). */
    public record TensorInfo(String name, DataType dtype, Shape shape, long begin, long end) {
        /** Bytes of data the tensor holds. */
        public long bytes() {
            return end - begin;
        }

        /** The data type the reader gives ({@code BF16} is widened to float32). */
        public DataType loadedType() {
            return dtype == DataType.BFLOAT16 ? DataType.FLOAT32 : dtype;
        }
    }

    /**
     * A checked header: the tensors in data order, the {@code __metadata__} strings, and where the data starts
     * (8 + the JSON's length).
     */
    public record Header(List<TensorInfo> tensors, Map<String, String> metadata, long dataStart) {
        public Header {
            tensors = List.copyOf(tensors);
            metadata = Map.copyOf(metadata);
        }
    }

    /** Receives the tensors of a source one by one, in data order. */
    @FunctionalInterface
    public interface TensorConsumer {
        /** {@code array} belongs to the manager given to the reader; the consumer may keep or close it. */
        void accept(TensorInfo info, NDArray array) throws IOException;
    }

    // ---------------------------------------------------------------- writing

    /** Writes {@code tensors} to {@code file} (replaced atomically if present), in the map's order. */
    public static void write(Map<String, NDArray> tensors, Path file) throws IOException {
        write(tensors, Map.of(), file);
    }

    /**
     * Writes {@code tensors} and a string {@code metadata} map (stored as {@code __metadata__}) to {@code file},
     * which appears only once complete ({@link AtomicFiles}).
     */
    public static void write(Map<String, NDArray> tensors, Map<String, String> metadata, Path file)
            throws IOException {
        byte[] header = header(tensors, metadata); // checks the names and types before any file is touched
        AtomicFiles.write(file, out -> write(header, tensors, out));
    }

    /** Writes {@code tensors} and {@code metadata} to {@code out} (not closed); returns the bytes written. */
    public static long write(Map<String, NDArray> tensors, Map<String, String> metadata, OutputStream out)
            throws IOException {
        return write(header(tensors, metadata), tensors, out);
    }

    private static byte[] header(Map<String, NDArray> tensors, Map<String, String> metadata) {
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
        try {
            byte[] json = JSON.writeValueAsBytes(header);
            int padded = (json.length + 7) / 8 * 8; // spaces up to 8-byte alignment, as Hugging Face does
            byte[] out = new byte[8 + padded];
            ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).put(json);
            java.util.Arrays.fill(out, 8 + json.length, out.length, (byte) ' ');
            return out;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a safetensors header: " + e.getMessage(), e);
        }
    }

    private static long write(byte[] header, Map<String, NDArray> tensors, OutputStream out) throws IOException {
        out.write(header);
        long n = header.length;
        for (NDArray a : tensors.values()) {
            ByteBuffer b = a.toByteBuffer();
            if (b.order() != ByteOrder.LITTLE_ENDIAN && a.getDataType().getNumOfBytes() > 1) {
                throw new IOException("big-endian native arrays are not supported");
            }
            byte[] bytes = new byte[b.remaining()];
            b.get(bytes);
            out.write(bytes);
            n += bytes.length;
        }
        return n;
    }

    // ---------------------------------------------------------------- reading

    /** Reads every tensor of {@code file} onto {@code manager}, in data order, each named with its key. */
    public static Map<String, NDArray> read(Path file, NDManager manager) throws IOException {
        Map<String, NDArray> out = new LinkedHashMap<>();
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            Header h = readHeader(in, Files.size(file), file.toString());
            readTensors(in, h, manager, file.toString(), (info, a) -> out.put(info.name(), a));
        } catch (IOException | RuntimeException e) {
            out.values().forEach(NDArray::close);
            throw e;
        }
        return out;
    }

    /** The {@code __metadata__} strings of {@code file} (empty if none), after the same header checks. */
    public static Map<String, String> metadata(Path file) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            return readHeader(in, Files.size(file), file.toString()).metadata();
        }
    }

    /**
     * Reads and checks the header at the start of {@code in}, a source of exactly {@code size} bytes (the caller
     * knows it: a file's size, or a checked archive entry's). {@code source} names it in errors.
     *
     * @throws WeightsFormatException naming the source and what is wrong
     */
    public static Header readHeader(InputStream in, long size, String source) throws IOException {
        if (size < 8) {
            throw new WeightsFormatException(source + " is not a safetensors file (" + size + " bytes)");
        }
        byte[] lenBytes = in.readNBytes(8);
        if (lenBytes.length < 8) {
            throw new WeightsFormatException(source + ": unexpected end of file");
        }
        long n = ByteBuffer.wrap(lenBytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (n < 2 || n > MAX_HEADER_BYTES || n > size - 8) {
            throw new WeightsFormatException(source + ": safetensors header length " + Long.toUnsignedString(n)
                    + " is impossible for a file of " + size + " bytes (not safetensors, or truncated)");
        }
        byte[] raw = in.readNBytes((int) n); // grows with what arrives: never more than the source holds
        if (raw.length < n) {
            throw new WeightsFormatException(source + ": the file ends inside the safetensors header (truncated)");
        }
        if (raw[0] != '{') {
            throw new WeightsFormatException(source + ": safetensors header does not start with '{'");
        }
        JsonNode root;
        try {
            String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(raw)).toString();
            root = JSON.readTree(text.stripTrailing());
        } catch (CharacterCodingException e) {
            throw new WeightsFormatException(source + ": safetensors header is not valid UTF-8", e);
        } catch (JsonProcessingException e) {
            throw new WeightsFormatException(source + ": safetensors header is not valid JSON: "
                    + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new WeightsFormatException(source + ": safetensors header is not a JSON object");
        }
        return check(root, 8 + n, size - 8 - n, source);
    }

    /**
     * Reads the tensors {@code header} describes from {@code in} (positioned just after the header), in data
     * order, onto {@code manager}, and hands each to {@code consumer}. Zero-size tensors are given as empty
     * arrays.
     */
    public static void readTensors(InputStream in, Header header, NDManager manager, String source,
            TensorConsumer consumer) throws IOException {
        ReadableByteChannel ch = Channels.newChannel(in);
        for (TensorInfo t : header.tensors()) {
            int n = (int) t.bytes(); // checked against the source's size and MAX_TENSOR_BYTES by the header
            ByteBuffer src = ByteBuffer.allocateDirect(n).order(ByteOrder.LITTLE_ENDIAN);
            while (src.hasRemaining()) {
                if (ch.read(src) < 0) {
                    throw new WeightsFormatException(source + ": the file ends inside tensor '"
                            + WeightsFormatException.printable(t.name()) + "' (truncated)");
                }
            }
            src.flip();
            NDArray a;
            if (t.shape().size() == 0) {
                a = manager.zeros(t.shape(), t.loadedType());
            } else if (t.dtype() == DataType.BFLOAT16) {
                ByteBuffer wide = ByteBuffer.allocateDirect(n * 2).order(ByteOrder.LITTLE_ENDIAN);
                while (src.hasRemaining()) {
                    wide.putInt((src.getShort() & 0xffff) << 16);
                }
                wide.flip();
                a = manager.create(wide, t.shape(), DataType.FLOAT32);
            } else {
                a = manager.create(src, t.shape(), t.dtype());
            }
            a.setName(t.name());
            consumer.accept(t, a);
        }
    }

    private static Header check(JsonNode root, long dataStart, long dataLength, String source)
            throws WeightsFormatException {
        Map<String, String> metadata = new LinkedHashMap<>();
        List<TensorInfo> entries = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            String name = f.getKey();
            JsonNode v = f.getValue();
            if (name.equals("__metadata__")) {
                if (!v.isObject()) {
                    throw bad(source, name, "__metadata__ is not an object");
                }
                for (Iterator<Map.Entry<String, JsonNode>> m = v.fields(); m.hasNext(); ) {
                    Map.Entry<String, JsonNode> kv = m.next();
                    if (!kv.getValue().isTextual()) {
                        throw bad(source, name, "metadata value '" + WeightsFormatException.printable(kv.getKey())
                                + "' is not a string");
                    }
                    metadata.put(kv.getKey(), kv.getValue().asText());
                }
                continue;
            }
            if (name.isEmpty() || !v.isObject() || v.size() != 3 || !v.path("dtype").isTextual()
                    || !v.path("shape").isArray() || !v.path("data_offsets").isArray()
                    || v.path("data_offsets").size() != 2) {
                throw bad(source, name, "needs dtype (string), shape (array) and data_offsets ([begin, end]), "
                        + "nothing else, and a non-empty name");
            }
            DataType type = type(v.get("dtype").asText(), source, name);
            JsonNode sh = v.get("shape");
            if (sh.size() > MAX_RANK) {
                throw bad(source, name, "shape has " + sh.size() + " dimensions, at most " + MAX_RANK + " accepted");
            }
            long[] dims = new long[sh.size()];
            long numel = 1;
            for (int i = 0; i < dims.length; i++) {
                JsonNode d = sh.get(i);
                if (!d.isIntegralNumber() || !d.canConvertToLong() || d.asLong() < 0) {
                    throw bad(source, name, "shape " + sh + " is not a list of non-negative integers");
                }
                dims[i] = d.asLong();
                try {
                    numel = Math.multiplyExact(numel, dims[i]);
                } catch (ArithmeticException e) {
                    throw bad(source, name, "shape " + sh + " is too large");
                }
            }
            JsonNode o = v.get("data_offsets");
            if (!o.get(0).isIntegralNumber() || !o.get(1).isIntegralNumber() || !o.get(0).canConvertToLong()
                    || !o.get(1).canConvertToLong()) {
                throw bad(source, name, "data_offsets " + o + " are not integers");
            }
            long begin = o.get(0).asLong();
            long end = o.get(1).asLong();
            if (begin < 0 || end < begin || end > dataLength) {
                throw bad(source, name, "data_offsets " + o + " outside the " + dataLength + " data bytes"
                        + " (truncated file?)");
            }
            if (numel > Long.MAX_VALUE / 8 || end - begin != numel * type.getNumOfBytes()) {
                throw bad(source, name, "data_offsets " + o + " hold " + (end - begin) + " bytes but " + type
                        + " " + new Shape(dims) + " needs " + (numel > Long.MAX_VALUE / 8 ? "more"
                        : String.valueOf(numel * type.getNumOfBytes())));
            }
            if (end - begin > MAX_TENSOR_BYTES) {
                throw bad(source, name, "tensor larger than 2 GiB is not supported");
            }
            entries.add(new TensorInfo(name, type, new Shape(dims), begin, end));
        }
        entries.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        long expect = 0;
        for (TensorInfo e : entries) {
            if (e.begin() != expect) {
                throw bad(source, e.name(), e.begin() < expect ? "data overlaps the previous tensor's"
                        : "a gap of " + (e.begin() - expect) + " bytes precedes its data");
            }
            expect = e.end();
        }
        if (expect != dataLength) {
            throw new WeightsFormatException(source + ": the header describes " + expect + " data bytes but the file "
                    + "has " + dataLength + (expect > dataLength ? " (truncated)" : " (trailing bytes)"));
        }
        return new Header(entries, metadata, dataStart);
    }

    private static WeightsFormatException bad(String source, String name, String why) {
        return new WeightsFormatException(source + ": safetensors entry '" + WeightsFormatException.printable(name)
                + "': " + why);
    }

    private static DataType type(String code, String source, String name) throws WeightsFormatException {
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
            default -> throw bad(source, name, "unsupported dtype '" + WeightsFormatException.printable(code) + "'");
        };
    }

    /** The safetensors code of a data type this writer stores. */
    public static String code(DataType t, String name) {
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

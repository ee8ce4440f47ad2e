package ai.fastai4j.io.torch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.fastai4j.io.torch.RestrictedUnpickler.StorageRef;
import ai.fastai4j.io.torch.RestrictedUnpickler.TensorRef;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Reads PyTorch {@code .pth} files written by {@code torch.save(model.state_dict(), f)} (the zip format of
 * torch 1.6 and later: {@code <archive>/data.pkl}, {@code <archive>/data/<key>} storages, {@code
 * <archive>/version}) into DJL arrays, safely.
 *
 * <p>Safety: the pickle is read by a restricted unpickler written in Java that understands only the data
 * opcodes and the few globals a state dict needs ({@code collections.OrderedDict}, {@code
 * torch._utils._rebuild_tensor_v2}, {@code torch._utils._rebuild_parameter} and the {@code torch.*Storage}
 * type tags). Any other global (e.g. {@code os.system}, {@code builtins.eval}) is refused with a {@link
 * ForbiddenGlobalException} naming it, and nothing from the file is ever executed.
 *
 * <p>Tensors: storage offset, size and stride are honoured (non-contiguous tensors such as a transposed view
 * are copied element by element into a contiguous array); 0-d tensors become arrays of shape {@code ()};
 * storages saved on a GPU are read onto the CPU. Element types: float32, float64, float16, int64, int32,
 * int8, uint8 and bool keep their type; bfloat16 is widened to float32 and int16 to int32 (types DJL's
 * PyTorch engine does not handle well). The legacy (pre-1.6, non-zip) format is refused with a message
 * saying how to re-save the file.
 */
public final class TorchStateDictReader {

    /** Largest {@code data.pkl} read (the pickle of a state dict is a few KB to a few MB). */
    static final int MAX_PICKLE_BYTES = 64 << 20;
    /** Largest accepted ratio of an entry's size to its compressed size (for entries over 1 MB), as .fai files. */
    static final int MAX_RATIO = 100;
    private static final long RATIO_MIN_BYTES = 1 << 20;

    /** Name, element type and shape of a tensor in a file, read without loading its data. */
    public record TensorInfo(String name, DataType dataType, Shape shape, String storageType, boolean contiguous) {}

    private TorchStateDictReader() {
    }

    /**
     * Reads every tensor of the state dict in {@code file}, in file order, onto {@code manager}. Each array is
     * named with its key ({@link NDArray#getName()}).
     *
     * @throws ForbiddenGlobalException when the pickle names a global other than the allowed ones
     * @throws TorchFormatException when the file is not a readable {@code torch.save} zip of a state dict
     */
    public static Map<String, NDArray> read(Path file, NDManager manager) throws IOException {
        try (Archive a = Archive.open(file)) {
            Map<String, TensorRef> refs = a.stateDict();
            Map<String, Integer> uses = new HashMap<>();
            refs.values().forEach(r -> uses.merge(r.storage().key(), 1, Integer::sum));
            Map<String, byte[]> storages = new HashMap<>();
            Map<String, NDArray> out = new LinkedHashMap<>();
            try {
                for (Map.Entry<String, TensorRef> e : refs.entrySet()) {
                    TensorRef r = e.getValue();
                    String key = r.storage().key();
                    byte[] storage = storages.get(key);
                    if (storage == null) {
                        storage = a.storage(r.storage());
                        storages.put(key, storage);
                    }
                    NDArray array = materialise(e.getKey(), r, storage, a.bigEndian, manager, a.file);
                    array.setName(e.getKey());
                    out.put(e.getKey(), array);
                    if (uses.merge(key, -1, Integer::sum) == 0) {
                        storages.remove(key); // let large storages go as soon as their last tensor is built
                    }
                }
            } catch (IOException | RuntimeException ex) {
                out.values().forEach(NDArray::close);
                throw ex;
            }
            return out;
        }
    }

    /** Names, types and shapes of the tensors in {@code file}, in file order, without reading their data. */
    public static Map<String, TensorInfo> inspect(Path file) throws IOException {
        try (Archive a = Archive.open(file)) {
            Map<String, TensorInfo> out = new LinkedHashMap<>();
            for (Map.Entry<String, TensorRef> e : a.stateDict().entrySet()) {
                TensorRef r = e.getValue();
                Dtype t = Dtype.of(r.storage().storageType());
                out.put(e.getKey(), new TensorInfo(e.getKey(), t.out, new Shape(r.size()),
                        r.storage().storageType(), isContiguous(r.size(), r.stride())));
            }
            return out;
        }
    }

    /** Storage element types: bytes per element in the file, and the DJL type they become. */
    private enum Dtype {
        FLOAT(4, DataType.FLOAT32), DOUBLE(8, DataType.FLOAT64), HALF(2, DataType.FLOAT16),
        BFLOAT16(2, DataType.FLOAT32), LONG(8, DataType.INT64), INT(4, DataType.INT32),
        SHORT(2, DataType.INT32), CHAR(1, DataType.INT8), BYTE(1, DataType.UINT8), BOOL(1, DataType.BOOLEAN);

        final int size;
        final DataType out;

        Dtype(int size, DataType out) {
            this.size = size;
            this.out = out;
        }

        boolean widened() {
            return this == BFLOAT16 || this == SHORT;
        }

        static Dtype of(String storageType) {
            return switch (storageType) {
                case "FloatStorage" -> FLOAT;
                case "DoubleStorage" -> DOUBLE;
                case "HalfStorage" -> HALF;
                case "BFloat16Storage" -> BFLOAT16;
                case "LongStorage" -> LONG;
                case "IntStorage" -> INT;
                case "ShortStorage" -> SHORT;
                case "CharStorage" -> CHAR;
                case "ByteStorage" -> BYTE;
                case "BoolStorage" -> BOOL;
                default -> throw new IllegalArgumentException(storageType);
            };
        }
    }

    private static NDArray materialise(String name, TensorRef r, byte[] storage, boolean bigEndian,
            NDManager manager, Path file) throws TorchFormatException {
        Dtype t = Dtype.of(r.storage().storageType());
        long[] size = r.size();
        long[] stride = r.stride();
        long numel;
        long last = r.offset();
        try {
            numel = 1;
            for (int i = 0; i < size.length; i++) {
                numel = Math.multiplyExact(numel, size[i]);
                if (size[i] > 0) {
                    last = Math.addExact(last, Math.multiplyExact(size[i] - 1, stride[i]));
                }
            }
        } catch (ArithmeticException e) {
            throw new TorchFormatException(file + ": tensor '" + name + "' has an impossible size or stride");
        }
        Shape shape = new Shape(size);
        if (numel == 0) {
            return manager.zeros(shape, t.out);
        }
        long available = Math.min(r.storage().numel(), storage.length / t.size);
        if (r.offset() < 0 || last >= available) {
            throw new TorchFormatException(file + ": tensor '" + name + "' (offset " + r.offset() + ", size "
                    + shape + ", stride " + java.util.Arrays.toString(stride) + ") reaches element " + last
                    + " of a storage of " + available + " elements");
        }
        if (numel > available) { // only overlapping strides (0, or smaller than a row) give more elements than stored
            throw new TorchFormatException(file + ": tensor '" + name + "' " + shape + " has " + numel
                    + " elements over a storage of " + available + " (stride " + java.util.Arrays.toString(stride)
                    + " overlaps): a state dict holds no such views; save the tensors with .contiguous()");
        }
        if (numel > Integer.MAX_VALUE || numel * t.out.getNumOfBytes() > Integer.MAX_VALUE) {
            throw new TorchFormatException(file + ": tensor '" + name + "' " + shape
                    + " is too large for one DJL array (2^31 bytes)");
        }
        int n = (int) numel;
        ByteBuffer dst = ByteBuffer.allocateDirect(n * t.out.getNumOfBytes()).order(ByteOrder.LITTLE_ENDIAN);
        boolean contiguous = isContiguous(size, stride);
        if (contiguous && !t.widened() && (!bigEndian || t.size == 1)) {
            dst.put(storage, Math.toIntExact(r.offset() * t.size), n * t.size);
        } else {
            ByteBuffer src = ByteBuffer.wrap(storage).order(bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
            long[] idx = new long[size.length];
            long at = r.offset();
            for (int k = 0; k < n; k++) {
                copyElement(t, src, (int) (at * t.size), dst);
                for (int d = size.length - 1; d >= 0; d--) { // odometer over the indices, row-major
                    idx[d]++;
                    at += stride[d];
                    if (idx[d] < size[d]) {
                        break;
                    }
                    at -= idx[d] * stride[d];
                    idx[d] = 0;
                }
            }
        }
        dst.rewind();
        return manager.create(dst, shape, t.out);
    }

    private static void copyElement(Dtype t, ByteBuffer src, int byteIndex, ByteBuffer dst) {
        switch (t) {
            case FLOAT, INT -> dst.putInt(src.getInt(byteIndex));
            case DOUBLE, LONG -> dst.putLong(src.getLong(byteIndex));
            case HALF -> dst.putShort(src.getShort(byteIndex));
            case BFLOAT16 -> dst.putInt((src.getShort(byteIndex) & 0xffff) << 16);
            case SHORT -> dst.putInt(src.getShort(byteIndex));
            case CHAR, BYTE, BOOL -> dst.put(src.get(byteIndex));
        }
    }

    /** PyTorch's rule: row-major strides, ignoring dimensions of size 1. */
    static boolean isContiguous(long[] size, long[] stride) {
        long expected = 1;
        for (int d = size.length - 1; d >= 0; d--) {
            if (size[d] == 0) {
                return true;
            }
            if (size[d] != 1) {
                if (stride[d] != expected) {
                    return false;
                }
                expected *= size[d];
            }
        }
        return true;
    }

    /** The open zip: its record prefix, byte order and pickle. */
    private static final class Archive implements AutoCloseable {
        final Path file;
        final ZipFile zip;
        final String prefix;
        final boolean bigEndian;

        private Archive(Path file, ZipFile zip, String prefix, boolean bigEndian) {
            this.file = file;
            this.zip = zip;
            this.prefix = prefix;
            this.bigEndian = bigEndian;
        }

        static Archive open(Path file) throws IOException {
            checkMagic(file);
            ZipFile zip;
            try {
                zip = new ZipFile(file.toFile());
            } catch (ZipException e) {
                throw new TorchFormatException(file + " starts like a zip but is not a complete one (" + e.getMessage()
                        + "): the file is truncated or corrupt; download or save it again", e);
            }
            try {
                String pkl = null;
                for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); ) {
                    String n = en.nextElement().getName();
                    if (n.endsWith("data.pkl") && (n.equals("data.pkl") || n.endsWith("/data.pkl"))
                            && n.indexOf('/') == n.lastIndexOf('/')) {
                        if (pkl != null) {
                            throw new TorchFormatException(file + ": more than one data.pkl (" + pkl + ", " + n + ")");
                        }
                        pkl = n;
                    }
                }
                if (pkl == null) {
                    throw new TorchFormatException(file + " is a zip file but not a torch.save archive (no data.pkl;"
                            + " a TorchScript or other archive?)");
                }
                String prefix = pkl.substring(0, pkl.length() - "data.pkl".length());
                boolean big = false;
                ZipEntry order = zip.getEntry(prefix + "byteorder");
                if (order != null) {
                    String o = new String(readEntry(zip, order, file, 16), StandardCharsets.US_ASCII).trim();
                    if (!o.equals("little") && !o.equals("big")) {
                        throw new TorchFormatException(file + ": unknown byte order '" + o + "'");
                    }
                    big = o.equals("big");
                }
                return new Archive(file, zip, prefix, big);
            } catch (IOException | RuntimeException e) {
                zip.close();
                throw e;
            }
        }

        Map<String, TensorRef> stateDict() throws IOException {
            ZipEntry pkl = zip.getEntry(prefix + "data.pkl");
            Object root = RestrictedUnpickler.load(readEntry(zip, pkl, file, MAX_PICKLE_BYTES),
                    file + ":" + pkl.getName());
            if (!(root instanceof Map<?, ?> map)) {
                throw new TorchFormatException(file + " holds a " + RestrictedUnpickler.typeName(root)
                        + ", not a state dict; save model.state_dict()");
            }
            Map<String, TensorRef> out = new LinkedHashMap<>();
            List<String> other = new ArrayList<>();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (!(e.getKey() instanceof String k)) {
                    throw new TorchFormatException(file + ": state dict key " + e.getKey() + " is not a string");
                }
                if (e.getValue() instanceof TensorRef r) {
                    out.put(k, r);
                } else {
                    other.add(k + " (" + RestrictedUnpickler.typeName(e.getValue()) + ")");
                }
            }
            if (!other.isEmpty()) {
                throw new TorchFormatException(file + " is a dict with entries that are not tensors: "
                        + String.join(", ", other.subList(0, Math.min(10, other.size())))
                        + (other.size() > 10 ? ", ..." : "")
                        + ". A checkpoint that wraps the state dict must be unwrapped: re-save with"
                        + " torch.save(checkpoint['model'], path) or the like");
            }
            return out;
        }

        byte[] storage(StorageRef s) throws IOException {
            ZipEntry e = zip.getEntry(prefix + "data/" + s.key());
            if (e == null) {
                throw new TorchFormatException(file + ": storage data/" + s.key() + " is missing from the archive");
            }
            Dtype t = Dtype.of(s.storageType());
            long need;
            try {
                need = Math.multiplyExact(s.numel(), t.size);
            } catch (ArithmeticException ex) {
                throw new TorchFormatException(file + ": storage data/" + s.key() + " claims " + s.numel() + " elements");
            }
            if (e.getSize() >= 0 && e.getSize() < need) {
                throw new TorchFormatException(file + ": storage data/" + s.key() + " has " + e.getSize()
                        + " bytes, needs " + need + " (truncated or corrupt file)");
            }
            if (need > Integer.MAX_VALUE - 16) {
                throw new TorchFormatException(file + ": storage data/" + s.key() + " is larger than 2 GiB,"
                        + " which this reader does not support");
            }
            byte[] b = readEntry(zip, e, file, need);
            if (b.length < need) {
                throw new TorchFormatException(file + ": storage data/" + s.key() + " has " + b.length
                        + " bytes, needs " + need + " (truncated or corrupt file)");
            }
            return b;
        }

        /**
         * An entry's bytes, at most {@code limit} (what the pickle declares for a storage): an entry declaring or
         * inflating to more, or compressed more than {@value #MAX_RATIO} to 1, is refused before it is read.
         */
        private static byte[] readEntry(ZipFile zip, ZipEntry e, Path file, long limit) throws IOException {
            if (e.getSize() > Integer.MAX_VALUE - 16) {
                throw new TorchFormatException(file + ": entry " + e.getName() + " is larger than 2 GiB");
            }
            long expect = e.getSize() >= 0 ? Math.min(e.getSize(), limit) : limit;
            if (e.getMethod() == ZipEntry.DEFLATED && expect > RATIO_MIN_BYTES && e.getCompressedSize() >= 0
                    && expect / MAX_RATIO > e.getCompressedSize()) {
                throw new TorchFormatException(file + ": entry " + e.getName() + " inflates " + e.getCompressedSize()
                        + " bytes to " + expect + ", more than " + MAX_RATIO + " to 1 (torch.save stores its entries"
                        + " uncompressed): refused");
            }
            try (InputStream in = zip.getInputStream(e)) {
                byte[] b = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 16, limit + 1));
                if (b.length > limit) {
                    throw new TorchFormatException(file + ": entry " + e.getName() + " holds more than the " + limit
                            + " bytes expected: refused");
                }
                if (e.getSize() >= 0 && b.length != e.getSize()) {
                    throw new TorchFormatException(file + ": entry " + e.getName() + " has " + b.length
                            + " bytes instead of " + e.getSize() + " (truncated or corrupt file)");
                }
                return b;
            } catch (ZipException | EOFException ex) {
                throw new TorchFormatException(file + ": cannot read entry " + e.getName() + " (" + ex.getMessage()
                        + "): the file is truncated or corrupt", ex);
            }
        }

        private static void checkMagic(Path file) throws IOException {
            byte[] head = new byte[512];
            int n;
            try (InputStream in = Files.newInputStream(file)) {
                n = in.readNBytes(head, 0, head.length);
            } catch (NoSuchFileException e) {
                throw new NoSuchFileException(file.toString(), null, "weights file not found");
            }
            if (n >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) {
                return;
            }
            boolean pickle = n >= 2 && (head[0] & 0xff) == 0x80 && head[1] >= 2 && head[1] <= 5;
            boolean tar = n >= 262 && new String(head, 257, 5, StandardCharsets.US_ASCII).equals("ustar");
            if (pickle || tar) {
                throw new TorchFormatException(file + ": legacy torch.save format is not supported; re-save with"
                        + " torch>=1.6: torch.save(torch.load(old_path), new_path)");
            }
            throw new TorchFormatException(file + " is not a PyTorch .pth file (" + n + " bytes, no zip header)"
                    + (n == 0 ? ": it is empty" : ""));
        }

        @Override
        public void close() throws IOException {
            zip.close();
        }
    }
}

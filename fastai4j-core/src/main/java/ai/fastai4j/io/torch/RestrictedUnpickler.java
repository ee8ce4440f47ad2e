package ai.fastai4j.io.torch;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A pickle reader that knows only what {@code torch.save(state_dict)} writes. It interprets the data opcodes
 * (numbers, strings, tuples, lists, dicts, memo) and a fixed allow-list of globals, each of which it maps to
 * a Java value: it never loads or runs anything named in the file. Any other global is refused with a
 * {@link ForbiddenGlobalException} as soon as it is named, and opcodes that build arbitrary objects (INST,
 * OBJ, NEWOBJ, EXT*) are refused as well.
 *
 * <p>Allowed globals: {@code collections.OrderedDict}, {@code torch._utils._rebuild_tensor_v2},
 * {@code torch._utils._rebuild_parameter}, {@code torch._utils._rebuild_parameter_with_state}, and the storage
 * type tags {@code torch.{Float,Double,Half,BFloat16,Long,Int,Short,Char,Byte,Bool}Storage}, which are only
 * accepted inside a persistent id.
 */
final class RestrictedUnpickler {

    /** Python's None. */
    enum None { NONE }

    /** An allowed global, by kind. */
    record Global(String module, String name, Kind kind) {
        enum Kind { ORDERED_DICT, REBUILD_TENSOR_V2, REBUILD_PARAMETER, STORAGE_TYPE }

        String qualified() {
            return module + "." + name;
        }
    }

    /** A Python tuple (immutable, compared by value). */
    record Tuple(List<Object> items) {
        Tuple {
            items = Collections.unmodifiableList(new ArrayList<>(items));
        }

        int size() {
            return items.size();
        }

        Object get(int i) {
            return items.get(i);
        }
    }

    /** A storage named by a persistent id: the zip entry {@code data/<key>}, its element type and count. */
    record StorageRef(String key, String storageType, long numel, String location) {}

    /** A tensor view of a storage, as {@code _rebuild_tensor_v2} describes it. */
    record TensorRef(StorageRef storage, long offset, long[] size, long[] stride) {}

    private static final Set<String> STORAGE_TYPES = Set.of("FloatStorage", "DoubleStorage", "HalfStorage",
            "BFloat16Storage", "LongStorage", "IntStorage", "ShortStorage", "CharStorage", "ByteStorage",
            "BoolStorage");

    private static final Object MARK = new Object() {
        @Override
        public String toString() {
            return "MARK";
        }
    };

    private final byte[] data;
    private final String source;
    private int pos;
    private final List<Object> stack = new ArrayList<>();
    private final Deque<Integer> marks = new ArrayDeque<>();
    private final Map<Long, Object> memo = new HashMap<>();

    private RestrictedUnpickler(byte[] data, String source) {
        this.data = data;
        this.source = source;
    }

    /**
     * Reads one pickle.
     *
     * @param source a name for messages (the file and entry)
     */
    static Object load(byte[] pickle, String source) throws TorchFormatException {
        return new RestrictedUnpickler(pickle, source).run();
    }

    /** Checks a global against the allow-list; returns its kind or throws naming it. */
    static Global resolve(String module, String name, String source) throws ForbiddenGlobalException {
        String q = module + "." + name;
        Global.Kind kind = null;
        if (module.equals("collections") && name.equals("OrderedDict")) {
            kind = Global.Kind.ORDERED_DICT;
        } else if (module.equals("torch._utils") && name.equals("_rebuild_tensor_v2")) {
            kind = Global.Kind.REBUILD_TENSOR_V2;
        } else if (module.equals("torch._utils")
                && (name.equals("_rebuild_parameter") || name.equals("_rebuild_parameter_with_state"))) {
            kind = Global.Kind.REBUILD_PARAMETER;
        } else if (module.equals("torch") && STORAGE_TYPES.contains(name)) {
            kind = Global.Kind.STORAGE_TYPE;
        }
        if (kind == null) {
            throw new ForbiddenGlobalException(q, source + ": refusing to load: the pickle names the global '"
                    + printable(q) + "', which a state dict does not need. Only collections.OrderedDict, "
                    + "torch._utils._rebuild_tensor_v2, torch._utils._rebuild_parameter and torch.*Storage are "
                    + "allowed. Nothing from the file was executed. If the file is yours, re-save it with "
                    + "torch.save(model.state_dict(), path).");
        }
        return new Global(module, name, kind);
    }

    private Object run() throws TorchFormatException {
        try {
            while (true) {
                int at = pos;
                int op = u8();
                switch (op) {
                    case 0x80 -> { // PROTO
                        int proto = u8();
                        if (proto > 5) {
                            throw error(at, "unsupported pickle protocol " + proto);
                        }
                    }
                    case 0x95 -> skip(8); // FRAME: length of the next frame; we read the whole pickle anyway
                    case '.' -> { // STOP
                        if (stack.size() != 1 || !marks.isEmpty()) {
                            throw error(at, "STOP with " + stack.size() + " values on the stack");
                        }
                        return stack.get(0);
                    }
                    case '(' -> marks.push(stack.size());
                    case '0' -> pop(at);
                    case '1' -> popMark(at);
                    case '2' -> push(peek(at));
                    case 'N' -> push(None.NONE);
                    case 0x88 -> push(Boolean.TRUE);
                    case 0x89 -> push(Boolean.FALSE);
                    case 'J' -> push((long) i32());
                    case 'K' -> push((long) u8());
                    case 'M' -> push((long) (u8() | u8() << 8));
                    case 0x8a -> push(longLE(u8(), at));
                    case 0x8b -> push(longLE(len(i32(), at), at));
                    case 'I' -> push(textInt(line(), at));
                    case 'L' -> {
                        String s = line();
                        push(textInt(s.endsWith("L") ? s.substring(0, s.length() - 1) : s, at));
                    }
                    case 'G' -> push(Double.longBitsToDouble(beLong()));
                    case 'X' -> push(utf8(len(i32(), at)));
                    case 0x8c -> push(utf8(u8()));
                    case 0x8d -> push(utf8(len(i64(), at)));
                    case 'T' -> push(latin1(len(i32(), at)));
                    case 'U' -> push(latin1(u8()));
                    case 'B' -> push(bytes(len(i32(), at)));
                    case 'C' -> push(bytes(u8()));
                    case 0x8e -> push(bytes(len(i64(), at)));
                    case ')' -> push(new Tuple(List.of()));
                    case 't' -> push(new Tuple(popMark(at)));
                    case 0x85 -> push(new Tuple(popN(1, at)));
                    case 0x86 -> push(new Tuple(popN(2, at)));
                    case 0x87 -> push(new Tuple(popN(3, at)));
                    case ']' -> push(new ArrayList<>());
                    case 'l' -> push(new ArrayList<>(popMark(at)));
                    case 'a' -> {
                        Object v = pop(at);
                        list(peek(at), at).add(v);
                    }
                    case 'e' -> {
                        List<Object> items = popMark(at);
                        list(peek(at), at).addAll(items);
                    }
                    case '}' -> push(new LinkedHashMap<>());
                    case 'd' -> {
                        Map<Object, Object> d = new LinkedHashMap<>();
                        putPairs(d, popMark(at), at);
                        push(d);
                    }
                    case 's' -> {
                        Object v = pop(at);
                        Object k = pop(at);
                        dict(peek(at), at).put(key(k, at), v);
                    }
                    case 'u' -> {
                        List<Object> items = popMark(at);
                        putPairs(dict(peek(at), at), items, at);
                    }
                    case 'c' -> {
                        String module = line();
                        String name = line();
                        push(resolve(module, name, source));
                    }
                    case 0x93 -> {
                        Object name = pop(at);
                        Object module = pop(at);
                        if (!(module instanceof String m) || !(name instanceof String n)) {
                            throw error(at, "STACK_GLOBAL needs two strings, got " + typeName(module) + " and "
                                    + typeName(name));
                        }
                        push(resolve(m, n, source));
                    }
                    case 'i' -> { // INST: check the name first so that the message names the global
                        resolve(line(), line(), source);
                        throw error(at, "opcode INST (object construction) is not allowed in a state dict");
                    }
                    case 'R' -> {
                        Object args = pop(at);
                        Object fn = pop(at);
                        push(reduce(fn, args, at));
                    }
                    case 'b' -> {
                        Object state = pop(at);
                        build(peek(at), state, at);
                    }
                    case 'Q' -> push(persistentLoad(pop(at), at));
                    case 'q' -> memo.put((long) u8(), peek(at));
                    case 'r' -> memo.put(Integer.toUnsignedLong(i32()), peek(at));
                    case 'p' -> memo.put(textLong(line(), at), peek(at));
                    case 0x94 -> memo.put((long) memo.size(), peek(at));
                    case 'h' -> push(memoGet(u8(), at));
                    case 'j' -> push(memoGet(Integer.toUnsignedLong(i32()), at));
                    case 'g' -> push(memoGet(textLong(line(), at), at));
                    case 'o', 0x81, 0x92 -> throw error(at, "opcode " + opName(op)
                            + " (object construction) is not allowed in a state dict");
                    case 0x82, 0x83, 0x84 -> throw error(at, "opcode " + opName(op)
                            + " (copyreg extension registry) is not allowed in a state dict");
                    case 'P' -> throw error(at, "text persistent ids (PERSID) are not used by torch.save");
                    default -> throw error(at, "unsupported pickle opcode " + opName(op));
                }
            }
        } catch (IndexOutOfBoundsException e) {
            throw new TorchFormatException(source + ": the pickle ends early (truncated file?) at byte " + pos, e);
        }
    }

    private Object reduce(Object fn, Object args, int at) throws TorchFormatException {
        if (!(fn instanceof Global g)) {
            throw error(at, "REDUCE on a " + typeName(fn) + ", not a global");
        }
        if (!(args instanceof Tuple t)) {
            throw error(at, "REDUCE arguments are a " + typeName(args) + ", not a tuple");
        }
        switch (g.kind()) {
            case ORDERED_DICT -> {
                Map<Object, Object> d = new LinkedHashMap<>();
                if (t.size() == 1 && t.get(0) instanceof List<?> pairs) {
                    for (Object p : pairs) {
                        if (!(p instanceof Tuple kv) || kv.size() != 2) {
                            throw error(at, "OrderedDict expects (key, value) pairs");
                        }
                        d.put(key(kv.get(0), at), kv.get(1));
                    }
                } else if (t.size() != 0) {
                    throw error(at, "OrderedDict called with " + t.size() + " arguments");
                }
                return d;
            }
            case REBUILD_TENSOR_V2 -> {
                if (t.size() < 4 || t.size() > 7) {
                    throw error(at, "_rebuild_tensor_v2 called with " + t.size() + " arguments");
                }
                if (!(t.get(0) instanceof StorageRef storage)) {
                    throw error(at, "_rebuild_tensor_v2 needs a storage, got " + typeName(t.get(0)));
                }
                long offset = asLong(t.get(1), "storage offset", at);
                long[] size = longs(t.get(2), "size", at);
                long[] stride = longs(t.get(3), "stride", at);
                if (size.length != stride.length) {
                    throw error(at, "tensor size " + java.util.Arrays.toString(size) + " and stride "
                            + java.util.Arrays.toString(stride) + " differ in length");
                }
                return new TensorRef(storage, offset, size, stride);
            }
            case REBUILD_PARAMETER -> {
                if (t.size() < 1 || !(t.get(0) instanceof TensorRef tensor)) {
                    throw error(at, g.name() + " needs a tensor as first argument");
                }
                return tensor;
            }
            case STORAGE_TYPE -> throw error(at, g.qualified() + " may only appear in a persistent id, not be called");
            default -> throw new AssertionError(g);
        }
    }

    private void build(Object target, Object state, int at) throws TorchFormatException {
        if (target instanceof Map<?, ?>) {
            return; // an OrderedDict's attributes, e.g. the state dict's _metadata (module versions): not needed
        }
        throw error(at, "BUILD on a " + typeName(target) + " is not allowed in a state dict");
    }

    private Object persistentLoad(Object pid, int at) throws TorchFormatException {
        if (!(pid instanceof Tuple t) || t.size() != 5 || !"storage".equals(t.get(0))) {
            throw error(at, "persistent id " + describe(pid) + " is not a ('storage', type, key, location, numel) tuple");
        }
        if (!(t.get(1) instanceof Global g) || g.kind() != Global.Kind.STORAGE_TYPE) {
            throw error(at, "persistent id names storage type " + describe(t.get(1)));
        }
        if (!(t.get(2) instanceof String key) || key.isEmpty() || key.contains("/") || key.contains("\\")
                || key.contains("..")) {
            throw error(at, "bad storage key " + describe(t.get(2)));
        }
        String location = t.get(3) instanceof String s ? s : String.valueOf(t.get(3));
        long numel = asLong(t.get(4), "storage size", at);
        if (numel < 0) {
            throw error(at, "negative storage size " + numel);
        }
        return new StorageRef(key, g.name(), numel, location);
    }

    // ---- stack helpers

    private void push(Object o) {
        stack.add(o);
    }

    private Object pop(int at) throws TorchFormatException {
        int floor = marks.isEmpty() ? 0 : marks.peek();
        if (stack.size() <= floor) {
            throw error(at, "stack underflow");
        }
        return stack.remove(stack.size() - 1);
    }

    private Object peek(int at) throws TorchFormatException {
        int floor = marks.isEmpty() ? 0 : marks.peek();
        if (stack.size() <= floor) {
            throw error(at, "stack underflow");
        }
        return stack.get(stack.size() - 1);
    }

    private List<Object> popN(int n, int at) throws TorchFormatException {
        int floor = marks.isEmpty() ? 0 : marks.peek();
        if (stack.size() - n < floor) {
            throw error(at, "stack underflow");
        }
        List<Object> sub = stack.subList(stack.size() - n, stack.size());
        List<Object> out = new ArrayList<>(sub);
        sub.clear();
        return out;
    }

    private List<Object> popMark(int at) throws TorchFormatException {
        if (marks.isEmpty()) {
            throw error(at, "no MARK on the stack");
        }
        int m = marks.pop();
        List<Object> sub = stack.subList(m, stack.size());
        List<Object> out = new ArrayList<>(sub);
        sub.clear();
        return out;
    }

    private Object memoGet(long i, int at) throws TorchFormatException {
        Object v = memo.get(i);
        if (v == null) {
            throw error(at, "memo entry " + i + " is not defined");
        }
        return v;
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(Object o, int at) throws TorchFormatException {
        if (o instanceof ArrayList<?>) {
            return (List<Object>) o;
        }
        throw error(at, "APPEND to a " + typeName(o));
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> dict(Object o, int at) throws TorchFormatException {
        if (o instanceof LinkedHashMap<?, ?>) {
            return (Map<Object, Object>) o;
        }
        throw error(at, "SETITEM on a " + typeName(o));
    }

    private void putPairs(Map<Object, Object> d, List<Object> items, int at) throws TorchFormatException {
        if (items.size() % 2 != 0) {
            throw error(at, "odd number of items for a dict");
        }
        for (int i = 0; i < items.size(); i += 2) {
            d.put(key(items.get(i), at), items.get(i + 1));
        }
    }

    private Object key(Object k, int at) throws TorchFormatException {
        // only simple keys: hashing containers could recurse without end on a crafted cyclic structure
        if (k instanceof String || k instanceof Long || k instanceof BigInteger || k instanceof Boolean
                || k instanceof Double || k == None.NONE) {
            return k;
        }
        throw error(at, "dict key of type " + typeName(k) + " is not supported in a state dict");
    }

    // ---- readers

    private int u8() {
        if (pos >= data.length) {
            throw new IndexOutOfBoundsException();
        }
        return data[pos++] & 0xff;
    }

    private int i32() {
        return u8() | u8() << 8 | u8() << 16 | u8() << 24;
    }

    private long i64() {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v |= (long) u8() << (8 * i);
        }
        return v;
    }

    private long beLong() {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = v << 8 | u8();
        }
        return v;
    }

    private void skip(int n) {
        if (pos + n > data.length) {
            throw new IndexOutOfBoundsException();
        }
        pos += n;
    }

    /** Checks a length prefix against the bytes left. */
    private int len(long n, int at) throws TorchFormatException {
        if (n < 0 || n > data.length - pos) {
            throw new TorchFormatException(source + ": length " + n + " at byte " + at
                    + " runs past the end of the pickle (truncated or corrupt file)");
        }
        return (int) n;
    }

    private byte[] bytes(int n) {
        if (n > data.length - pos) {
            throw new IndexOutOfBoundsException();
        }
        byte[] b = java.util.Arrays.copyOfRange(data, pos, pos + n);
        pos += n;
        return b;
    }

    private String utf8(int n) {
        return new String(bytes(n), StandardCharsets.UTF_8);
    }

    private String latin1(int n) {
        return new String(bytes(n), StandardCharsets.ISO_8859_1);
    }

    private String line() {
        int start = pos;
        while (u8() != '\n') {
            // scan to the newline
        }
        return new String(data, start, pos - 1 - start, StandardCharsets.UTF_8);
    }

    private Object longLE(int n, int at) throws TorchFormatException {
        byte[] b = bytes(len(n, at));
        if (n == 0) {
            return 0L;
        }
        byte[] be = new byte[n];
        for (int i = 0; i < n; i++) {
            be[i] = b[n - 1 - i];
        }
        BigInteger v = new BigInteger(be);
        return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }

    private Object textInt(String s, int at) throws TorchFormatException {
        if (s.equals("00")) {
            return Boolean.FALSE;
        }
        if (s.equals("01")) {
            return Boolean.TRUE;
        }
        try {
            BigInteger v = new BigInteger(s.trim());
            return v.bitLength() < 64 ? (Object) v.longValue() : v;
        } catch (NumberFormatException e) {
            throw error(at, "bad integer '" + printable(s) + "'");
        }
    }

    private long textLong(String s, int at) throws TorchFormatException {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            throw error(at, "bad memo index '" + printable(s) + "'");
        }
    }

    private long asLong(Object o, String what, int at) throws TorchFormatException {
        if (o instanceof Long l) {
            return l;
        }
        throw error(at, what + " is a " + typeName(o) + ", not an int");
    }

    private long[] longs(Object o, String what, int at) throws TorchFormatException {
        if (!(o instanceof Tuple t)) {
            throw error(at, what + " is a " + typeName(o) + ", not a tuple");
        }
        long[] out = new long[t.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = asLong(t.get(i), what, at);
            if (out[i] < 0) {
                throw error(at, "negative " + what + " " + out[i]);
            }
        }
        return out;
    }

    private TorchFormatException error(int at, String message) {
        return new TorchFormatException(source + ": " + message + " (pickle byte " + at + ")");
    }

    static String typeName(Object o) {
        if (o == null) {
            return "null";
        }
        if (o instanceof None) {
            return "None";
        }
        if (o instanceof Global g) {
            return "global " + g.qualified();
        }
        if (o instanceof TensorRef) {
            return "tensor";
        }
        if (o instanceof StorageRef) {
            return "storage";
        }
        if (o instanceof Tuple) {
            return "tuple";
        }
        if (o instanceof String) {
            return "str";
        }
        if (o instanceof Long || o instanceof BigInteger) {
            return "int";
        }
        if (o instanceof Double) {
            return "float";
        }
        if (o instanceof Boolean) {
            return "bool";
        }
        if (o instanceof byte[]) {
            return "bytes";
        }
        if (o instanceof Map<?, ?>) {
            return "dict";
        }
        if (o instanceof List<?>) {
            return "list";
        }
        return o.getClass().getSimpleName();
    }

    /** A short description that never walks into nested containers (they may be cyclic). */
    private static String describe(Object o) {
        if (o instanceof Tuple t) {
            StringBuilder sb = new StringBuilder("(");
            for (int i = 0; i < t.size() && i < 6; i++) {
                sb.append(i == 0 ? "" : ", ").append(describe(t.get(i) instanceof Tuple ? "tuple" : t.get(i)));
            }
            return sb.append(t.size() > 6 ? ", ...)" : ")").toString();
        }
        String s = o instanceof String || o instanceof Long || o instanceof Boolean || o instanceof Double
                ? String.valueOf(o) : typeName(o);
        return printable(s.length() > 80 ? s.substring(0, 80) + "..." : s);
    }

    /** Escapes control characters so that a crafted name cannot forge log lines. */
    static String printable(String s) {
        return ai.fastai4j.io.WeightsFormatException.printable(s);
    }

    private static String opName(int op) {
        String name = switch (op) {
            case 'i' -> "INST";
            case 'o' -> "OBJ";
            case 0x81 -> "NEWOBJ";
            case 0x92 -> "NEWOBJ_EX";
            case 0x82 -> "EXT1";
            case 0x83 -> "EXT2";
            case 0x84 -> "EXT4";
            case 0x8f -> "EMPTY_SET";
            case 0x90 -> "ADDITEMS";
            case 0x91 -> "FROZENSET";
            case 0x96 -> "BYTEARRAY8";
            case 0x97 -> "NEXT_BUFFER";
            case 0x98 -> "READONLY_BUFFER";
            default -> null;
        };
        String hex = String.format(Locale.ROOT, "0x%02x", op);
        return name == null ? hex : name + " (" + hex + ")";
    }
}

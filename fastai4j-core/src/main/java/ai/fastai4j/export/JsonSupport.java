package ai.fastai4j.export;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON for model files. Reading only ever builds a plain tree ({@link JsonNode}) and plain Java values (maps,
 * lists, strings, numbers, booleans): no class names are read, no polymorphic typing is enabled, duplicate keys,
 * trailing content, deep nesting and overlong strings or numbers are refused.
 */
final class JsonSupport {
    private JsonSupport() {}

    static final int MAX_DEPTH = 64;

    private static final ObjectMapper READER = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_DEPTH)
                    .maxNumberLength(100)
                    .maxStringLength(ModelFile.MAX_MANIFEST_BYTES)
                    .maxDocumentLength(ModelFile.MAX_MANIFEST_BYTES)
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private static final ObjectMapper WRITER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** Parses strict UTF-8 JSON into a tree; errors are {@link IllegalArgumentException}s saying what is wrong. */
    static JsonNode parse(byte[] utf8, String what) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(utf8)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(what + " is not valid UTF-8");
        }
        try {
            JsonNode n = READER.readTree(text);
            if (n == null || n.isMissingNode()) {
                throw new IllegalArgumentException(what + " is empty");
            }
            return n;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(what + " is not valid JSON: " + e.getOriginalMessage());
        }
    }

    static byte[] write(JsonNode n) {
        try {
            return WRITER.writeValueAsBytes(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
        }
    }

    /** The tree as the file will hold it: written to text and parsed back (so number types are canonical). */
    static JsonNode canonical(JsonNode n) {
        return parse(write(n), "JSON");
    }

    /**
     * A plain Java value as a JSON tree. Strings, numbers, booleans, null, enums (their name), paths, lists,
     * arrays and string-keyed maps are accepted; anything else is an {@link ExportException} naming
     * {@code where}. Non-finite numbers are errors, or null when {@code lenient} (for provenance).
     */
    static JsonNode toNode(Object v, String where, boolean lenient) {
        return toNode(v, where, lenient, 0);
    }

    private static JsonNode toNode(Object v, String where, boolean lenient, int depth) {
        if (depth > MAX_DEPTH / 2) {
            throw new ExportException("cannot export " + where + ": nested too deeply (a cycle?)");
        }
        if (v == null) {
            return NODES.nullNode();
        }
        if (v instanceof CharSequence s) {
            return NODES.textNode(s.toString());
        }
        if (v instanceof Boolean b) {
            return NODES.booleanNode(b);
        }
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            return NODES.numberNode(((Number) v).longValue());
        }
        if (v instanceof BigInteger b) {
            return NODES.numberNode(b);
        }
        if (v instanceof BigDecimal b) {
            return NODES.numberNode(b);
        }
        if (v instanceof Float || v instanceof Double) {
            double d = ((Number) v).doubleValue();
            if (!Double.isFinite(d)) {
                if (lenient) {
                    return NODES.nullNode();
                }
                throw new ExportException("cannot export " + where + ": " + d + " is not a finite number");
            }
            return NODES.numberNode(d);
        }
        if (v instanceof Enum<?> e) {
            return NODES.textNode(e.name());
        }
        if (v instanceof Path || v instanceof java.net.URI || v instanceof java.util.UUID
                || v instanceof java.time.temporal.TemporalAccessor || v instanceof java.io.File) {
            return NODES.textNode(v.toString());
        }
        if (v instanceof Map<?, ?> m) {
            ObjectNode o = NODES.objectNode();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!(e.getKey() instanceof String k)) {
                    throw new ExportException("cannot export " + where + ": map key " + e.getKey() + " is not a string");
                }
                o.set(k, toNode(e.getValue(), where + "." + k, lenient, depth + 1));
            }
            return o;
        }
        if (v instanceof Collection<?> c) {
            ArrayNode a = NODES.arrayNode();
            int i = 0;
            for (Object x : c) {
                a.add(toNode(x, where + "[" + i++ + "]", lenient, depth + 1));
            }
            return a;
        }
        if (v.getClass().isArray()) {
            ArrayNode a = NODES.arrayNode();
            int n = java.lang.reflect.Array.getLength(v);
            for (int i = 0; i < n; i++) {
                a.add(toNode(java.lang.reflect.Array.get(v, i), where + "[" + i + "]", lenient, depth + 1));
            }
            return a;
        }
        throw new ExportException("cannot export " + where + ": its value is a " + v.getClass().getName()
                + "; only strings, numbers, booleans, lists and string-keyed maps can be exported");
    }

    /** A JSON tree as unmodifiable plain Java values (LinkedHashMap order kept). */
    static Object toJava(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            return null;
        }
        if (n.isObject()) {
            Map<String, Object> m = new LinkedHashMap<>();
            Iterator<Map.Entry<String, JsonNode>> it = n.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                m.put(e.getKey(), toJava(e.getValue()));
            }
            return Collections.unmodifiableMap(m);
        }
        if (n.isArray()) {
            List<Object> l = new ArrayList<>(n.size());
            for (JsonNode x : n) {
                l.add(toJava(x));
            }
            return Collections.unmodifiableList(l);
        }
        if (n.isTextual()) {
            return n.textValue();
        }
        if (n.isBoolean()) {
            return n.booleanValue();
        }
        if (n.isInt()) {
            return n.intValue();
        }
        if (n.isLong()) {
            return n.longValue();
        }
        if (n.isBigInteger()) {
            return n.bigIntegerValue();
        }
        if (n.isNumber()) {
            return n.doubleValue();
        }
        throw new IllegalArgumentException("unsupported JSON value " + n.getNodeType());
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> toJavaMap(JsonNode n) {
        return (Map<String, Object>) toJava(n);
    }
}

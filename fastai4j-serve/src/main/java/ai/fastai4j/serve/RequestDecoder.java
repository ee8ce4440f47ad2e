package ai.fastai4j.serve;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import jakarta.servlet.MultipartConfigElement;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.Part;
import org.eclipse.jetty.http.BadMessageException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * Reads what a {@code POST /predict} carries, within the server's limits, whatever the model: the media type, the
 * raw body, one file of a multipart form, a JSON document, a base64 string or {@code data:} URL. Every refusal is
 * an {@link ApiException} (400 malformed, 413 too large); the model-kind handlers decide which forms they take.
 */
final class RequestDecoder {
    private static final String DATA_URL = "data:";

    private final long maxUploadBytes;
    private final long minBytesPerSecond;
    private final ObjectMapper json;

    /**
     * @param maxUploadBytes the largest body read, in bytes
     * @param minBytesPerSecond the slowest body accepted (enforced by Jetty; named in the 408's message)
     */
    RequestDecoder(long maxUploadBytes, long minBytesPerSecond) {
        this.maxUploadBytes = maxUploadBytes;
        this.minBytesPerSecond = minBytesPerSecond;
        this.json = new ObjectMapper(JsonFactory.builder().streamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(16).maxStringLength((int) Math.min(Integer.MAX_VALUE, 2 * maxUploadBytes)).build())
                .build());
    }

    /** The {@code ?k=} of a request: classes listed in {@code top}, {@code defaultTopK} when absent. */
    static int topK(String k, int defaultTopK) {
        if (k == null || k.isEmpty()) {
            return defaultTopK;
        }
        try {
            int v = Integer.parseInt(k.trim());
            if (v < 1) {
                throw new ApiException(400, "query parameter k must be at least 1, got " + v);
            }
            return v;
        } catch (NumberFormatException e) {
            throw new ApiException(400, "query parameter k must be a whole number, got '" + k + "'");
        }
    }

    /**
     * The request's media type, lower case without parameters ({@code ""} when none); refuses with 413 a request
     * whose declared {@code Content-Length} is over the limit before anything is read.
     */
    String mediaType(Context ctx) {
        long declared = ctx.req().getContentLengthLong();
        if (declared > maxUploadBytes) {
            throw tooLarge("the request declares " + declared + " bytes");
        }
        String type = ctx.req().getContentType();
        return type == null ? "" : type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    }

    /** The whole body, at most the upload limit (413 past it). */
    byte[] body(Context ctx) {
        try (InputStream in = ctx.req().getInputStream()) {
            byte[] b = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxUploadBytes + 1));
            if (b.length > maxUploadBytes) {
                throw tooLarge("the request body is");
            }
            return b;
        } catch (IOException | BadMessageException e) {
            throw readFailure("the request body", e);
        }
    }

    /** A body that could not be read: 408 when it came too slowly (Jetty's minimum data rate), else 400. */
    private ApiException readFailure(String what, Exception e) {
        BadMessageException bad = e instanceof BadMessageException b ? b
                : e.getCause() instanceof BadMessageException b ? b : null;
        if (bad != null && bad.getCode() == 408) {
            return new ApiException(408, what + " arrived slower than this server's minimum of " + minBytesPerSecond
                    + " bytes per second; send it in one go");
        }
        return new ApiException(bad != null ? bad.getCode() : 400, "cannot read " + what + ": " + e.getMessage());
    }

    /** The bytes of the multipart/form-data field {@code field} (held in memory, never written to disk). */
    byte[] multipartFile(Context ctx, String field) {
        int limit = (int) Math.min(Integer.MAX_VALUE - 8, maxUploadBytes);
        ctx.req().setAttribute("org.eclipse.jetty.multipartConfig",
                new MultipartConfigElement(System.getProperty("java.io.tmpdir"), limit, limit, limit));
        Collection<Part> parts;
        try {
            parts = ctx.req().getParts();
        } catch (IllegalStateException e) { // Jetty's limits: the size, or the number of parts
            if (String.valueOf(e.getMessage()).contains("too many parts")) {
                throw new ApiException(413, "the multipart/form-data body has more parts than this server takes ("
                        + e.getMessage() + "): send one field 'file' holding the image");
            }
            throw tooLarge("the multipart body is larger than that");
        } catch (BadMessageException e) {
            throw readFailure("the multipart body", e);
        } catch (IOException | RuntimeException | ServletException e) {
            if (e.getCause() instanceof BadMessageException) {
                throw readFailure("the multipart body", e);
            }
            throw new ApiException(400, "malformed multipart/form-data body: " + e.getMessage());
        }
        Part file = null;
        List<String> names = new ArrayList<>();
        for (Part p : parts) {
            names.add(p.getName());
            if (field.equals(p.getName()) && file == null) {
                file = p;
            }
        }
        if (file == null) {
            throw new ApiException(400, "the multipart/form-data body has no '" + field + "' field (fields: " + names
                    + ")");
        }
        try (InputStream in = file.getInputStream()) {
            byte[] b = in.readNBytes(limit + 1);
            if (b.length > maxUploadBytes) {
                throw tooLarge("the uploaded file is");
            }
            if (b.length == 0) {
                throw new ApiException(400, "the uploaded file"
                        + (file.getSubmittedFileName() == null ? "" : " '" + file.getSubmittedFileName() + "'")
                        + " is empty");
            }
            return b;
        } catch (IOException | BadMessageException e) {
            throw readFailure("the uploaded file", e);
        } finally {
            for (Part p : parts) {
                try {
                    p.delete();
                } catch (IOException | RuntimeException ignored) {
                    // in-memory parts
                }
            }
        }
    }

    /** A JSON document (nesting and string length bounded); 400 when it does not parse. */
    JsonNode json(byte[] body) {
        try {
            return json.readTree(body);
        } catch (JsonProcessingException e) {
            throw new ApiException(400, "the body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The bytes of a base64 string or base64 {@code data:} URL held in field {@code field}; 400 when invalid. */
    static byte[] base64(String s, String field) {
        if (s.startsWith(DATA_URL)) {
            int comma = s.indexOf(',');
            if (comma < 0 || !s.substring(0, comma).endsWith(";base64")) {
                throw new ApiException(400, "field '" + field + "' is a data: URL but not a base64 one");
            }
            s = s.substring(comma + 1);
        }
        byte[] b;
        try {
            b = Base64.getDecoder().decode(s.replaceAll("\\s+", ""));
        } catch (IllegalArgumentException e) {
            throw new ApiException(400, "field '" + field + "' is not valid base64: " + e.getMessage());
        }
        if (b.length == 0) {
            throw new ApiException(400, "field '" + field + "' is empty");
        }
        return b;
    }

    /** The JSON type of a node, for messages ({@code nothing} for a missing one). */
    static String type(JsonNode n) {
        return n == null ? "nothing" : n.getNodeType().toString().toLowerCase(Locale.ROOT);
    }

    /** A 413 naming the limit. */
    ApiException tooLarge(String what) {
        return new ApiException(413, what + ", more than this server's upload limit of " + maxUploadBytes + " bytes ("
                + String.format(Locale.ROOT, "%.1f", maxUploadBytes / 1048576.0) + " MiB)");
    }
}

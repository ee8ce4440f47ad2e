package ai.fastai4j.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.ErrorHandler;

/**
 * Jetty's errors (those raised before a request reaches Javalin, such as an unparseable request line or headers
 * too large) as the server's JSON {@code {"error": "...", "status": n}} instead of an HTML page.
 */
final class JsonErrorHandler extends ErrorHandler {
    private static final ObjectMapper JSON = new ObjectMapper();

    static byte[] body(int status, String message) {
        ObjectNode o = JSON.createObjectNode();
        o.put("error", message == null || message.isBlank() ? HttpStatus.getMessage(status) : message);
        o.put("status", status);
        return ModelServer.json(o);
    }

    @Override
    protected void generateAcceptableResponse(Request baseRequest, HttpServletRequest request,
            HttpServletResponse response, int code, String message) throws IOException {
        baseRequest.setHandled(true);
        byte[] b = body(code, message);
        response.setContentType("application/json");
        response.setContentLength(b.length);
        response.getOutputStream().write(b);
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        if (status == HttpStatus.HTTP_VERSION_NOT_SUPPORTED_505) {
            // Jetty answers an HTTP/0.9 request line with a 505, a server error for a client's mistake, and fixes
            // the status before asking for the body; failing here makes it close the connection instead
            throw new IllegalStateException("HTTP version not supported: connection closed without an answer");
        }
        fields.put(HttpHeader.CONTENT_TYPE, "application/json");
        return ByteBuffer.wrap(body(status, reason));
    }
}

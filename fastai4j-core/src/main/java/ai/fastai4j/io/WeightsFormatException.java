package ai.fastai4j.io;

import java.io.IOException;
import java.util.Locale;

/**
 * A weights file (safetensors, or a PyTorch {@code .pth} through {@link ai.fastai4j.io.torch}) is malformed,
 * truncated or holds something this library does not read. The message names the file and what is wrong.
 */
public class WeightsFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public WeightsFormatException(String message) {
        super(message);
    }

    public WeightsFormatException(String message, Throwable cause) {
        super(message, cause);
    }

    /** {@code s} as it may appear in a message: control characters escaped, at most 200 characters. */
    public static String printable(String s) {
        StringBuilder sb = new StringBuilder(Math.min(s.length(), 210));
        for (int i = 0; i < s.length() && i < 200; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                sb.append(String.format(Locale.ROOT, "\\x%02x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return s.length() > 200 ? sb.append("...").toString() : sb.toString();
    }
}

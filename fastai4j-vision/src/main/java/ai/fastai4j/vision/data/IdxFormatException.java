package ai.fastai4j.vision.data;

import java.io.IOException;

/** An IDX file is malformed: wrong magic number, bad dimensions, truncated or too long. Names the file. */
public class IdxFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public IdxFormatException(String message) {
        super(message);
    }

    public IdxFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}

package ai.fastai4j.serve;

/** A request the server refuses: an HTTP status (4xx, or 503 when busy) and a message for the JSON body. */
final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;

    ApiException(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    int status() {
        return status;
    }
}

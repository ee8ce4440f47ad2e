package ai.fastai4j.vision.models.pretrained;

/**
 * Pretrained weights could not be found locally nor downloaded (downloads off, no network, server error).
 * The message names the weights, the places searched, the URL and how to fix it.
 */
public class WeightsUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public WeightsUnavailableException(String message) {
        super(message);
    }

    public WeightsUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}

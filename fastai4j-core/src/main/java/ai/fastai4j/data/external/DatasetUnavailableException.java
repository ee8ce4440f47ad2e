package ai.fastai4j.data.external;

/**
 * A dataset could not be found locally nor fetched. The message names the dataset, the folders searched,
 * the URLs and how to fix it.
 */
public class DatasetUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DatasetUnavailableException(String message) {
        super(message);
    }

    public DatasetUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}

package ai.fastai4j.io.torch;

import ai.fastai4j.io.WeightsFormatException;

/**
 * A weights file is not one this library reads: not a {@code torch.save} zip, the legacy format, truncated,
 * malformed, or holding something other than a state dict of tensors. The message says which, and how to fix
 * it where there is a fix.
 */
public class TorchFormatException extends WeightsFormatException {
    private static final long serialVersionUID = 1L;

    public TorchFormatException(String message) {
        super(message);
    }

    public TorchFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}

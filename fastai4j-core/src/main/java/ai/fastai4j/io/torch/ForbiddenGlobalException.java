package ai.fastai4j.io.torch;

/**
 * The pickle inside a {@code .pth} file names a Python global (a function or class) that a state dict does
 * not need, such as {@code os.system} or {@code builtins.eval}. Reading stops at that point; nothing from the
 * file has been executed, since this library's unpickler never executes anything.
 */
public class ForbiddenGlobalException extends TorchFormatException {
    private static final long serialVersionUID = 1L;

    private final String global;

    public ForbiddenGlobalException(String global, String message) {
        super(message);
        this.global = global;
    }

    /** The refused global as {@code module.name}, e.g. {@code os.system}. */
    public String global() {
        return global;
    }
}

package ai.fastai4j.engine;

/**
 * A scope with autograd off on the current thread (PyTorch's {@code torch.no_grad()}):
 * <pre>{@code try (NoGrad ignored = NoGrad.enter()) { ... } }</pre>
 * Closing it restores the mode it found, so scopes nest. Open and close it on the same thread.
 */
public final class NoGrad implements AutoCloseable {

    private final boolean previous;
    private boolean closed;

    private NoGrad(boolean previous) {
        this.previous = previous;
    }

    /** Turns autograd off on this thread until {@link #close()}. */
    public static NoGrad enter() {
        boolean was = Torch.isGradEnabled();
        Torch.setGradEnabled(false);
        return new NoGrad(was);
    }

    /** Runs {@code body} with autograd off. */
    public static void run(Runnable body) {
        try (NoGrad ignored = enter()) {
            body.run();
        }
    }

    /** Restores the grad mode found by {@link #enter()}; a second call does nothing. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            Torch.setGradEnabled(previous);
        }
    }
}

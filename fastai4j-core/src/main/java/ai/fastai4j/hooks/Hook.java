package ai.fastai4j.hooks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.fastai4j.nn.Module;
import java.util.Objects;

/**
 * fastai's {@code Hook}: runs a function on a module's input and output each time the module runs (a forward
 * hook), or captures the gradient of its output (a backward hook), and keeps the last result in
 * {@link #stored()}. Closing it removes it from the module.
 *
 * <p>Native memory: by default a stored tensor is the output itself (detached unless asked otherwise); it lives
 * in the scope the forward ran in (a training step's {@code NDScope}) and is freed with it, so the hook holds no
 * native memory of its own. {@link #keep()} instead copies each stored tensor into a manager owned by the hook,
 * which {@link #close()} frees.
 *
 * <pre>{@code
 * try (Hook<NDArray> h = Hook.output(model.children().get("0"))) {
 *     model.call(x);
 *     NDArray activations = h.stored();
 * }
 * }</pre>
 *
 * @param <T> what the hook function returns
 */
public final class Hook<T> implements AutoCloseable {

    /** What a forward hook computes from a module's input and output. */
    @FunctionalInterface
    public interface HookFunction<T> {
        T apply(Module module, NDList input, NDArray output);
    }

    private final Module module;
    private final HookFunction<T> fn;
    private final boolean detach;
    private final boolean backward;
    private Module.HookHandle handle;
    private NDManager keepManager;
    private volatile T stored;
    private ThreadLocal<T> perThread;
    private NDArray gradProbe;
    private volatile boolean removed;

    private Hook(Module module, HookFunction<T> fn, boolean detach, boolean backward) {
        this.module = Objects.requireNonNull(module, "module");
        this.fn = fn;
        this.detach = detach;
        this.backward = backward;
        this.handle = module.registerForwardHook(this::onForward);
    }

    /** A forward hook running {@code fn} on the module's (detached) input and output. */
    public static <T> Hook<T> forward(Module m, HookFunction<T> fn) {
        return new Hook<>(m, Objects.requireNonNull(fn, "fn"), true, false);
    }

    /** fastai's {@code hook_output}: stores the module's detached output. */
    public static Hook<NDArray> output(Module m) {
        return output(m, true);
    }

    /**
     * Stores the module's output; with {@code detach} false the stored tensor stays in the autograd graph (what
     * a U-Net's cross connections need).
     */
    public static Hook<NDArray> output(Module m, boolean detach) {
        return new Hook<>(m, (mod, in, out) -> out, detach, false);
    }

    /**
     * fastai's {@code hook_output(m, grad=True)}: after a backward pass through the module, {@link #stored()} is
     * the gradient of the loss with respect to the module's output. The module's output passes through an
     * identity (output plus a zero leaf tensor whose gradient is the output's) while the hook is on.
     */
    public static Hook<NDArray> gradOutput(Module m) {
        return new Hook<>(m, null, true, true);
    }

    /**
     * Copies every stored tensor into a manager owned by this hook (freed by {@link #close()}), so that it
     * outlives the scope of the forward pass. Returns this hook.
     */
    public synchronized Hook<T> keep() {
        if (keepManager == null) {
            keepManager = NDManager.newBaseManager();
        }
        return this;
    }

    /**
     * Keeps what each thread's forward stored apart: {@link #stored()} answers the calling thread's last value, so
     * that one model can run on several threads at once (an inference server's workers) while a layer reads the
     * hook during the forward, as a U-Net's cross connections do. Call before the first forward. Returns this.
     */
    public synchronized Hook<T> perThread() {
        if (perThread == null) {
            perThread = new ThreadLocal<>();
        }
        return this;
    }

    private NDArray onForward(Module m, NDList input, NDArray output) {
        ThreadLocal<T> local = perThread;
        if (local != null && !backward && keepManager == null) {
            local.set(fn.apply(m, detach ? detached(input) : input, detach ? output.stopGradient() : output));
            return output;
        }
        return onForwardShared(m, input, output);
    }

    private static NDList detached(NDList input) {
        NDList in = new NDList(input.size());
        for (NDArray a : input) {
            in.add(a.stopGradient());
        }
        return in;
    }

    @SuppressWarnings("unchecked")
    private synchronized NDArray onForwardShared(Module m, NDList input, NDArray output) {
        if (backward) {
            NDArray probe = output.zerosLike();
            probe.setRequiresGradient(true);
            gradProbe = probe;
            stored = null;
            return output.add(probe);
        }
        NDList in = input;
        NDArray out = output;
        if (detach) {
            in = new NDList(input.size());
            for (NDArray a : input) {
                in.add(a.stopGradient());
            }
            out = output.stopGradient();
        }
        T value = fn.apply(m, in, out);
        if (keepManager != null && value instanceof NDArray a) {
            release(stored);
            value = (T) keepCopy(a);
        }
        stored = value;
        return output;
    }

    /**
     * The last result: the hook function's value, or for a backward hook the gradient of the module's output
     * from the last backward pass (null when none ran since the last forward).
     */
    @SuppressWarnings("unchecked")
    public T stored() {
        ThreadLocal<T> local = perThread;
        if (local != null && !backward && keepManager == null) {
            return removed ? null : local.get();
        }
        return storedShared();
    }

    @SuppressWarnings("unchecked")
    private synchronized T storedShared() {
        if (backward && stored == null && gradProbe != null && !gradProbe.isReleased()) {
            NDArray g = gradProbe.getGradient();
            if (keepManager != null) {
                g = keepCopy(g);
            }
            stored = (T) g;
        }
        return stored;
    }

    /** The hooked module. */
    public Module module() {
        return module;
    }

    /** Whether {@link #close()} ran. */
    public synchronized boolean isRemoved() {
        return removed;
    }

    /** Removes the hook from its module and frees what it kept; the stored value is dropped. */
    @Override
    public synchronized void close() {
        if (removed) {
            return;
        }
        handle.close();
        handle = null;
        stored = null;
        gradProbe = null;
        if (perThread != null) {
            perThread.remove();
        }
        if (keepManager != null) {
            keepManager.close();
            keepManager = null;
        }
        removed = true;
    }

    /** A copy owned by this hook: outside any step scope, in the hook's manager. */
    private NDArray keepCopy(NDArray a) {
        NDArray copy = a.duplicate();
        NDScope.unregister(copy);
        copy.attach(keepManager);
        return copy;
    }

    private void release(Object old) {
        if (old instanceof NDArray a && keepManager != null && !a.isReleased()) {
            a.close();
        }
    }
}

package ai.fastai4j.hooks;

import ai.djl.ndarray.NDArray;
import ai.fastai4j.nn.Module;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;

/**
 * fastai's {@code Hooks}: one {@link Hook} per module, closed together.
 *
 * <pre>{@code
 * try (Hooks<NDArray> hs = Hooks.hookOutputs(List.of(body.get(4), body.get(5)))) {
 *     model.call(x);
 *     List<NDArray> acts = hs.stored();
 * }
 * }</pre>
 *
 * @param <T> what each hook stores
 */
public final class Hooks<T> implements AutoCloseable, Iterable<Hook<T>> {
    private final List<Hook<T>> hooks;

    private Hooks(List<Hook<T>> hooks) {
        this.hooks = List.copyOf(hooks);
    }

    /** A forward hook running {@code fn} on each of {@code modules}. */
    public static <T> Hooks<T> forward(Collection<? extends Module> modules, Hook.HookFunction<T> fn) {
        List<Hook<T>> hs = new ArrayList<>();
        try {
            for (Module m : modules) {
                hs.add(Hook.forward(m, fn));
            }
        } catch (RuntimeException e) {
            hs.forEach(Hook::close);
            throw e;
        }
        return new Hooks<>(hs);
    }

    /** fastai's {@code hook_outputs}: stores each module's detached output. */
    public static Hooks<NDArray> hookOutputs(Collection<? extends Module> modules) {
        return hookOutputs(modules, true);
    }

    /** Stores each module's output, detached or (for cross connections) still in the graph. */
    public static Hooks<NDArray> hookOutputs(Collection<? extends Module> modules, boolean detach) {
        List<Hook<NDArray>> hs = new ArrayList<>();
        for (Module m : modules) {
            hs.add(Hook.output(m, detach));
        }
        return new Hooks<>(hs);
    }

    /** fastai's {@code hook_outputs(grad=True)}: each module's output gradient after a backward pass. */
    public static Hooks<NDArray> hookGradients(Collection<? extends Module> modules) {
        List<Hook<NDArray>> hs = new ArrayList<>();
        for (Module m : modules) {
            hs.add(Hook.gradOutput(m));
        }
        return new Hooks<>(hs);
    }

    /** Makes every hook {@link Hook#keep() keep} copies of what it stores. */
    public Hooks<T> keep() {
        hooks.forEach(Hook::keep);
        return this;
    }

    /** Makes every hook keep each thread's values apart ({@link Hook#perThread()}). */
    public Hooks<T> perThread() {
        hooks.forEach(Hook::perThread);
        return this;
    }

    public Hook<T> get(int i) {
        return hooks.get(i);
    }

    public int size() {
        return hooks.size();
    }

    /** Each hook's last stored value, in module order. */
    public List<T> stored() {
        List<T> out = new ArrayList<>(hooks.size());
        for (Hook<T> h : hooks) {
            out.add(h.stored());
        }
        return out;
    }

    @Override
    public Iterator<Hook<T>> iterator() {
        return hooks.iterator();
    }

    /** Removes every hook. */
    @Override
    public void close() {
        hooks.forEach(Hook::close);
    }

    /**
     * fastai's {@code flatten_model}: the leaf modules of {@code model} (those without children) in
     * definition order; the modules a summary or {@code ActivationStats} hooks.
     */
    public static List<Module> leaves(Module model) {
        List<Module> out = new ArrayList<>();
        for (Module m : model.namedModules().values()) {
            if (m.children().isEmpty()) {
                out.add(m);
            }
        }
        return out;
    }
}

package ai.fastai4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * A layer or a model: named parameters and named child modules, with PyTorch's dotted state names
 * ({@code layer1.0.conv1.weight}) so that torchvision weights map by name. Subclasses register children and
 * parameters in their constructor and implement {@link #forward(NDArray)}.
 */
public abstract class Module implements AutoCloseable {

    private final Map<String, Module> children = new LinkedHashMap<>();
    private final Map<String, Parameter> parameters = new LinkedHashMap<>();
    private boolean training = true;
    private volatile List<ForwardHook> forwardHooks = List.of();

    /**
     * Runs the layer. Activations attach to the input's manager (use a scope per step). Containers run their
     * children through {@link #call(NDArray)} so that hooks on the children fire.
     */
    public abstract NDArray forward(NDArray x);

    /**
     * Called after a module's forward with its input and output, as PyTorch's forward hooks; returns the output
     * to pass on (usually {@code output} itself).
     */
    @FunctionalInterface
    public interface ForwardHook {
        NDArray afterForward(Module module, NDList input, NDArray output);
    }

    /** Removes a hook from its module; closing twice is harmless. */
    public interface HookHandle extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Runs {@link #forward(NDArray)} and then this module's forward hooks, as PyTorch's {@code module(x)}.
     * Without hooks it is {@code forward(x)}.
     */
    public final NDArray call(NDArray x) {
        List<ForwardHook> hooks = forwardHooks;
        NDArray y = forward(x);
        return hooks.isEmpty() ? y : runHooks(hooks, new NDList(x), y);
    }

    /** As {@link #call(NDArray)} for several inputs. */
    public final NDArray call(NDList inputs) {
        List<ForwardHook> hooks = forwardHooks;
        NDArray y = forward(inputs);
        return hooks.isEmpty() ? y : runHooks(hooks, inputs, y);
    }

    private NDArray runHooks(List<ForwardHook> hooks, NDList inputs, NDArray y) {
        NDArray out = y;
        for (ForwardHook h : hooks) {
            NDArray r = h.afterForward(this, inputs, out);
            out = r == null ? out : r;
        }
        return out;
    }

    /**
     * Registers {@code hook} to run after every {@link #call} of this module; the handle removes it. See
     * {@code ai.fastai4j.hooks.Hook} for hooks that store outputs or gradients.
     */
    public final synchronized HookHandle registerForwardHook(ForwardHook hook) {
        java.util.Objects.requireNonNull(hook, "hook");
        List<ForwardHook> next = new ArrayList<>(forwardHooks);
        next.add(hook);
        forwardHooks = List.copyOf(next);
        return () -> removeForwardHook(hook);
    }

    private synchronized void removeForwardHook(ForwardHook hook) {
        List<ForwardHook> next = new ArrayList<>(forwardHooks);
        next.removeIf(h -> h == hook);
        forwardHooks = List.copyOf(next);
    }

    /** Number of forward hooks on this module (not its children). */
    public final int forwardHookCount() {
        return forwardHooks.size();
    }

    /** Runs the layer on several inputs; single-input modules take the only one. */
    public NDArray forward(NDList inputs) {
        if (inputs.size() != 1) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " takes one input, got " + inputs.size());
        }
        return forward(inputs.get(0));
    }

    /** Registers a child under {@code name}; returns it for field assignment. */
    protected <M extends Module> M register(String name, M child) {
        if (children.containsKey(name) || parameters.containsKey(name)) {
            throw new IllegalArgumentException("duplicate name '" + name + "' in " + getClass().getSimpleName());
        }
        children.put(name, child);
        return child;
    }

    /** Registers a parameter created from {@code init}, which the module then owns. */
    protected Parameter parameter(String name, Parameter.Kind kind, NDArray init) {
        if (children.containsKey(name) || parameters.containsKey(name)) {
            throw new IllegalArgumentException("duplicate name '" + name + "' in " + getClass().getSimpleName());
        }
        Parameter p = new Parameter(name, kind, init);
        parameters.put(name, p);
        return p;
    }

    /** Direct children in registration order. */
    public Map<String, Module> children() {
        return Collections.unmodifiableMap(children);
    }

    /** This module's own parameters (not its children's). */
    public Map<String, Parameter> ownParameters() {
        return Collections.unmodifiableMap(parameters);
    }

    /** Every parameter and buffer of the tree, by dotted name, in definition order. */
    public Map<String, Parameter> namedParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        walk("", (prefix, m) -> m.parameters.forEach((n, p) -> out.put(prefix + n, p)));
        return out;
    }

    /** Trainable-kind parameters (weights, biases, norms), frozen or not; buffers excluded. */
    public List<Parameter> parameters() {
        List<Parameter> out = new ArrayList<>();
        for (Parameter p : namedParameters().values()) {
            if (p.kind() != Parameter.Kind.BUFFER) {
                out.add(p);
            }
        }
        return out;
    }

    /** Every module of the tree (this one first), by dotted name. */
    public Map<String, Module> namedModules() {
        Map<String, Module> out = new LinkedHashMap<>();
        walk("", (prefix, m) -> out.put(prefix.isEmpty() ? "" : prefix.substring(0, prefix.length() - 1), m));
        return out;
    }

    private void walk(String prefix, BiConsumer<String, Module> visitor) {
        visitor.accept(prefix, this);
        children.forEach((n, c) -> c.walk(prefix + n + ".", visitor));
    }

    /** Switches training mode (dropout, BatchNorm statistics) for the whole tree. */
    public void train(boolean mode) {
        training = mode;
        children.values().forEach(c -> c.train(mode));
    }

    /** Shortcut for {@code train(false)}. */
    public void eval() {
        train(false);
    }

    public boolean isTraining() {
        return training;
    }

    /** Total number of scalars in trainable-kind parameters. */
    public long parameterCount() {
        return parameters().stream().mapToLong(p -> p.data().size()).sum();
    }

    /** The tensors of this tree by dotted name, buffers included (views of the live data). */
    public Map<String, NDArray> stateDict() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        namedParameters().forEach((n, p) -> out.put(n, p.data()));
        return out;
    }

    /**
     * Copies tensors into this tree by name.
     *
     * @param strict when true, any missing, unexpected or mis-shaped tensor is an error
     * @return what matched and what did not
     */
    public StateDictReport loadStateDict(Map<String, NDArray> state, boolean strict) {
        Map<String, Parameter> own = namedParameters();
        List<String> missing = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        List<String> misShaped = new ArrayList<>();
        for (Map.Entry<String, Parameter> e : own.entrySet()) {
            NDArray v = state.get(e.getKey());
            if (v == null) {
                missing.add(e.getKey());
            } else if (!v.getShape().equals(e.getValue().data().getShape())) {
                misShaped.add(e.getKey() + " (expected " + e.getValue().data().getShape() + ", got " + v.getShape() + ")");
            }
        }
        for (String k : state.keySet()) {
            if (!own.containsKey(k)) {
                unexpected.add(k);
            }
        }
        StateDictReport report = new StateDictReport(missing, unexpected, misShaped);
        if (strict && !report.isExact()) {
            throw new IllegalArgumentException("state dict does not match the model: " + report);
        }
        for (Map.Entry<String, Parameter> e : own.entrySet()) {
            NDArray v = state.get(e.getKey());
            if (v != null && v.getShape().equals(e.getValue().data().getShape())) {
                e.getValue().copyFrom(v);
            }
        }
        return report;
    }

    /** The layer's type as summaries show it: the class name, or the given name of a parameter-free lambda layer. */
    public String typeName() {
        return getClass().getSimpleName();
    }

    /** One line per layer: name, type, parameter shapes. Learner.summary adds output shapes. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        namedModules().forEach((n, m) -> sb.append(n.isEmpty() ? "(root)" : n).append(": ")
                .append(m.typeName()).append(m.parameters.isEmpty() ? "" : " " + m.parameters.values())
                .append('\n'));
        return sb.toString();
    }

    /**
     * Moves every parameter and buffer of this module and its children to {@code device} (torch's
     * {@code model.to(device)}). Call it before an optimizer is made over the parameters.
     */
    public void to(ai.djl.Device device) {
        for (Module m : namedModules().values()) {
            m.moveOwnTo(device);
        }
    }

    /** Moves this module's own parameters (not its children's); modules holding other tensors extend it. */
    protected void moveOwnTo(ai.djl.Device device) {
        for (Parameter p : parameters.values()) {
            p.moveTo(device);
        }
    }

    /** The device of the first parameter, or null for a module without parameters. */
    public ai.djl.Device device() {
        List<Parameter> ps = parameters();
        return ps.isEmpty() ? null : ps.get(0).data().getDevice();
    }

    /** Closes every parameter's native memory. */
    @Override
    public void close() {
        for (Parameter p : namedParameters().values()) {
            p.close();
        }
    }

    /** Kaiming-normal initial values (fan-in, ReLU gain) for a weight of {@code shape}. */
    protected static NDArray kaimingNormal(NDManager m, Shape shape, long fan) {
        double std = Math.sqrt(2.0 / fan);
        return m.randomNormal(0f, (float) std, shape, ai.djl.ndarray.types.DataType.FLOAT32);
    }

    /** PyTorch's default Linear/Conv initial values: U(-1/sqrt(fanIn), 1/sqrt(fanIn)). */
    protected static NDArray uniformFanIn(NDManager m, Shape shape, long fanIn) {
        float bound = (float) (1.0 / Math.sqrt(fanIn));
        return m.randomUniform(-bound, bound, shape, ai.djl.ndarray.types.DataType.FLOAT32);
    }
}

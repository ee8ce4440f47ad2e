package ai.fastai4j.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.fastai4j.engine.Gradients;
import ai.fastai4j.engine.Int64Cell;
import ai.fastai4j.engine.NoGrad;
import ai.fastai4j.nn.Parameter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * fastai's {@code Optimizer}: a list of {@link OptimizerStep}s folded over per-parameter state, with
 * hyper-parameters ({@code lr}, {@code mom}, {@code sqr_mom}, {@code eps}, {@code wd}, ...) per parameter group.
 *
 * <p>State lives in a sub-manager of the first parameter's manager and is freed by {@link #close()} (or with that
 * manager). Weight decay is skipped on bias and normalisation parameters unless {@link #setWdBnBias(boolean)}.
 *
 * <p><b>State dict format</b> ({@link #stateDict()}): {@code hyper.group<g>.<name>} is a FLOAT64 scalar holding
 * hyper-parameter {@code name} of group {@code g}; {@code group<g>.param<i>.<key>} is state entry {@code key}
 * (e.g. {@code grad_avg}, {@code sqr_avg}, {@code step} as an INT64 scalar) of the {@code i}-th parameter of
 * group {@code g}. Subclasses add keys under their own prefix (see {@link Lookahead}).
 */
public class Optimizer implements AutoCloseable {

    private static final Pattern HYPER_KEY = Pattern.compile("hyper\\.group(\\d+)\\.(.+)");
    private static final Pattern STATE_KEY = Pattern.compile("group(\\d+)\\.param(\\d+)\\.(.+)");

    /** Everything an optimizer owns; shared with wrappers such as {@link Lookahead}. */
    static final class Core {
        final List<List<Parameter>> groups;
        final List<OptimizerStep> steps;
        final List<Map<String, Double>> hypers = new ArrayList<>();
        final List<List<Map<String, NDArray>>> state = new ArrayList<>();
        /** Direct views of the INT64 step counters, for {@link FusedAdam} (entries die with the state). */
        final Map<NDArray, Int64Cell> stepViews = new IdentityHashMap<>();
        /** The kernel declared to compute {@link #steps} natively, or null. */
        final FusedKernel kernel;
        boolean fused = true;
        boolean wdBnBias;
        boolean closed;
        private NDManager stateManager;

        Core(List<List<Parameter>> groups, List<OptimizerStep> steps, FusedKernel kernel) {
            this.groups = groups;
            this.steps = steps;
            this.kernel = kernel;
        }

        NDManager stateManager() {
            if (stateManager == null) {
                stateManager = paramManager().newSubManager();
                stateManager.setName("optimizer-state");
            }
            return stateManager;
        }

        /** The first parameter's manager, or a new base manager when there are no parameters. */
        NDManager paramManager() {
            for (List<Parameter> g : groups) {
                if (!g.isEmpty()) {
                    return g.get(0).data().getManager();
                }
            }
            if (stateManager == null) {
                stateManager = NDManager.newBaseManager();
            }
            return stateManager;
        }
    }

    private final Core core;

    /**
     * Creates an optimizer that runs its step list.
     *
     * @param groups   parameter groups (at least one; a group may be empty)
     * @param steps    the steps run, in order, on each trainable parameter that has a gradient
     * @param defaults initial hyper-parameters, copied to every group
     */
    public Optimizer(List<List<Parameter>> groups, List<OptimizerStep> steps, Map<String, Double> defaults) {
        this(groups, steps, defaults, null);
    }

    /**
     * Creates an optimizer whose step list {@code kernel} computes natively (see {@link FusedKernel}).
     *
     * @param kernel the kernel that replaces {@code steps}, or null to run the steps
     */
    public Optimizer(List<List<Parameter>> groups, List<OptimizerStep> steps, Map<String, Double> defaults,
            FusedKernel kernel) {
        Objects.requireNonNull(groups, "groups");
        if (groups.isEmpty()) {
            throw new IllegalArgumentException("an optimizer needs at least one parameter group");
        }
        List<List<Parameter>> copy = new ArrayList<>();
        for (List<Parameter> g : groups) {
            copy.add(List.copyOf(g));
        }
        core = new Core(Collections.unmodifiableList(copy), List.copyOf(steps), kernel);
        for (List<Parameter> g : copy) {
            core.hypers.add(new LinkedHashMap<>(defaults));
            List<Map<String, NDArray>> st = new ArrayList<>();
            for (int i = 0; i < g.size(); i++) {
                st.add(new LinkedHashMap<>());
            }
            core.state.add(st);
        }
    }

    /** Wraps {@code inner}, sharing its parameters, hyper-parameters, steps and state (for wrappers). */
    protected Optimizer(Optimizer inner) {
        this.core = inner.core;
    }

    /**
     * Runs the steps on every trainable parameter that has a gradient, with torch grad mode off. With a declared
     * {@link FusedKernel} (as {@link Optimizers#adam()} has) each parameter gets one fused native update instead,
     * unless {@link #setFused(boolean) turned off}.
     */
    public void step() {
        ensureOpen();
        try (NoGrad noGrad = NoGrad.enter(); StepScalars scalars = new StepScalars()) {
            for (int g = 0; g < core.groups.size(); g++) {
                List<Parameter> group = core.groups.get(g);
                Map<String, Double> hypers = core.hypers.get(g);
                FusedAdam.Hypers fused = isFused() ? FusedAdam.hypers(hypers) : null;
                for (int i = 0; i < group.size(); i++) {
                    Parameter p = group.get(i);
                    if (!p.isTrainable()) {
                        continue;
                    }
                    boolean doWd = core.wdBnBias || !p.isBiasOrNorm();
                    Map<String, NDArray> state = core.state.get(g).get(i);
                    if (fused != null && FusedAdam.step(core, p, state, fused, doWd, scalars)) {
                        continue;
                    }
                    try (NDScope scope = new NDScope()) {
                        scope.suppressNotUsedWarning();
                        NDArray grad = Gradients.of(p.data());
                        if (grad == null) {
                            continue; // like fastai: parameters without a gradient are skipped
                        }
                        StepContext ctx = new StepContext(core, p, grad, state, hypers, doWd, scalars);
                        for (OptimizerStep s : core.steps) {
                            s.apply(ctx);
                        }
                    }
                }
            }
        }
    }

    /**
     * Whether the declared {@link FusedKernel} runs (the default) rather than the step list. Both give the same
     * weights up to float rounding and share the same state; the switch is for tests and benchmarks, and has no
     * effect on optimizers without a kernel.
     */
    public void setFused(boolean fused) {
        core.fused = fused;
    }

    /** Whether {@link #step()} takes the fused path: a kernel is declared and not turned off. */
    public boolean isFused() {
        return core.kernel == FusedKernel.ADAM && core.fused;
    }

    /** Zeroes the gradients of all trainable parameters. */
    public void zeroGrad() {
        for (List<Parameter> group : core.groups) {
            for (Parameter p : group) {
                if (p.isTrainable()) {
                    Gradients.zero(p.data());
                }
            }
        }
    }

    /** Number of parameter groups. */
    public int groupCount() {
        return core.groups.size();
    }

    /** The parameter groups (unmodifiable). */
    public List<List<Parameter>> groups() {
        return core.groups;
    }

    /** Hyper-parameter {@code name} of group {@code group}. */
    public double hyper(String name, int group) {
        Double v = core.hypers.get(group).get(name);
        if (v == null) {
            throw new IllegalArgumentException("optimizer has no hyper-parameter '" + name + "'");
        }
        return v;
    }

    /** Hyper-parameter {@code name} of every group. */
    public double[] hypers(String name) {
        double[] out = new double[groupCount()];
        for (int g = 0; g < out.length; g++) {
            out[g] = hyper(name, g);
        }
        return out;
    }

    /** Whether the optimizer has hyper-parameter {@code name}. */
    public boolean hasHyper(String name) {
        return core.hypers.get(0).containsKey(name);
    }

    /** Sets hyper-parameter {@code name} (adding it if new) to {@code value} in all groups. */
    public void setHyper(String name, double value) {
        for (Map<String, Double> h : core.hypers) {
            h.put(name, value);
        }
    }

    /** Sets hyper-parameter {@code name} per group; {@code perGroup.length} must equal {@link #groupCount()}. */
    public void setHyper(String name, double[] perGroup) {
        if (perGroup.length != groupCount()) {
            throw new IllegalArgumentException("hyper-parameter '" + name + "': " + perGroup.length
                    + " values for " + groupCount() + " parameter groups");
        }
        for (int g = 0; g < perGroup.length; g++) {
            core.hypers.get(g).put(name, perGroup[g]);
        }
    }

    /** Sets hyper-parameter {@code name} from a slice spread over the groups (fastai's {@code set_hyper}). */
    public void setHyper(String name, Slice slice) {
        setHyper(name, slice.spread(groupCount()));
    }

    /** Whether weight decay also applies to bias and normalisation parameters (fastai {@code wd_bn_bias}). */
    public boolean wdBnBias() {
        return core.wdBnBias;
    }

    /** See {@link #wdBnBias()}; false by default. */
    public void setWdBnBias(boolean wdBnBias) {
        core.wdBnBias = wdBnBias;
    }

    /** Live state of the {@code index}-th parameter of group {@code group} (read-only view). */
    public Map<String, NDArray> state(int group, int index) {
        return Collections.unmodifiableMap(core.state.get(group).get(index));
    }

    /** Frees all per-parameter state (fastai {@code clear_state}); hyper-parameters are kept. */
    public void clearState() {
        core.stepViews.clear();
        for (List<Map<String, NDArray>> g : core.state) {
            for (Map<String, NDArray> s : g) {
                s.values().forEach(NDArray::close);
                s.clear();
            }
        }
    }

    /**
     * Copies of the hyper-parameters and state, in the format described on this class. The arrays are fresh
     * copies owned by the caller: attached to the first parameter's manager and unregistered from the innermost
     * open {@link NDScope}.
     */
    public Map<String, NDArray> stateDict() {
        ensureOpen();
        Map<String, NDArray> out = new LinkedHashMap<>();
        NDManager target = core.paramManager();
        for (int g = 0; g < core.hypers.size(); g++) {
            for (Map.Entry<String, Double> e : core.hypers.get(g).entrySet()) {
                out.put("hyper.group" + g + "." + e.getKey(), own(target.create(e.getValue().doubleValue()), target));
            }
        }
        for (int g = 0; g < core.state.size(); g++) {
            List<Map<String, NDArray>> gs = core.state.get(g);
            for (int i = 0; i < gs.size(); i++) {
                for (Map.Entry<String, NDArray> e : gs.get(i).entrySet()) {
                    out.put("group" + g + ".param" + i + "." + e.getKey(), copyTo(e.getValue(), target));
                }
            }
        }
        return out;
    }

    /**
     * Replaces the state (and the hyper-parameters present) with copies of {@code dict}'s arrays. Unknown keys,
     * out-of-range groups or parameters, and arrays that are neither scalars nor shaped like their parameter
     * are rejected before anything changes.
     */
    public void loadStateDict(Map<String, NDArray> dict) {
        ensureOpen();
        List<Runnable> apply = new ArrayList<>();
        for (Map.Entry<String, NDArray> e : dict.entrySet()) {
            String key = e.getKey();
            NDArray v = e.getValue();
            Matcher h = HYPER_KEY.matcher(key);
            Matcher s = STATE_KEY.matcher(key);
            if (h.matches()) {
                int g = checkGroup(Integer.parseInt(h.group(1)), key);
                if (!v.getShape().isScalar() && v.size() != 1) {
                    throw new IllegalArgumentException("state dict entry " + key + " is not a scalar: " + v.getShape());
                }
                String name = h.group(2);
                double value = scalar(v);
                apply.add(() -> core.hypers.get(g).put(name, value));
            } else if (s.matches()) {
                int g = checkGroup(Integer.parseInt(s.group(1)), key);
                int i = Integer.parseInt(s.group(2));
                if (i >= core.groups.get(g).size()) {
                    throw new IllegalArgumentException("state dict entry " + key + ": group " + g + " has only "
                            + core.groups.get(g).size() + " parameters");
                }
                Shape ps = core.groups.get(g).get(i).data().getShape();
                if (!v.getShape().isScalar() && !v.getShape().equals(ps)) {
                    throw new IllegalArgumentException("state dict entry " + key + " has shape " + v.getShape()
                            + ", parameter has " + ps);
                }
                String name = s.group(3);
                apply.add(() -> core.state.get(g).get(i).put(name, copyTo(v, core.stateManager())));
            } else {
                throw new IllegalArgumentException("unexpected optimizer state dict entry: " + key);
            }
        }
        clearState();
        NoGrad.run(() -> apply.forEach(Runnable::run));
    }

    private int checkGroup(int g, String key) {
        if (g >= groupCount()) {
            throw new IllegalArgumentException(
                    "state dict entry " + key + ": the optimizer has only " + groupCount() + " parameter groups");
        }
        return g;
    }

    /** Reads a one-element array as a double. */
    static double scalar(NDArray a) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            return a.toType(DataType.FLOAT64, true).toDoubleArray()[0];
        }
    }

    /** A copy of {@code a} attached to {@code target} and out of the innermost scope. */
    static NDArray copyTo(NDArray a, NDManager target) {
        try (NoGrad noGrad = NoGrad.enter()) {
            NDArray c = a.getManager() == target || a.getDevice().equals(target.getDevice())
                    ? a.duplicate() : a.toDevice(target.getDevice(), true);
            return own(c, target);
        }
    }

    static NDArray own(NDArray a, NDManager target) {
        a.attach(target);
        NDScope.unregister(a);
        return a;
    }

    Core core() {
        return core;
    }

    /** Throws if the optimizer was closed. */
    protected final void ensureOpen() {
        if (core.closed) {
            throw new IllegalStateException("optimizer is closed");
        }
    }

    /** Frees the state; the parameters are untouched. */
    @Override
    public void close() {
        if (core.closed) {
            return;
        }
        clearState();
        core.closed = true;
        if (core.stateManager != null) {
            core.stateManager.close();
        }
    }
}

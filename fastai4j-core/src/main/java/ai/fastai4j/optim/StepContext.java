package ai.fastai4j.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.fastai4j.nn.Parameter;
import java.util.Map;

/**
 * What an {@link OptimizerStep} sees for one parameter during {@link Optimizer#step()}: the live parameter
 * tensor, its gradient, the parameter group's hyper-parameters and the parameter's persistent state.
 *
 * <p>Arrays a step creates for its own arithmetic are temporaries closed by the optimizer's per-parameter
 * scope. Arrays meant to survive the step must go through {@link #stateZeros(String)} or
 * {@link #putState(String, NDArray)}, which detach them from every scope and give them to the optimizer.
 */
public final class StepContext {

    private final Optimizer.Core core;
    private final Parameter parameter;
    private final NDArray grad;
    private final Map<String, NDArray> state;
    private final Map<String, Double> hypers;
    private final boolean doWd;
    private final StepScalars scalars;

    StepContext(Optimizer.Core core, Parameter parameter, NDArray grad, Map<String, NDArray> state,
            Map<String, Double> hypers, boolean doWd, StepScalars scalars) {
        this.core = core;
        this.parameter = parameter;
        this.grad = grad;
        this.state = state;
        this.hypers = hypers;
        this.doWd = doWd;
        this.scalars = scalars;
    }

    /** The parameter being updated. */
    public Parameter parameter() {
        return parameter;
    }

    /** The parameter's live tensor; update it in place. */
    public NDArray param() {
        return parameter.data();
    }

    /** The parameter's gradient (the real gradient tensor: in-place changes are visible to later steps). */
    public NDArray grad() {
        return grad;
    }

    /** A hyper-parameter of this parameter's group; throws if the group has none of that name. */
    public double hyper(String name) {
        Double v = hypers.get(name);
        if (v == null) {
            throw new IllegalArgumentException("optimizer has no hyper-parameter '" + name + "'");
        }
        return v;
    }

    /** A hyper-parameter of this parameter's group, or {@code fallback} when absent. */
    public double hyper(String name, double fallback) {
        return hypers.getOrDefault(name, fallback);
    }

    /**
     * {@code value} as a 0-d FLOAT32 array on the parameter's device, for {@code muli}, {@code addi} and friends:
     * the same operand DJL makes for {@code muli(value)}, but made once per optimizer step and shared by all
     * parameters, instead of once per call. Owned by the optimizer: do not modify or close it.
     */
    public NDArray scalar(float value) {
        return scalars.of(parameter.data().getManager(), value);
    }

    /** {@code value} as a 0-d INT64 array; see {@link #scalar(float)}. */
    public NDArray scalar(long value) {
        return scalars.of(parameter.data().getManager(), value);
    }

    /** Whether weight decay applies to this parameter (false on bias/norm parameters unless wd_bn_bias). */
    public boolean doWd() {
        return doWd;
    }

    /** The parameter's state (read-only view); entries survive between steps. */
    public Map<String, NDArray> state() {
        return java.util.Collections.unmodifiableMap(state);
    }

    /** The state entry {@code key}, created as zeros shaped like the parameter if it does not exist yet. */
    public NDArray stateZeros(String key) {
        NDArray a = state.get(key);
        if (a == null) {
            NDArray p = parameter.data();
            a = core.stateManager().zeros(p.getShape(), p.getDataType());
            NDScope.unregister(a);
            state.put(key, a);
        }
        return a;
    }

    /**
     * Stores {@code value} as the state entry {@code key}, closing the previous one. The optimizer takes the
     * array over: it is moved to the optimizer's manager and unregistered from the innermost open scope.
     */
    public NDArray putState(String key, NDArray value) {
        NDArray old = state.get(key);
        if (old == value) {
            return value;
        }
        value.attach(core.stateManager());
        NDScope.unregister(value);
        state.put(key, value);
        if (old != null) {
            old.close();
        }
        return value;
    }

    /** The number of steps counted by {@link OptimizerSteps#STEP_STAT} so far (0 before the first). */
    public long step() {
        NDArray s = state.get(OptimizerSteps.STEP);
        return s == null ? 0 : s.getLong();
    }
}

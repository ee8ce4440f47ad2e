package ai.fastai4j.optim;

import ai.fastai4j.nn.Parameter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An {@link OptimizerFactory} made of a step list, default hyper-parameters and, optionally, the
 * {@link FusedKernel} that computes that step list natively. Immutable: {@link #fused} and {@link #withStep}
 * return new factories.
 */
public final class StepListFactory implements OptimizerFactory {

    private final List<OptimizerStep> steps;
    private final Map<String, Double> defaults;
    private final FusedKernel kernel;

    private StepListFactory(List<OptimizerStep> steps, Map<String, Double> defaults, FusedKernel kernel) {
        this.steps = List.copyOf(steps);
        this.defaults = Collections.unmodifiableMap(new LinkedHashMap<>(defaults));
        this.kernel = kernel;
    }

    /** Optimizers running {@code steps} with {@code defaults} as their initial hyper-parameters. */
    public static StepListFactory of(List<OptimizerStep> steps, Map<String, Double> defaults) {
        return new StepListFactory(steps, defaults, null);
    }

    /** The same optimizers, declaring that {@code kernel} computes this step list (see {@link FusedKernel}). */
    public StepListFactory fused(FusedKernel kernel) {
        return new StepListFactory(steps, defaults, Objects.requireNonNull(kernel, "kernel"));
    }

    /**
     * The step list with {@code step} appended. The fused kernel, if any, is dropped: it no longer computes the
     * whole list, so the optimizers run the steps.
     */
    public StepListFactory withStep(OptimizerStep step) {
        List<OptimizerStep> more = new ArrayList<>(steps);
        more.add(Objects.requireNonNull(step, "step"));
        return new StepListFactory(more, defaults, null);
    }

    /** The step list (unmodifiable). */
    public List<OptimizerStep> steps() {
        return steps;
    }

    /** The initial hyper-parameters (unmodifiable). */
    public Map<String, Double> defaults() {
        return defaults;
    }

    /** The declared fused kernel, if any. */
    public Optional<FusedKernel> fusedKernel() {
        return Optional.ofNullable(kernel);
    }

    @Override
    public Optimizer create(List<List<Parameter>> groups) {
        return new Optimizer(groups, steps, defaults, kernel);
    }
}

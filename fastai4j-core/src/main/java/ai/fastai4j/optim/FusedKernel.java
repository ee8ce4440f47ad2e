package ai.fastai4j.optim;

/**
 * A native kernel that does an optimizer's whole step list in one call per parameter. An optimizer runs one only
 * when its factory declares it ({@link StepListFactory#fused(FusedKernel)}): the declaration is the promise that
 * the kernel computes exactly that step list. A step list the kernel does not cover (say, Adam with one more
 * step: {@link StepListFactory#withStep(OptimizerStep)}) runs as steps.
 */
public enum FusedKernel {

    /**
     * fastai's Adam with decoupled weight decay: {@link OptimizerSteps#WEIGHT_DECAY}, dampened
     * {@code averageGrad} and {@code averageSqrGrad}, {@link OptimizerSteps#STEP_STAT},
     * {@link OptimizerSteps#ADAM_STEP}; same weights as the step list up to float rounding, same state.
     */
    ADAM
}

package ai.fastai4j.optim;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * fastai's optimizers with fastai's defaults. The momentum (beta1) hyper-parameter is always called
 * {@code mom} so that schedules can drive it. The initial {@code lr} hyper is 1e-3 (the Learner's default);
 * the Learner sets the real one.
 */
public final class Optimizers {

    /** The placeholder learning rate every factory starts with. */
    public static final double DEFAULT_LR = 1e-3;

    private Optimizers() {
    }

    /** SGD without momentum or weight decay. */
    public static StepListFactory sgd() {
        return sgd(0, 0);
    }

    /** SGD with momentum {@code grad_avg = mom*grad_avg + grad} (no dampening) and decoupled weight decay. */
    public static StepListFactory sgd(double mom, double wd) {
        return sgd(mom, wd, true);
    }

    /** SGD; momentum is used only when {@code mom != 0}, as in fastai. */
    public static StepListFactory sgd(double mom, double wd, boolean decoupled) {
        List<OptimizerStep> steps = new ArrayList<>();
        steps.add(OptimizerSteps.weightDecay(decoupled));
        if (mom != 0) {
            steps.add(OptimizerSteps.averageGrad(false));
        }
        steps.add(mom == 0 ? OptimizerSteps.SGD_STEP : OptimizerSteps.MOMENTUM_STEP);
        return StepListFactory.of(steps, hypers("mom", mom, "wd", wd));
    }

    /** RMSProp (fastai defaults: sqr_mom 0.99, mom 0, wd 0, eps 1e-8). */
    public static StepListFactory rmsProp() {
        return rmsProp(0.99, 0, 1e-8, 0, true);
    }

    /** RMSProp; momentum is used only when {@code mom != 0}. */
    public static StepListFactory rmsProp(double sqrMom, double mom, double eps, double wd, boolean decoupled) {
        List<OptimizerStep> steps = new ArrayList<>();
        steps.add(OptimizerSteps.weightDecay(decoupled));
        if (mom != 0) {
            steps.add(OptimizerSteps.averageGrad(false));
        }
        steps.add(OptimizerSteps.averageSqrGrad(true));
        steps.add(OptimizerSteps.RMS_PROP_STEP);
        return StepListFactory.of(steps, hypers("mom", mom, "sqr_mom", sqrMom, "eps", eps, "wd", wd));
    }

    /**
     * Adam: mom 0.9, sqr_mom 0.99, eps 1e-5, wd 0.01, decoupled weight decay; steps through one fused native
     * update per parameter ({@link FusedKernel#ADAM}; see {@link Optimizer#setFused(boolean)}).
     */
    public static StepListFactory adam() {
        return adam(0.9, 0.99, 1e-5, 0.01, true);
    }

    /**
     * Adam with the given hyper-parameters; {@code decoupled} false means L2 regularisation. With decoupled
     * weight decay the factory declares {@link FusedKernel#ADAM}: one fused native update per parameter; with L2
     * regularisation it runs the step list.
     */
    public static StepListFactory adam(double mom, double sqrMom, double eps, double wd, boolean decoupled) {
        List<OptimizerStep> steps = List.of(OptimizerSteps.weightDecay(decoupled), OptimizerSteps.averageGrad(true),
                OptimizerSteps.averageSqrGrad(true), OptimizerSteps.STEP_STAT, OptimizerSteps.ADAM_STEP);
        StepListFactory f = StepListFactory.of(steps, hypers("mom", mom, "sqr_mom", sqrMom, "eps", eps, "wd", wd));
        return decoupled ? f.fused(FusedKernel.ADAM) : f;
    }

    /** RAdam: mom 0.9, sqr_mom 0.99, eps 1e-5, wd 0, beta 0. */
    public static StepListFactory radam() {
        return radam(0.9, 0.99, 1e-5, 0, true);
    }

    /** RAdam with beta 0 (no softplus). */
    public static StepListFactory radam(double mom, double sqrMom, double eps, double wd, boolean decoupled) {
        return radam(mom, sqrMom, eps, wd, 0, decoupled);
    }

    /** RAdam; a non-zero {@code beta} applies a softplus to the denominator. */
    public static StepListFactory radam(double mom, double sqrMom, double eps, double wd, double beta,
            boolean decoupled) {
        List<OptimizerStep> steps = List.of(OptimizerSteps.weightDecay(decoupled), OptimizerSteps.averageGrad(true),
                OptimizerSteps.averageSqrGrad(true), OptimizerSteps.STEP_STAT, OptimizerSteps.RADAM_STEP);
        return StepListFactory.of(steps, hypers("mom", mom, "sqr_mom", sqrMom, "eps", eps, "wd", wd, "beta", beta));
    }

    /** Lamb: mom 0.9, sqr_mom 0.99, eps 1e-5, wd 0. */
    public static StepListFactory lamb() {
        return lamb(0.9, 0.99, 1e-5, 0, true);
    }

    /** Lamb with the given hyper-parameters. */
    public static StepListFactory lamb(double mom, double sqrMom, double eps, double wd, boolean decoupled) {
        List<OptimizerStep> steps = List.of(OptimizerSteps.weightDecay(decoupled), OptimizerSteps.averageGrad(true),
                OptimizerSteps.averageSqrGrad(true), OptimizerSteps.STEP_STAT, OptimizerSteps.LAMB_STEP);
        return StepListFactory.of(steps, hypers("mom", mom, "sqr_mom", sqrMom, "eps", eps, "wd", wd));
    }

    /** Lookahead with k 6, alpha 0.5. */
    public static OptimizerFactory lookahead(OptimizerFactory inner) {
        return lookahead(inner, 6, 0.5);
    }

    /** Wraps the optimizers {@code inner} creates in a {@link Lookahead}. */
    public static OptimizerFactory lookahead(OptimizerFactory inner, int k, double alpha) {
        return groups -> new Lookahead(inner.create(groups), k, alpha);
    }

    /** Ranger: Lookahead(RAdam(mom 0.95, sqr_mom 0.99, eps 1e-6, wd 0.01)), k 6, alpha 0.5. */
    public static OptimizerFactory ranger() {
        return lookahead(radam(0.95, 0.99, 1e-6, 0.01, true), 6, 0.5);
    }

    private static Map<String, Double> hypers(Object... kv) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("lr", DEFAULT_LR);
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], ((Number) kv[i + 1]).doubleValue());
        }
        return m;
    }
}

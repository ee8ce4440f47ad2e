package ai.fastai4j.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.fastai4j.engine.Gradients;
import ai.fastai4j.engine.Int64Cell;
import ai.fastai4j.engine.Kernels;
import ai.fastai4j.nn.Parameter;
import java.util.Map;

/**
 * {@link FusedKernel#ADAM}: fastai's Adam step ({@link OptimizerSteps#WEIGHT_DECAY}, dampened {@code averageGrad} and
 * {@code averageSqrGrad}, {@link OptimizerSteps#STEP_STAT}, {@link OptimizerSteps#ADAM_STEP}) in one native call
 * per parameter: DJL's {@code adamUpdate}, which computes, in place,
 * <pre>
 *   p -= lr*wd*p;  m = mom*m + (1-mom)*g;  v = sqr_mom*v + (1-sqr_mom)*g*g;  p -= lrbc * m / (sqrt(v) + eps')
 * </pre>
 * With {@code lrbc = lr*sqrt(debias2)/debias1} and {@code eps' = eps*sqrt(debias2)} the last update is fastai's
 * {@code p -= lr/debias1 * m / (sqrt(v/debias2) + eps)}: the same weights up to float rounding (about 1e-7).
 * The state ({@code grad_avg}, {@code sqr_avg}, {@code step}) is the step list's, so both paths read, save and
 * load the same state. The step counter (an INT64 scalar) is read and written through a direct view of its
 * memory, so a step costs one JNI call per parameter plus fetching and releasing the gradient.
 */
final class FusedAdam {

    private FusedAdam() {
    }

    /** A group's hyper-parameters, when the fused path supports them. */
    record Hypers(double lr, double mom, double sqrMom, double eps, double wd) {
    }

    /**
     * The group's hyper-parameters, or null when the fused path does not handle them (a missing lr, mom, sqr_mom
     * or eps, a momentum outside [0, 1), non-finite values): the step list then runs and behaves as it always does.
     */
    static Hypers hypers(Map<String, Double> h) {
        Double lr = h.get("lr");
        Double mom = h.get("mom");
        Double sqrMom = h.get("sqr_mom");
        Double eps = h.get("eps");
        double wd = h.getOrDefault("wd", 0.0);
        if (lr == null || mom == null || sqrMom == null || eps == null) {
            return null;
        }
        if (!(mom >= 0 && mom < 1 && sqrMom >= 0 && sqrMom < 1) || !Double.isFinite(lr) || !Double.isFinite(eps)
                || !Double.isFinite(wd)) {
            return null;
        }
        return new Hypers(lr, mom, sqrMom, eps, wd);
    }

    /**
     * Runs the step on one trainable parameter. Returns false, having changed nothing, when the parameter is not
     * a FLOAT32 PyTorch tensor or its state does not match it (the caller then runs the step list); true when it
     * was updated or has no gradient (skipped, as fastai does).
     */
    static boolean step(Optimizer.Core core, Parameter p, Map<String, NDArray> state, Hypers h, boolean doWd,
            StepScalars scalars) {
        NDArray w = p.data();
        if (!Kernels.adamAccepts(w) || !matches(state.get(OptimizerSteps.GRAD_AVG), w)
                || !matches(state.get(OptimizerSteps.SQR_AVG), w)) {
            return false;
        }
        NDArray grad = Gradients.of(w);
        if (grad == null) {
            return true;
        }
        try {
            NDScope.unregister(grad); // autograd gives a gradient the parameter's type, shape and device
            StepContext ctx = new StepContext(core, p, grad, state, Map.of(), doWd, scalars);
            NDArray m = ctx.stateZeros(OptimizerSteps.GRAD_AVG);
            NDArray v = ctx.stateZeros(OptimizerSteps.SQR_AVG);
            long step = nextStep(core, ctx, state, scalars);
            double debias1 = OptimizerSteps.debias(h.mom(), 1 - h.mom(), step);
            double debias2 = OptimizerSteps.debias(h.sqrMom(), 1 - h.sqrMom(), step);
            double root2 = Math.sqrt(debias2);
            double wd = doWd ? h.wd() : 0;
            Kernels.adamUpdate(w, grad, m, v, new Kernels.AdamArgs((float) h.lr(), (float) (h.lr() * root2 / debias1),
                    (float) wd, (float) h.mom(), (float) h.sqrMom(), (float) (h.eps() * root2)));
            return true;
        } finally {
            grad.close();
        }
    }

    private static boolean matches(NDArray s, NDArray w) {
        return s == null || Kernels.adamAccepts(s) && s.getShape().equals(w.getShape());
    }

    /** {@link OptimizerSteps#STEP_STAT}: counts the step and returns the new count. */
    private static long nextStep(Optimizer.Core core, StepContext ctx, Map<String, NDArray> state,
            StepScalars scalars) {
        NDArray s = state.get(OptimizerSteps.STEP);
        if (s == null) {
            OptimizerSteps.STEP_STAT.apply(ctx);
            return 1;
        }
        Int64Cell cell = core.stepViews.get(s);
        if (cell == null) {
            cell = Int64Cell.of(s);
            if (cell == null) {
                OptimizerSteps.STEP_STAT.apply(ctx);
                return s.getLong();
            }
            core.stepViews.put(s, cell);
        }
        return cell.increment();
    }
}

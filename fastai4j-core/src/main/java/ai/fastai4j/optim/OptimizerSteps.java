package ai.fastai4j.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;

/**
 * The steps of fastai's {@code optimizer.py}, ported one for one. Hyper-parameter names: {@code lr},
 * {@code mom}, {@code sqr_mom}, {@code eps}, {@code wd}, {@code beta}; state names: {@code grad_avg},
 * {@code sqr_avg}, {@code step}. Scalar operands come from {@link StepContext#scalar(float)} (one native scalar
 * per distinct value and optimizer step, not one per operation).
 */
public final class OptimizerSteps {

    /** State key of the running average of the gradient. */
    public static final String GRAD_AVG = "grad_avg";
    /** State key of the running average of the squared gradient. */
    public static final String SQR_AVG = "sqr_avg";
    /** State key of the step counter (an INT64 scalar). */
    public static final String STEP = "step";
    /** RAdam applies its rectified update only once the length of the approximated SMA exceeds this. */
    public static final double RADAM_THRESHOLD = 5;
    /** Lamb's trust ratio is clipped at this value. */
    public static final double LAMB_MAX_TRUST = 10;

    private OptimizerSteps() {
    }

    /** Decoupled (true) weight decay: {@code p *= 1 - lr*wd}. */
    public static final OptimizerStep WEIGHT_DECAY = c -> {
        double wd = c.hyper("wd", 0);
        if (c.doWd() && wd != 0) {
            c.param().muli(c.scalar((float) (1 - c.hyper("lr") * wd)));
        }
    };

    /** L2 regularisation: {@code grad += wd*p}. */
    public static final OptimizerStep L2_REG = c -> {
        double wd = c.hyper("wd", 0);
        if (c.doWd() && wd != 0) {
            c.grad().addi(c.param().mul(c.scalar((float) wd)));
        }
    };

    /** {@link #WEIGHT_DECAY} when {@code decoupled}, else {@link #L2_REG}. */
    public static OptimizerStep weightDecay(boolean decoupled) {
        return decoupled ? WEIGHT_DECAY : L2_REG;
    }

    /** {@code grad_avg = mom*grad_avg + damp*grad}, damp being {@code 1-mom} with dampening, else 1. */
    public static OptimizerStep averageGrad(boolean dampening) {
        return dampening ? AVERAGE_GRAD_DAMPENED : AVERAGE_GRAD;
    }

    private static final OptimizerStep AVERAGE_GRAD = averageGradStep(false);
    private static final OptimizerStep AVERAGE_GRAD_DAMPENED = averageGradStep(true);

    private static OptimizerStep averageGradStep(boolean dampening) {
        return c -> {
            double mom = c.hyper("mom");
            double damp = dampening ? 1 - mom : 1;
            NDArray avg = c.stateZeros(GRAD_AVG).muli(c.scalar((float) mom));
            avg.addi(damp == 1 ? c.grad() : c.grad().mul(c.scalar((float) damp)));
        };
    }

    /** {@code sqr_avg = sqr_mom*sqr_avg + damp*grad^2}, damp being {@code 1-sqr_mom} with dampening, else 1. */
    public static OptimizerStep averageSqrGrad(boolean dampening) {
        return dampening ? AVERAGE_SQR_GRAD_DAMPENED : AVERAGE_SQR_GRAD;
    }

    private static final OptimizerStep AVERAGE_SQR_GRAD = averageSqrGradStep(false);
    private static final OptimizerStep AVERAGE_SQR_GRAD_DAMPENED = averageSqrGradStep(true);

    private static OptimizerStep averageSqrGradStep(boolean dampening) {
        return c -> {
            double sqrMom = c.hyper("sqr_mom");
            double damp = dampening ? 1 - sqrMom : 1;
            NDArray avg = c.stateZeros(SQR_AVG).muli(c.scalar((float) sqrMom));
            avg.addi(c.grad().square().muli(c.scalar((float) damp)));
        };
    }

    /** Counts the steps in state {@code step}. */
    public static final OptimizerStep STEP_STAT = c -> {
        NDArray s = c.state().get(STEP);
        if (s == null) {
            c.putState(STEP, c.param().getManager().create(1L));
        } else {
            s.addi(c.scalar(1L));
        }
    };

    /** Plain SGD: {@code p -= lr*grad}. */
    public static final OptimizerStep SGD_STEP = c -> c.param().subi(c.grad().mul(c.scalar((float) c.hyper("lr"))));

    /** SGD with momentum: {@code p -= lr*grad_avg}. */
    public static final OptimizerStep MOMENTUM_STEP =
            c -> c.param().subi(c.state().get(GRAD_AVG).mul(c.scalar((float) c.hyper("lr"))));

    /** RMSProp: {@code p -= lr * (grad_avg or grad) / (sqrt(sqr_avg) + eps)}. */
    public static final OptimizerStep RMS_PROP_STEP = c -> {
        NDArray num = c.state().containsKey(GRAD_AVG) ? c.state().get(GRAD_AVG) : c.grad();
        NDArray denom = c.state().get(SQR_AVG).sqrt().addi(c.scalar((float) c.hyper("eps")));
        c.param().subi(num.div(denom).muli(c.scalar((float) c.hyper("lr"))));
    };

    /** fastai's {@code debias(mom, damp, step) = damp * (1 - mom^step) / (1 - mom)}. */
    public static double debias(double mom, double damp, long step) {
        if (mom == 1) {
            return damp * step;
        }
        return damp * (1 - Math.pow(mom, step)) / (1 - mom);
    }

    /** Adam: {@code p -= lr/debias1 * grad_avg / (sqrt(sqr_avg/debias2) + eps)}. */
    public static final OptimizerStep ADAM_STEP = c -> {
        double mom = c.hyper("mom");
        double sqrMom = c.hyper("sqr_mom");
        long step = c.step();
        double debias1 = debias(mom, 1 - mom, step);
        double debias2 = debias(sqrMom, 1 - sqrMom, step);
        NDArray denom = c.state().get(SQR_AVG).div(c.scalar((float) debias2)).sqrt()
                .addi(c.scalar((float) c.hyper("eps")));
        c.param().subi(c.state().get(GRAD_AVG).div(denom).muli(c.scalar((float) (c.hyper("lr") / debias1))));
    };

    /**
     * RAdam: while the approximated SMA length {@code r} is at most {@link #RADAM_THRESHOLD}, a debiased momentum
     * step {@code p -= lr/debias1 * grad_avg}; afterwards Adam's step scaled by the rectification term
     * {@code sqrt((r-4)(r-2)r_inf / ((r_inf-4)(r_inf-2)r))}, with an optional softplus ({@code beta}) on the
     * denominator.
     */
    public static final OptimizerStep RADAM_STEP = c -> {
        double mom = c.hyper("mom");
        double sqrMom = c.hyper("sqr_mom");
        double lr = c.hyper("lr");
        long step = c.step();
        double debias1 = debias(mom, 1 - mom, step);
        double debias2 = debias(sqrMom, 1 - sqrMom, step);
        double rInf = 2 / (1 - sqrMom) - 1;
        double r = rInf - 2 * step * Math.pow(sqrMom, step) / (1 - Math.pow(sqrMom, step));
        NDArray gradAvg = c.state().get(GRAD_AVG);
        if (r > RADAM_THRESHOLD) {
            double v = Math.sqrt(((r - 4) * (r - 2) * rInf) / ((rInf - 4) * (rInf - 2) * r));
            NDArray denom = c.state().get(SQR_AVG).div(c.scalar((float) debias2)).sqrt();
            double eps = c.hyper("eps", 0);
            if (eps != 0) {
                denom.addi(c.scalar((float) eps));
            }
            double beta = c.hyper("beta", 0);
            if (beta != 0) {
                denom = softplus(denom, beta);
            }
            c.param().subi(gradAvg.div(denom).muli(c.scalar((float) (lr * v / debias1))));
        } else {
            c.param().subi(gradAvg.mul(c.scalar((float) (lr / debias1))));
        }
    };

    /** PyTorch's {@code F.softplus(x, beta)} (threshold 20). */
    static NDArray softplus(NDArray x, double beta) {
        NDArray bx = x.mul((float) beta);
        NDArray soft = bx.exp().addi(1f).log().divi((float) beta);
        return NDArrays.where(bx.gt(20f), x, soft);
    }

    /**
     * Lamb: {@code step = (grad_avg/debias1) / (sqrt(sqr_avg/debias2) + eps)}, then {@code p -= lr*q*step} with
     * trust ratio {@code q = min(rms(p)/rms(step), 10)} (1 when either is zero).
     */
    public static final OptimizerStep LAMB_STEP = c -> {
        double mom = c.hyper("mom");
        double sqrMom = c.hyper("sqr_mom");
        long step = c.step();
        double debias1 = debias(mom, 1 - mom, step);
        double debias2 = debias(sqrMom, 1 - sqrMom, step);
        NDArray p = c.param();
        double r1 = Math.sqrt(Optimizer.scalar(p.square().mean()));
        NDArray denom = c.state().get(SQR_AVG).div(c.scalar((float) debias2)).sqrt()
                .addi(c.scalar((float) c.hyper("eps")));
        NDArray upd = c.state().get(GRAD_AVG).div(c.scalar((float) debias1)).divi(denom);
        double r2 = Math.sqrt(Optimizer.scalar(upd.square().mean()));
        double q = r1 == 0 || r2 == 0 ? 1 : Math.min(r1 / r2, LAMB_MAX_TRUST);
        p.subi(upd.muli(c.scalar((float) (c.hyper("lr") * q))));
    };
}

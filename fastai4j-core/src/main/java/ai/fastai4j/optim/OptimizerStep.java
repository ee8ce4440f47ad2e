package ai.fastai4j.optim;

/**
 * One small piece of an optimizer, as in fastai's {@code optimizer.py}: weight decay, a running average, a
 * parameter update. An {@link Optimizer} folds its steps, in order, over every trainable parameter that has a
 * gradient. Steps read hyper-parameters and per-parameter state through the {@link StepContext}.
 */
@FunctionalInterface
public interface OptimizerStep {

    /** Updates the parameter and/or its state in place. Temporaries may be left to the enclosing scope. */
    void apply(StepContext ctx);
}

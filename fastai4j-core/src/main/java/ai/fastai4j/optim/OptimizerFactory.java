package ai.fastai4j.optim;

import ai.fastai4j.nn.Parameter;
import java.util.List;

/** Builds an optimizer over parameter groups (fastai's {@code opt_func}). */
@FunctionalInterface
public interface OptimizerFactory {

    /** Creates an optimizer with this factory's default hyper-parameters over {@code groups}. */
    Optimizer create(List<List<Parameter>> groups);
}

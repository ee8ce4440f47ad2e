package ai.fastai4j.schedule;

/** A hyper-parameter value as a function of training progress {@code pct} in [0, 1]. */
@FunctionalInterface
public interface Schedule {

    /** The value at progress {@code pct}. */
    double at(double pct);
}

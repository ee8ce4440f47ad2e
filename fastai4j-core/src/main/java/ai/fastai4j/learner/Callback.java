package ai.fastai4j.learner;

/**
 * Hooks into every stage of the training loop. Callbacks run in ascending {@link #order()}; each reads and may
 * change the learner's state (the batch, predictions, loss, hyper-parameters) and may throw a
 * {@link CancelException} to skip a stage.
 */
public interface Callback {

    /** Lower runs first. fastai: TrainEval -10, Recorder 50, ParamScheduler 60, Progress 70. */
    default int order() {
        return 0;
    }

    default void beforeFit(Learner learn) {}

    default void beforeEpoch(Learner learn) {}

    default void beforeTrain(Learner learn) {}

    default void beforeBatch(Learner learn) {}

    default void afterPred(Learner learn) {}

    default void afterLoss(Learner learn) {}

    default void beforeBackward(Learner learn) {}

    default void afterBackward(Learner learn) {}

    default void afterCancelBackward(Learner learn) {}

    default void beforeStep(Learner learn) {}

    default void afterStep(Learner learn) {}

    default void afterCancelStep(Learner learn) {}

    default void afterCancelBatch(Learner learn) {}

    default void afterBatch(Learner learn) {}

    default void afterCancelTrain(Learner learn) {}

    default void afterTrain(Learner learn) {}

    default void beforeValidate(Learner learn) {}

    default void afterCancelValidate(Learner learn) {}

    default void afterValidate(Learner learn) {}

    default void afterCancelEpoch(Learner learn) {}

    default void afterEpoch(Learner learn) {}

    default void afterCancelFit(Learner learn) {}

    default void afterFit(Learner learn) {}

    /** Dispatches {@code event} to the matching method. */
    default void handle(Event event, Learner learn) {
        switch (event) {
            case BEFORE_FIT -> beforeFit(learn);
            case BEFORE_EPOCH -> beforeEpoch(learn);
            case BEFORE_TRAIN -> beforeTrain(learn);
            case BEFORE_BATCH -> beforeBatch(learn);
            case AFTER_PRED -> afterPred(learn);
            case AFTER_LOSS -> afterLoss(learn);
            case BEFORE_BACKWARD -> beforeBackward(learn);
            case AFTER_BACKWARD -> afterBackward(learn);
            case AFTER_CANCEL_BACKWARD -> afterCancelBackward(learn);
            case BEFORE_STEP -> beforeStep(learn);
            case AFTER_STEP -> afterStep(learn);
            case AFTER_CANCEL_STEP -> afterCancelStep(learn);
            case AFTER_CANCEL_BATCH -> afterCancelBatch(learn);
            case AFTER_BATCH -> afterBatch(learn);
            case AFTER_CANCEL_TRAIN -> afterCancelTrain(learn);
            case AFTER_TRAIN -> afterTrain(learn);
            case BEFORE_VALIDATE -> beforeValidate(learn);
            case AFTER_CANCEL_VALIDATE -> afterCancelValidate(learn);
            case AFTER_VALIDATE -> afterValidate(learn);
            case AFTER_CANCEL_EPOCH -> afterCancelEpoch(learn);
            case AFTER_EPOCH -> afterEpoch(learn);
            case AFTER_CANCEL_FIT -> afterCancelFit(learn);
            case AFTER_FIT -> afterFit(learn);
        }
    }
}

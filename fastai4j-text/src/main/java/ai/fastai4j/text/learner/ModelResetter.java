package ai.fastai4j.text.learner;

import ai.fastai4j.learner.Callback;
import ai.fastai4j.learner.Learner;
import ai.fastai4j.text.models.Resettable;

/** fastai's {@code ModelResetter}: resets a stateful model before training, before validation and after fitting. */
public final class ModelResetter implements Callback {
    @Override
    public void beforeTrain(Learner learn) {
        reset(learn);
    }

    @Override
    public void beforeValidate(Learner learn) {
        reset(learn);
    }

    @Override
    public void afterFit(Learner learn) {
        reset(learn);
    }

    private static void reset(Learner learn) {
        if (learn.model() instanceof Resettable r) {
            r.reset();
        }
    }
}

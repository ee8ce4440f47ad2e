package ai.fastai4j.learner;

/** Switches the model between training and evaluation mode and tracks training progress (fastai's TrainEvalCallback). */
public final class TrainEvalCallback implements Callback {
    @Override
    public int order() {
        return -10;
    }

    @Override
    public void beforeFit(Learner learn) {
        learn.setTrainIter(0);
        learn.setPctTrain(0);
    }

    @Override
    public void beforeTrain(Learner learn) {
        learn.setTraining(true);
        learn.model().train(true);
    }

    @Override
    public void afterBatch(Learner learn) {
        if (!learn.isTraining()) {
            return;
        }
        learn.setPctTrain(learn.pctTrain() + 1.0 / ((double) learn.dl().numBatches() * learn.nEpoch()));
        learn.setTrainIter(learn.trainIter() + 1);
    }

    @Override
    public void beforeValidate(Learner learn) {
        learn.setTraining(false);
        learn.model().eval();
    }

    @Override
    public void afterFit(Learner learn) {
        learn.setTraining(false);
    }
}

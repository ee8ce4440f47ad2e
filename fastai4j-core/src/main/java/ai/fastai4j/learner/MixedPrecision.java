package ai.fastai4j.learner;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.fastai4j.engine.Autocast;
import ai.fastai4j.engine.Gradients;
import ai.fastai4j.nn.Parameter;
import java.util.ArrayList;
import java.util.List;

/**
 * fastai's {@code MixedPrecision} callback, added by {@link Learner#toFp16()} (CUDA only): the forward pass runs
 * under {@link Autocast} (FLOAT16 convolutions and linear layers, FLOAT32 weights), the predictions go back to
 * FLOAT32 for the loss, and a dynamic {@link LossScaler} scales the loss before backward, unscales the gradients
 * after it, and skips the step when they overflowed.
 */
public final class MixedPrecision implements Callback {

    private final LossScaler scaler;
    private Autocast autocast;
    private boolean skipStep;

    /** With torch's default scaler (2^16, doubling after 2000 clean steps). */
    public MixedPrecision() {
        this(new LossScaler());
    }

    public MixedPrecision(LossScaler scaler) {
        this.scaler = scaler;
    }

    /** The loss scaler (its scale and skipped steps). */
    public LossScaler scaler() {
        return scaler;
    }

    @Override
    public int order() {
        return 10; // after TrainEval (-10), before Recorder (50)
    }

    @Override
    public void beforeBatch(Learner learn) {
        autocast = Autocast.enter();
    }

    @Override
    public void afterPred(Learner learn) {
        leaveAutocast();
        NDArray p = learn.pred();
        if (p != null && p.getDataType() == DataType.FLOAT16) {
            learn.setPred(p.toType(DataType.FLOAT32, false));
        }
    }

    @Override
    public void beforeBackward(Learner learn) {
        learn.setLossGrad(learn.lossGrad().mul((float) scaler.scale()));
    }

    @Override
    public void afterBackward(Learner learn) {
        List<NDArray> grads = new ArrayList<>();
        for (List<Parameter> group : learn.opt().groups()) {
            for (Parameter p : group) {
                NDArray g = p.isTrainable() ? Gradients.of(p.data()) : null;
                if (g != null) {
                    grads.add(g);
                }
            }
        }
        boolean finite = grads.isEmpty() || allFinite(grads);
        double used = scaler.scale();
        skipStep = !scaler.update(finite);
        if (!skipStep) {
            float inv = (float) (1.0 / used);
            for (NDArray g : grads) {
                g.muli(inv); // in place: the handle shares the gradient's memory
            }
        }
    }

    /** One device-to-host read: the sum of every gradient's sum is finite only if every element is. */
    private static boolean allFinite(List<NDArray> grads) {
        NDList sums = new NDList(grads.size());
        for (NDArray g : grads) {
            sums.add(g.sum().toType(DataType.FLOAT32, false).reshape(1));
        }
        float total = NDArrays.concat(sums).sum().getFloat();
        return Float.isFinite(total);
    }

    @Override
    public void beforeStep(Learner learn) {
        if (skipStep) {
            skipStep = false;
            throw new CancelStepException();
        }
    }

    @Override
    public void afterCancelBatch(Learner learn) {
        leaveAutocast();
    }

    @Override
    public void afterBatch(Learner learn) {
        leaveAutocast();
    }

    private void leaveAutocast() {
        if (autocast != null) {
            autocast.close();
            autocast = null;
        }
    }
}

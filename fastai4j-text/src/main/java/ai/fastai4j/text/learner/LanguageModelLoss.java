package ai.fastai4j.text.learner;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.fastai4j.losses.LossFunction;

/**
 * fastai's {@code CrossEntropyLossFlat()} as language models use it: the class axis is the last one, so logits
 * (batch, seq, vocab) against next tokens (batch, seq). Per item: the mean over the sequence.
 */
public final class LanguageModelLoss implements LossFunction {
    @Override
    public NDArray perItem(NDArray pred, NDArray target) {
        long bs = pred.getShape().get(0);
        long vocab = pred.getShape().get(pred.getShape().dimension() - 1);
        NDArray logp = pred.reshape(-1, vocab).logSoftmax(-1);
        NDArray nll = logp.gather(target.toType(DataType.INT64, false).reshape(-1, 1), 1).neg();
        return nll.reshape(bs, -1).mean(new int[] {1});
    }

    @Override
    public NDArray activation(NDArray pred) {
        return pred.softmax(-1);
    }

    @Override
    public NDArray decode(NDArray activated) {
        return activated.argMax(-1);
    }

    @Override
    public String name() {
        return "CrossEntropyLossFlat";
    }
}

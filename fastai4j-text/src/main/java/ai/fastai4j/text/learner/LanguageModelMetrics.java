package ai.fastai4j.text.learner;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.fastai4j.metrics.Metric;

/**
 * fastai's language-model metrics over logits (batch, seq, vocab) and next tokens (batch, seq): {@code accuracy}
 * (flattened) and {@code Perplexity} (exp of the mean cross-entropy over every predicted token). Neither keeps
 * anything vocabulary-sized.
 */
public final class LanguageModelMetrics {
    private LanguageModelMetrics() {}

    /** Share of positions whose most likely next token is the true one. */
    public static Metric accuracy() {
        return new Counting("accuracy", false);
    }

    /** exp(mean cross-entropy per token). */
    public static Metric perplexity() {
        return new Counting("perplexity", true);
    }

    private static final class Counting implements Metric {
        private final String name;
        private final boolean perplexity;
        private double sum;
        private long count;

        Counting(String name, boolean perplexity) {
            this.name = name;
            this.perplexity = perplexity;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public void reset() {
            sum = 0;
            count = 0;
        }

        @Override
        public void accumulate(NDArray pred, NDArray target) {
            long vocab = pred.getShape().get(pred.getShape().dimension() - 1);
            NDArray flat = pred.reshape(-1, vocab);
            NDArray t = target.toType(DataType.INT64, false).reshape(-1);
            if (perplexity) {
                NDArray nll = flat.logSoftmax(-1).gather(t.reshape(-1, 1), 1).neg();
                sum += nll.toType(DataType.FLOAT64, false).sum().getDouble();
            } else {
                sum += flat.argMax(1).toType(DataType.INT64, false).eq(t).sum().toType(DataType.INT64, false).getLong();
            }
            count += t.size();
        }

        @Override
        public double value() {
            if (count == 0) {
                return Double.NaN;
            }
            return perplexity ? Math.exp(sum / count) : sum / count;
        }
    }
}

package ai.fastai4j.text.learner;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.fastai4j.metrics.Metric;
import org.junit.jupiter.api.Test;

/** Loss, accuracy and perplexity of a language model against hand computations. */
class LanguageModelLossAndMetricsTest {

    @Test
    void crossEntropyOverTheLastAxisAccuracyAndPerplexity() {
        try (NDManager m = NDManager.newBaseManager()) {
            // batch 1, 2 positions, vocabulary 3
            NDArray logits = m.create(new float[] {0, 0, (float) Math.log(2), 5, 1, 1}, new Shape(1, 2, 3));
            NDArray next = m.create(new long[] {2, 1}, new Shape(1, 2));
            double l0 = -Math.log(2.0 / 4.0); // softmax(0, 0, ln 2)[2] = 2/4
            double l1 = -(1 - Math.log(Math.exp(5) + 2 * Math.exp(1)));
            float loss = new LanguageModelLoss().compute(logits, next).getFloat();
            assertEquals((l0 + l1) / 2, loss, 1e-5);

            Metric acc = LanguageModelMetrics.accuracy();
            Metric ppl = LanguageModelMetrics.perplexity();
            acc.reset();
            ppl.reset();
            acc.accumulate(logits, next);
            ppl.accumulate(logits, next);
            // a second batch of one position: uniform logits, target 0 (argmax ties pick index 0: correct)
            NDArray uniform = m.zeros(new Shape(1, 1, 3));
            NDArray zero = m.create(new long[] {0}, new Shape(1, 1));
            acc.accumulate(uniform, zero);
            ppl.accumulate(uniform, zero);
            assertEquals(2.0 / 3.0, acc.value(), 1e-9, "position 0 right, position 1 wrong, then right");
            assertEquals(Math.exp((l0 + l1 + Math.log(3)) / 3), ppl.value(), 1e-4);
        }
    }
}

package ai.fastai4j.tabular;

import ai.fastai4j.data.DataLoaders;
import ai.fastai4j.learner.Learner;
import ai.fastai4j.learner.Prediction;
import ai.fastai4j.nn.Module;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * fastai's {@code TabularLearner}: a {@link Learner} whose {@link #predictRow} takes one row as a map of column
 * to value and returns it decoded with the prediction. {@code predict(map)} works as for any learner.
 */
public class TabularLearner extends Learner {
    private final TabularProcessor processor;

    protected TabularLearner(Builder b) {
        super(b);
        this.processor = b.processor;
    }

    /** Starts a learner for {@code model} on tabular loaders (see {@link TabularLearners#create}). */
    public static Builder builder(TabularDataLoaders dls, Module model) {
        return new Builder(dls.dls(), model, dls.processor());
    }

    /** The procs and column names the model's inputs come from. */
    public TabularProcessor processor() {
        return processor;
    }

    /**
     * Predicts one row (column to value; missing columns are errors, empty or NA values are missing values, unseen
     * categories become {@code #na#}).
     */
    public TabularPrediction predictRow(Map<String, ?> row) {
        Map<String, Object> r = new LinkedHashMap<>(row);
        Prediction p = predict(r);
        Map<String, String> decoded = processor.decodeRow(processor.encode(r));
        return new TabularPrediction(decoded, p.label(), p.decision(), p.probs());
    }

    /** Builds {@link TabularLearner}s. */
    public static class Builder extends Learner.Builder {
        private final TabularProcessor processor;

        protected Builder(DataLoaders dls, Module model, TabularProcessor processor) {
            super(dls, model);
            this.processor = processor;
        }

        @Override
        public TabularLearner build() {
            return new TabularLearner(this);
        }
    }
}

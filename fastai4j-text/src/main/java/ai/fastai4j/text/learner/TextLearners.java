package ai.fastai4j.text.learner;

import ai.fastai4j.learner.Learner;
import ai.fastai4j.metrics.Metric;
import ai.fastai4j.metrics.Metrics;
import ai.fastai4j.optim.Slice;
import ai.fastai4j.text.SpecialTokens;
import ai.fastai4j.text.data.TextDataLoaders;
import ai.fastai4j.text.models.AwdLstmConfig;
import ai.fastai4j.text.models.AwdLstmExport;
import ai.fastai4j.text.models.LanguageModel;
import ai.fastai4j.text.models.TextClassifierModel;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * fastai's {@code language_model_learner} and {@code text_classifier_learner} for the AWD-LSTM: fastai's configs
 * (optionally scaled by {@code dropMult}), moms (0.8, 0.7, 0.8), the RNN regularizer (alpha 2, beta 1), the
 * model resetter, fastai's parameter groups; LM metrics accuracy and perplexity, classifier metric accuracy.
 *
 * <pre>{@code
 * LanguageModelLearner lm = TextLearners.languageModel(lmDls).dropMult(0.3).build();
 * lm.fitOneCycle(1, 2e-2);
 * lm.saveEncoder("finetuned");
 * TextClassifierLearner clas = TextLearners.classifier(clasDls).dropMult(0.5).build();
 * clas.loadEncoder("finetuned");
 * clas.fitOneCycle(1, 2e-2);
 * clas.freezeTo(-2);
 * clas.fitOneCycle(1, TextLearners.discriminativeLrs(1e-2));
 * }</pre>
 */
public final class TextLearners {
    /** fastai's text moms. */
    public static final double[] MOMS = {0.8, 0.7, 0.8};
    /** ULMFiT's factor between the rates of consecutive layer groups. */
    public static final double LAYER_FACTOR = 2.6;

    private TextLearners() {}

    public static LanguageModelBuilder languageModel(TextDataLoaders dls) {
        return new LanguageModelBuilder(dls);
    }

    public static ClassifierBuilder classifier(TextDataLoaders dls) {
        return new ClassifierBuilder(dls);
    }

    /** ULMFiT's discriminative rates: {@code slice(lr / 2.6^4, lr)}. */
    public static Slice discriminativeLrs(double lr) {
        return Slice.of(lr / Math.pow(LAYER_FACTOR, 4), lr);
    }

    /** Options shared by both builders. */
    abstract static class Base<B extends Base<B>> {
        final TextDataLoaders dls;
        AwdLstmConfig config;
        double dropMult = 1.0;
        double alpha = 2.0;
        double beta = 1.0;
        long seed = 42;
        final List<Metric> metrics = new ArrayList<>();
        Consumer<Learner.Builder> learner = b -> { };

        Base(TextDataLoaders dls, AwdLstmConfig config) {
            this.dls = dls;
            this.config = config;
        }

        @SuppressWarnings("unchecked")
        B self() {
            return (B) this;
        }

        /** Sizes and dropouts (default: fastai's config for this kind of model). */
        public B config(AwdLstmConfig c) {
            this.config = c;
            return self();
        }

        /** fastai's {@code drop_mult}: scales every dropout of the config. */
        public B dropMult(double m) {
            this.dropMult = m;
            return self();
        }

        /** The RNN regularizer's coefficients (fastai: 2 and 1). */
        public B regularizer(double alpha, double beta) {
            this.alpha = alpha;
            this.beta = beta;
            return self();
        }

        /** Metrics instead of the defaults. */
        public B metrics(Metric... ms) {
            metrics.clear();
            metrics.addAll(List.of(ms));
            return self();
        }

        /** Seed of text generation's sampling. */
        public B seed(long s) {
            this.seed = s;
            return self();
        }

        /** Further settings of the underlying learner (wd, lr, path, progress, optimizer, callbacks). */
        public B learner(Consumer<Learner.Builder> c) {
            this.learner = learner.andThen(c);
            return self();
        }

        AwdLstmConfig effectiveConfig() {
            AwdLstmConfig c = config.withDropMult(dropMult);
            if (c.padToken() != SpecialTokens.PAD_INDEX) {
                throw new IllegalArgumentException("the text loaders pad with index " + SpecialTokens.PAD_INDEX
                        + ", the config with " + c.padToken());
            }
            return c;
        }

        void common(Learner.Builder b) {
            b.moms(MOMS[0], MOMS[1], MOMS[2]).callbacks(new ModelResetter(), new RNNRegularizer(alpha, beta));
            learner.accept(b);
        }
    }

    /** Builds a {@link LanguageModelLearner}. */
    public static final class LanguageModelBuilder extends Base<LanguageModelBuilder> {
        LanguageModelBuilder(TextDataLoaders dls) {
            super(dls, AwdLstmConfig.languageModel());
        }

        public LanguageModelLearner build() {
            if (!dls.isLm()) {
                throw new IllegalArgumentException("a language model needs language-model data (isLm(true))");
            }
            AwdLstmConfig c = effectiveConfig();
            ai.djl.ndarray.NDManager mm = ai.djl.ndarray.NDManager.newBaseManager();
            LanguageModel model = new LanguageModel(mm, dls.vocab().size(), c);
            Learner.Builder b = Learner.builder(dls.dls(), model).lossFunction(new LanguageModelLoss())
                    .splitter(TextSplitters::languageModel).owning(model).owning(mm)
                    .metrics(metrics.isEmpty()
                            ? new Metric[] {LanguageModelMetrics.accuracy(), LanguageModelMetrics.perplexity()}
                            : metrics.toArray(Metric[]::new));
            common(b);
            LanguageModelLearner learn = new LanguageModelLearner(b, dls, model, seed);
            learn.setModelSpec(AwdLstmExport.lmSpec(dls.vocab().size(), c));
            return learn;
        }
    }

    /** Builds a {@link TextClassifierLearner}. */
    public static final class ClassifierBuilder extends Base<ClassifierBuilder> {
        /** fastai's classifier head: one hidden layer of 50 with dropout 0.1. */
        static final int LIN_FTRS = 50;
        static final float LIN_P = 0.1f;
        private int bptt = TextClassifierModel.BPTT;
        private int maxLen = TextClassifierModel.MAX_LEN;

        ClassifierBuilder(TextDataLoaders dls) {
            super(dls, AwdLstmConfig.classifier());
        }

        /** Chunk length of the sentence encoder (fastai: 72). */
        public ClassifierBuilder bptt(int n) {
            this.bptt = n;
            return this;
        }

        /** Tokens whose outputs are pooled (fastai: 72 * 20). */
        public ClassifierBuilder maxLen(int n) {
            this.maxLen = n;
            return this;
        }

        public TextClassifierLearner build() {
            if (dls.isLm()) {
                throw new IllegalArgumentException("a classifier needs classification data, got language-model data");
            }
            AwdLstmConfig c = effectiveConfig();
            ai.djl.ndarray.NDManager mm = ai.djl.ndarray.NDManager.newBaseManager();
            TextClassifierModel model = new TextClassifierModel(mm,
                    dls.vocab().size(), dls.classes().size(), c, bptt, maxLen, List.of(LIN_FTRS), List.of(LIN_P));
            Learner.Builder b = Learner.builder(dls.dls(), model).splitter(TextSplitters::classifier).owning(model).owning(mm)
                    .metrics(metrics.isEmpty() ? new Metric[] {Metrics.accuracy()} : metrics.toArray(Metric[]::new));
            common(b);
            TextClassifierLearner learn = new TextClassifierLearner(b, dls, model);
            learn.setModelSpec(AwdLstmExport.classifierSpec(dls.vocab().size(), dls.classes().size(), c, bptt, maxLen,
                    LIN_FTRS, LIN_P));
            return learn;
        }
    }
}

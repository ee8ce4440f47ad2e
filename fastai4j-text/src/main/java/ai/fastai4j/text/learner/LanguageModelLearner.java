package ai.fastai4j.text.learner;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.fastai4j.engine.NoGrad;
import ai.fastai4j.learner.Learner;
import ai.fastai4j.io.Safetensors;
import ai.fastai4j.text.SpecialTokens;
import ai.fastai4j.text.data.TextDataLoaders;
import ai.fastai4j.text.data.TextDecoder;
import ai.fastai4j.text.data.Vocab;
import ai.fastai4j.text.models.AwdLstmWeights;
import ai.fastai4j.text.models.LanguageModel;
import ai.fastai4j.text.models.TextPretrained;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * fastai's {@code LMLearner}: a {@link Learner} for an AWD-LSTM {@link LanguageModel} that also generates text
 * ({@link #predict(String, int, double)}), saves its encoder for a classifier ({@link #saveEncoder}) and loads
 * fastai's pretrained weights ({@link #loadPretrained}). Build one with {@link TextLearners#languageModel}.
 */
public final class LanguageModelLearner extends Learner {
    private final TextDataLoaders textDls;
    private final LanguageModel lm;
    private final Random rng;

    LanguageModelLearner(Learner.Builder b, TextDataLoaders textDls, LanguageModel lm, long seed) {
        super(b);
        this.textDls = textDls;
        this.lm = lm;
        this.rng = new Random(seed);
    }

    public LanguageModel languageModel() {
        return lm;
    }

    public TextDataLoaders textDls() {
        return textDls;
    }

    /**
     * fastai's {@code save_encoder}: the AWD-LSTM's weights (no decoder) to {@code path/models/name.safetensors},
     * for {@link TextClassifierLearner#loadEncoder}.
     */
    public Path saveEncoder(String name) {
        Path f = path().resolve("models").resolve(name + ".safetensors");
        try {
            Files.createDirectories(f.getParent());
            Safetensors.write(lm.encoder().stateDict(), Map.of("format", "fastai4j-awd-lstm-encoder"), f);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the encoder to " + f, e);
        }
        return f;
    }

    /**
     * Loads fastai's pretrained AWD-LSTM language model ({@code lstm_fwd.pth} and its vocabulary
     * {@code itos_wt103.pkl}) with this data's vocabulary mapped onto it (fastai's {@code load_pretrained}),
     * then freezes all but the last parameter group, as {@code language_model_learner(pretrained=True)}.
     */
    public AwdLstmWeights.Report loadPretrained(Path pth, Path itosPkl) throws IOException {
        AwdLstmWeights.Report r = AwdLstmWeights.load(pth, itosPkl, lm, textDls.vocab().itos());
        freeze();
        return r;
    }

    /**
     * fastai's {@code language_model_learner(pretrained=True)}: fetches {@link TextPretrained#WT103_FWD} (locally
     * or by download) and {@link #loadPretrained(Path, Path) loads} it. The model must have WT103's sizes
     * (fastai's LM config).
     */
    public AwdLstmWeights.Report loadPretrainedWt103() throws IOException {
        TextPretrained.ModelFiles f = TextPretrained.fetch(TextPretrained.WT103_FWD);
        return loadPretrained(f.weights(), f.vocab());
    }

    /** fastai's {@code predict}: the prompt followed by {@code nWords} sampled words (no xxunk), as text. */
    public String predict(String prompt, int nWords, double temperature) {
        return predict(prompt, nWords, temperature, rng);
    }

    /**
     * Generates {@code nWords} tokens after {@code prompt}: tokenized and numericalized as the training texts,
     * run through the model once, then one sampled token at a time with the hidden state carried; each token is
     * drawn from the softmax raised to {@code 1/temperature}, never xxunk. Returns the prompt and the new words
     * decoded to text (special tokens undone).
     */
    public String predict(String prompt, int nWords, double temperature, Random random) {
        List<String> tokens = new ArrayList<>();
        for (String t : generate(prompt, nWords, temperature, random)) {
            if (!t.equals(SpecialTokens.BOS) && !t.equals(SpecialTokens.PAD)) {
                tokens.add(t);
            }
        }
        return TextDecoder.toText(tokens);
    }

    /** The tokens of {@link #predict(String, int, double, Random)}: the prompt's, then {@code nWords} sampled ones. */
    public List<String> generate(String prompt, int nWords, double temperature, Random random) {
        if (nWords < 0 || !(temperature > 0)) {
            throw new IllegalArgumentException("need nWords >= 0 and temperature > 0, got " + nWords + ", "
                    + temperature);
        }
        Vocab vocab = textDls.vocab();
        Map<String, Integer> stoi = vocab.stoi();
        List<Integer> ids = new ArrayList<>();
        for (String t : textDls.tokenizer().tokenize(prompt)) {
            ids.add(stoi.getOrDefault(t, SpecialTokens.UNK_INDEX));
        }
        if (ids.isEmpty()) {
            ids.add(SpecialTokens.BOS_INDEX);
        }
        boolean wasTraining = lm.isTraining();
        lm.eval();
        lm.reset();
        List<Integer> all = new ArrayList<>(ids);
        try (NoGrad ng = NoGrad.enter()) {
            long[] feed = ids.stream().mapToLong(Integer::longValue).toArray();
            for (int w = 0; w < nWords; w++) {
                try (NDScope scope = new NDScope()) {
                    NDArray x = manager().create(feed, new Shape(1, feed.length));
                    NDArray logits = lm.forward(x).get(0).get(feed.length - 1);
                    float[] p = logits.softmax(-1).toType(DataType.FLOAT32, false).toFloatArray();
                    int next = sample(p, temperature, random);
                    all.add(next);
                    feed = new long[] {next};
                }
            }
        } finally {
            lm.reset();
            lm.train(wasTraining);
        }
        List<String> tokens = new ArrayList<>(all.size());
        for (int id : all) {
            tokens.add(vocab.itos().get(id));
        }
        return tokens;
    }

    static int sample(float[] probs, double temperature, Random random) {
        double[] w = new double[probs.length];
        double total = 0;
        for (int i = 0; i < probs.length; i++) {
            double p = i == SpecialTokens.UNK_INDEX ? 0 : probs[i];
            w[i] = temperature == 1.0 ? p : Math.pow(p, 1.0 / temperature);
            total += w[i];
        }
        double u = random.nextDouble() * total;
        for (int i = 0; i < w.length; i++) {
            u -= w[i];
            if (u < 0) {
                return i;
            }
        }
        for (int i = w.length - 1; i >= 0; i--) {
            if (w[i] > 0) {
                return i;
            }
        }
        throw new IllegalStateException("no token has a positive probability");
    }
}

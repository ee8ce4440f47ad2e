package ai.fastai4j.text;

import ai.djl.ndarray.NDManager;
import ai.fastai4j.data.Pipeline;
import ai.fastai4j.export.ExportExtension;
import ai.fastai4j.export.ExportRegistry;
import ai.fastai4j.export.Manifest;
import ai.fastai4j.export.ModelFactory;
import ai.fastai4j.export.Params;
import ai.fastai4j.nn.ModelSpec;
import ai.fastai4j.nn.Module;
import ai.fastai4j.text.data.Numericalize;
import ai.fastai4j.text.data.TextBlock;
import ai.fastai4j.text.data.Vocab;
import ai.fastai4j.text.models.AwdLstmConfig;
import ai.fastai4j.text.models.TextClassifierModel;
import ai.fastai4j.text.tokenize.BaseTokenizer;
import ai.fastai4j.text.tokenize.Rule;
import ai.fastai4j.text.tokenize.Tokenizer;
import ai.fastai4j.text.tokenize.WordTokenizer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The text export entries, found through {@link java.util.ServiceLoader}: the input block {@value #BLOCK}, whose
 * parameters are everything inference needs to turn a raw text into the ids the model was trained on: the
 * vocabulary learned on the training split ({@code vocab}), the tokenizer ({@code tokenizer}: the base
 * tokenizer's id and fastai's names of the rules, in order), {@code is_lm}, {@code seq_len} and {@code max_len}
 * (the most tokens a text may have at inference, default {@value #DEFAULT_MAX_LEN}: fastai's classifier's
 * {@code 72 * 20}); and the model factory {@value #CLASSIFIER} of AWD-LSTM classifiers ({@link #classifierSpec}).
 */
public final class TextExport implements ExportExtension {
    /** Id of the {@link TextBlock} in model files. */
    public static final String BLOCK = "text";
    /** Default limit on the tokens of one text in a model file. */
    public static final int DEFAULT_MAX_LEN = 72 * 20;

    /** The model factory name of AWD-LSTM text classifiers ({@link TextClassifierModel}). */
    public static final String CLASSIFIER = "awd_lstm_classifier";

    @Override
    public void register(ExportRegistry r) {
        r.registerBlock(BLOCK, TextBlock.class, TextExport::describe, TextExport::fromParams);
        r.registerModel(CLASSIFIER, new ModelFactory() {
            @Override
            public Module create(NDManager m, Map<String, Object> p) {
                return new TextClassifierModel(m, Params.getInt(p, "vocab_size", 1), Params.getInt(p, "n_classes", 2),
                        config(p), Params.getInt(p, "bptt", 1), Params.getInt(p, "max_len", 1),
                        intList(p, "lin_ftrs"), floatList(p, "ps"));
            }

            @Override
            public OptionalInt outputs(Map<String, Object> p) {
                return OptionalInt.of(Params.getInt(p, "n_classes", 2));
            }

            @Override
            public void checkInputs(Map<String, Object> p, List<Manifest.Component> inputs) {
                if (inputs.size() != 1 || !inputs.get(0).name().equals(BLOCK)) {
                    throw new IllegalArgumentException("a text classifier takes one '" + BLOCK + "' input");
                }
                int vocab = Params.getStringList(inputs.get(0).params(), "vocab").size();
                if (vocab != Params.getInt(p, "vocab_size", 1)) {
                    throw new IllegalArgumentException("the text block's vocabulary has " + vocab
                            + " tokens, the model's embedding " + Params.getInt(p, "vocab_size", 1) + " rows");
                }
            }
        });
    }

    /**
     * The model spec of an AWD-LSTM classifier built with these arguments (what {@link TextClassifierModel}'s
     * constructor takes), for {@code learn.setModelSpec} before {@code ModelExport.export}.
     */
    public static ModelSpec classifierSpec(int vocabSize, int nClasses, AwdLstmConfig c, int bptt, int maxLen,
            List<Integer> linFtrs, List<Float> ps) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("vocab_size", vocabSize);
        p.put("n_classes", nClasses);
        p.put("emb_sz", c.embSz());
        p.put("n_hid", c.nHid());
        p.put("n_layers", c.nLayers());
        p.put("pad_token", c.padToken());
        p.put("output_p", (double) c.outputP());
        p.put("hidden_p", (double) c.hiddenP());
        p.put("input_p", (double) c.inputP());
        p.put("embed_p", (double) c.embedP());
        p.put("weight_p", (double) c.weightP());
        p.put("bptt", bptt);
        p.put("max_len", maxLen);
        p.put("lin_ftrs", List.copyOf(linFtrs));
        p.put("ps", ps.stream().map(Float::doubleValue).toList());
        return new ModelSpec(CLASSIFIER, p);
    }

    private static AwdLstmConfig config(Map<String, Object> p) {
        return new AwdLstmConfig(Params.getInt(p, "emb_sz", 1), Params.getInt(p, "n_hid", 1),
                Params.getInt(p, "n_layers", 1), Params.getInt(p, "pad_token", 0), Params.getFloat(p, "output_p"),
                Params.getFloat(p, "hidden_p"), Params.getFloat(p, "input_p"), Params.getFloat(p, "embed_p"),
                Params.getFloat(p, "weight_p"), true, true);
    }

    private static List<Integer> intList(Map<String, Object> p, String key) {
        if (!(p.get(key) instanceof List<?> l)) {
            throw new IllegalArgumentException("'" + key + "' must be a list of integers");
        }
        List<Integer> out = new ArrayList<>();
        for (Object o : l) {
            if (!(o instanceof Number n) || n.doubleValue() != n.intValue() || n.intValue() < 1) {
                throw new IllegalArgumentException("'" + key + "' must hold positive integers, got " + o);
            }
            out.add(n.intValue());
        }
        return out;
    }

    private static List<Float> floatList(Map<String, Object> p, String key) {
        if (!(p.get(key) instanceof List<?> l)) {
            throw new IllegalArgumentException("'" + key + "' must be a list of numbers");
        }
        List<Float> out = new ArrayList<>();
        for (Object o : l) {
            if (!(o instanceof Number n)) {
                throw new IllegalArgumentException("'" + key + "' must hold numbers, got " + o);
            }
            out.add(n.floatValue());
        }
        return out;
    }

    /** The parameters of a set-up text block. */
    static Map<String, Object> describe(TextBlock block, Pipeline pipeline) {
        Numericalize num = null;
        for (Object t : pipeline.transforms()) {
            if (t instanceof Numericalize n) {
                num = n;
            }
        }
        if (num == null || num.vocabulary() == null) {
            throw new IllegalStateException("the text block has no vocabulary: set it up on the training texts first");
        }
        Map<String, Object> tok = new LinkedHashMap<>();
        tok.put("base", block.tokenizer().base().id());
        tok.put("rules", block.tokenizer().ruleNames());
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("is_lm", block.isLm());
        p.put("seq_len", block.seqLen());
        p.put("max_len", block.maxLen() > 0 ? block.maxLen() : DEFAULT_MAX_LEN);
        p.put("tokenizer", tok);
        p.put("vocab", num.vocabulary().itos());
        return p;
    }

    /** Rebuilds a text block (with its vocabulary fixed and its text length limit) from its parameters. */
    static TextBlock fromParams(Map<String, Object> p) {
        if (!(p.get("tokenizer") instanceof Map<?, ?> tok)) {
            throw new IllegalArgumentException("'tokenizer' must be an object with 'base' and 'rules'");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> t = (Map<String, Object>) tok;
        List<Rule> rules = new ArrayList<>();
        for (String name : Params.getStringList(t, "rules")) {
            rules.add(Rule.byName(name));
        }
        Tokenizer tokenizer = Tokenizer.of(baseTokenizer(Params.getString(t, "base")), rules);
        Vocab vocab = new Vocab(Params.getStringList(p, "vocab"));
        boolean lm = Params.getBoolean(p, "is_lm");
        return (lm ? TextBlock.languageModel() : TextBlock.classification()).tokenizer(tokenizer).vocab(vocab)
                .seqLen(Params.getInt(p, "seq_len", 1)).maxLen(Params.getInt(p, "max_len", 1)).workers(1).build();
    }

    /** The base tokenizer with this id. */
    public static BaseTokenizer baseTokenizer(String id) {
        if (id.equals(WordTokenizer.english().id())) {
            return WordTokenizer.english();
        }
        if (id.equals(BaseTokenizer.spaces().id())) {
            return BaseTokenizer.spaces();
        }
        throw new IllegalArgumentException("unknown base tokenizer '" + id + "' (known: " + WordTokenizer.english().id()
                + ", " + BaseTokenizer.spaces().id() + ")");
    }
}

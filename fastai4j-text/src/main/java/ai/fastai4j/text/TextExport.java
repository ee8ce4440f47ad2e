package ai.fastai4j.text;

import ai.fastai4j.data.Pipeline;
import ai.fastai4j.export.ExportExtension;
import ai.fastai4j.export.ExportRegistry;
import ai.fastai4j.export.Params;
import ai.fastai4j.text.data.Numericalize;
import ai.fastai4j.text.data.TextBlock;
import ai.fastai4j.text.data.Vocab;
import ai.fastai4j.text.tokenize.BaseTokenizer;
import ai.fastai4j.text.tokenize.Rule;
import ai.fastai4j.text.tokenize.Tokenizer;
import ai.fastai4j.text.tokenize.WordTokenizer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The text export entries, found through {@link java.util.ServiceLoader}: the input block {@value #BLOCK}, whose
 * parameters are everything inference needs to turn a raw text into the ids the model was trained on: the
 * vocabulary learned on the training split ({@code vocab}), the tokenizer ({@code tokenizer}: the base
 * tokenizer's id and fastai's names of the rules, in order), {@code is_lm}, {@code seq_len} and {@code max_len}
 * (the most tokens a text may have at inference, default {@value #DEFAULT_MAX_LEN}: fastai's classifier's
 * {@code 72 * 20}).
 */
public final class TextExport implements ExportExtension {
    /** Id of the {@link TextBlock} in model files. */
    public static final String BLOCK = "text";
    /** Default limit on the tokens of one text in a model file. */
    public static final int DEFAULT_MAX_LEN = 72 * 20;

    @Override
    public void register(ExportRegistry r) {
        r.registerBlock(BLOCK, TextBlock.class, TextExport::describe, TextExport::fromParams);
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

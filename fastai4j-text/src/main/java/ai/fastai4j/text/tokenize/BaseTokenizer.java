package ai.fastai4j.text.tokenize;

import java.util.List;

/**
 * Splits a (rule-processed) text into tokens, like the tokenizers fastai wraps ({@code SpacyTokenizer},
 * {@code BaseTokenizer}). Implementations are stateless and safe to call from several threads.
 */
public interface BaseTokenizer {

    /** The tokens of {@code text}, in order. */
    List<String> tokenize(String text);

    /**
     * What identifies this tokenizer's behaviour in caches and model files (a name and a version that changes
     * whenever its output would).
     */
    String id();

    /** fastai's {@code BaseTokenizer}: splits on single spaces only. */
    static BaseTokenizer spaces() {
        return new BaseTokenizer() {
            @Override
            public List<String> tokenize(String text) {
                return List.of(text.split(" ", -1));
            }

            @Override
            public String id() {
                return "spaces-1";
            }
        };
    }
}

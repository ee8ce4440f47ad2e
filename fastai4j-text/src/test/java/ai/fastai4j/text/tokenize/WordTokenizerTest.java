package ai.fastai4j.text.tokenize;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** spaCy's English rules on crafted sentences; expected tokens are spaCy's for the same input. */
class WordTokenizerTest {
    private static List<String> tok(String s) {
        return WordTokenizer.english().tokenize(s);
    }

    @Test
    void contractions() {
        assertEquals(List.of("This", "is", "n't", "a", "problem"), tok("This isn't a problem"));
        assertEquals(List.of("do", "n't", "ca", "n't", "wo", "n't", "can", "not"), tok("don't can't won't cannot"));
        assertEquals(List.of("I", "'m", "sure", "you", "'re", "right", ",", "it", "'s", "fine"),
                tok("I'm sure you're right, it's fine"));
        assertEquals(List.of("we", "'ll", "see", "what", "they", "'ve", "done"), tok("we'll see what they've done"));
        assertEquals(List.of("Darcy", "'s", "letter"), tok("Darcy's letter"));
        assertEquals(List.of("do", "n’t"), tok("don’t"));
        assertEquals(List.of("gon", "na", "go"), tok("gonna go"));
    }

    @Test
    void punctuation() {
        assertEquals(List.of("Hello", ",", "world", "!"), tok("Hello, world!"));
        assertEquals(List.of("\"", "Yes", ",", "\"", "said", "she", "."), tok("\"Yes,\" said she."));
        assertEquals(List.of("(", "see", "above", ")", ";", "then", "wait", "..."), tok("(see above); then wait..."));
        assertEquals(List.of("a", "well", "-", "known", "fact", "--", "true"), tok("a well-known fact -- true"));
        assertEquals(List.of("costs", "$", "5", "or", "10", "km", "away"), tok("costs $5 or 10km away"));
        assertEquals(List.of("the", "U.S.A.", "and", "the", "USA", "."), tok("the U.S.A. and the USA."));
        assertEquals(List.of("Mr.", "Darcy", "and", "Mrs.", "Bennet"), tok("Mr. Darcy and Mrs. Bennet"));
    }

    @Test
    void urlsAndEmailsStayWhole() {
        assertEquals(List.of("see", "https://docs.fast.ai/text.core.html", "."),
                tok("see https://docs.fast.ai/text.core.html."));
        assertEquals(List.of("(", "www.example.com", ")"), tok("(www.example.com)"));
        assertEquals(List.of("mail", "jane@example.org", "now"), tok("mail jane@example.org now"));
    }

    @Test
    void whitespaceAndSpecialTokens() {
        assertEquals(List.of("xxbos", "xxmaj", "a", "xxrep", "4", "b"), tok(" xxbos  xxmaj a\n\txxrep 4 b "));
        assertEquals(List.of(), tok("   "));
    }

    @Test
    void fastaiDefaultPipeline() {
        Tokenizer t = Tokenizer.defaults();
        // fastai's documented example: tokenize1("This isn't a problem", SpacyTokenizer())
        assertEquals(List.of("xxbos", "xxmaj", "this", "is", "n't", "a", "problem"), t.tokenize("This isn't a problem"));
        assertEquals(List.of("xxbos", "xxmaj", "this", "movie", "was", "xxup", "horrible", "xxrep", "3", "!"),
                t.tokenize("This movie was HORRIBLE!!!"));
        assertEquals(List.of("xxbos", "xxmaj", "it", "was", "xxwrep", "4", "very", "good", "."),
                t.tokenize("It was very very very very good."));
        assertEquals(List.of("xxbos", "go", "to", "#", "fastai", "/", "text"), t.tokenize("go to #fastai/text"));
    }
}

package ai.fastai4j.text.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.fastai4j.text.tokenize.Tokenizer;
import java.util.List;
import org.junit.jupiter.api.Test;

class TextDecoderTest {

    @Test
    void undoesTheRulesAndTheSpacing() {
        Tokenizer t = Tokenizer.defaults();
        for (String s : List.of("This isn't a problem.", "It is a truth universally acknowledged, that a single man "
                + "in possession of a good fortune, must be in want of a wife.", "I'M SHOUTING (quietly): don't!",
                "\"yes,\" said Elizabeth; \"why not?\"", "So good!!!", "ah ah ah ah")) {
            assertEquals(s, TextDecoder.toText(t.tokenize(s)), s);
        }
    }

    @Test
    void dropsPaddingAndSpecialMarkers() {
        assertEquals("Hello world", TextDecoder.toText(List.of("xxpad", "xxpad", "xxbos", "xxmaj", "hello", "world",
                "xxeos", "xxfake")));
    }
}

package ai.fastai4j.text.tokenize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenCacheTest {
    private static final List<String> TEXTS = List.of("The first text, isn't it?", "A SECOND one!!!", "third");

    /** The English tokenizer, counting how many texts it really tokenizes. */
    private static BaseTokenizer counting(AtomicInteger calls) {
        return new BaseTokenizer() {
            @Override
            public List<String> tokenize(String text) {
                calls.incrementAndGet();
                return WordTokenizer.english().tokenize(text);
            }

            @Override
            public String id() {
                return WordTokenizer.english().id();
            }
        };
    }

    @Test
    void secondRunIsReadFromDiskAndRuleChangesInvalidate(@TempDir Path dir) throws IOException {
        AtomicInteger calls = new AtomicInteger();
        Tokenizer tok = Tokenizer.of(counting(calls), Rule.DEFAULTS);
        TokenCache cache = new TokenCache(dir);

        TokenCache.Result first = cache.tokenize(tok, TEXTS, 2);
        assertFalse(first.cached());
        assertEquals(3, calls.get());
        assertEquals(Tokenizer.defaults().tokenizeAll(TEXTS, 1), first.docs());

        TokenCache.Result second = new TokenCache(dir).tokenize(tok, TEXTS, 2);
        assertTrue(second.cached());
        assertEquals(3, calls.get(), "nothing tokenized on the second run");
        assertEquals(first.docs(), second.docs());

        Tokenizer noMaj = tok.withRules(List.of(Rule.FIX_HTML, Rule.REPLACE_ALL_CAPS, Rule.LOWERCASE));
        TokenCache.Result changed = cache.tokenize(noMaj, TEXTS, 2);
        assertFalse(changed.cached(), "other rules, other key");
        assertEquals(6, calls.get());
        assertNotEquals(first.file(), changed.file());
        assertEquals(List.of("xxbos", "the", "first", "text", ",", "is", "n't", "it", "?"), changed.docs().get(0));

        TokenCache.Result edited = cache.tokenize(tok, List.of("The first text, isn't it?", "A SECOND one!!", "third"), 2);
        assertFalse(edited.cached(), "an edited text is tokenized again");
    }

    @Test
    void aCorruptEntryIsTokenizedAgain(@TempDir Path dir) throws IOException {
        AtomicInteger calls = new AtomicInteger();
        Tokenizer tok = Tokenizer.of(counting(calls), Rule.DEFAULTS);
        TokenCache cache = new TokenCache(dir);
        TokenCache.Result first = cache.tokenize(tok, TEXTS, 1);
        byte[] bytes = Files.readAllBytes(first.file());
        Files.write(first.file(), java.util.Arrays.copyOf(bytes, bytes.length / 2));
        TokenCache.Result again = cache.tokenize(tok, TEXTS, 1);
        assertFalse(again.cached());
        assertEquals(first.docs(), again.docs());
        assertTrue(cache.tokenize(tok, TEXTS, 1).cached(), "the entry was rewritten");
    }
}

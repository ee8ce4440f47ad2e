package ai.fastai4j.text.tokenize;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

/**
 * fastai's {@code TokenizeWithRules}: the rules run on the raw text, then the base tokenizer splits it. The
 * default is fastai's: {@link Rule#DEFAULTS} on the English {@link WordTokenizer}, so "This isn't HARD" becomes
 * {@code xxbos xxmaj this is n't xxup hard}. Immutable and thread-safe.
 */
public final class Tokenizer {
    private final BaseTokenizer base;
    private final List<Rule> rules;

    private Tokenizer(BaseTokenizer base, List<Rule> rules) {
        this.base = Objects.requireNonNull(base);
        this.rules = List.copyOf(rules);
    }

    /** fastai's default: {@link Rule#DEFAULTS} and the English word tokenizer. */
    public static Tokenizer defaults() {
        return new Tokenizer(WordTokenizer.english(), Rule.DEFAULTS);
    }

    /** {@code rules} (in order) on {@code base}. */
    public static Tokenizer of(BaseTokenizer base, List<Rule> rules) {
        return new Tokenizer(base, rules);
    }

    /** This tokenizer with other rules. */
    public Tokenizer withRules(List<Rule> newRules) {
        return new Tokenizer(base, newRules);
    }

    public BaseTokenizer base() {
        return base;
    }

    public List<Rule> rules() {
        return rules;
    }

    /** fastai's names of the rules, in order. */
    public List<String> ruleNames() {
        return Rule.names(rules);
    }

    /** What identifies this tokenizer's output: the base tokenizer's id and the rules (cache keys, model files). */
    public String signature() {
        return base.id() + "|" + String.join(",", ruleNames());
    }

    /** The tokens of one text. */
    public List<String> tokenize(String text) {
        return List.copyOf(base.tokenize(Rule.applyAll(rules, text)));
    }

    /**
     * The tokens of every text, in order, tokenized on {@code workers} threads (fastai's
     * {@code parallel_tokenize}).
     */
    public List<List<String>> tokenizeAll(List<String> texts, int workers) {
        if (workers <= 1 || texts.size() < 2) {
            List<List<String>> out = new ArrayList<>(texts.size());
            for (String t : texts) {
                out.add(tokenize(t));
            }
            return out;
        }
        @SuppressWarnings("unchecked")
        List<String>[] out = new List[texts.size()];
        ForkJoinPool pool = new ForkJoinPool(workers);
        try {
            pool.submit(() -> IntStream.range(0, texts.size()).parallel().forEach(i -> out[i] = tokenize(texts.get(i))))
                    .get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while tokenizing", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            throw c instanceof RuntimeException r ? r : new IllegalStateException("tokenizing failed: " + c, c);
        } finally {
            pool.shutdownNow();
        }
        return Arrays.asList(out);
    }

    @Override
    public String toString() {
        return "Tokenizer[" + signature() + "]";
    }
}

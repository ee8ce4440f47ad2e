package ai.fastai4j.text.data;

import ai.fastai4j.data.DataException;
import ai.fastai4j.data.Transform;
import ai.fastai4j.text.tokenize.TokenCache;
import ai.fastai4j.text.tokenize.Tokenizer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * fastai's {@code Tokenizer} transform: a raw text (a {@code String}, or a {@code Path} to a UTF-8 text file) to
 * its tokens. A corpus is tokenized once, in parallel and through the on-disk {@link TokenCache} when one is set:
 * {@link #setup} does it for the training texts, {@link #pretokenize} for any others (the text data loaders pass
 * the whole corpus); later encodes are look-ups. Decoding gives readable text ({@link TextDecoder}). A block
 * read from a model file limits the length of a text ({@code max_len} tokens, and 20 characters a token before
 * tokenizing), so the cost of one text is bounded by the model.
 */
public final class Tokenize implements Transform<Object, List<String>> {
    private final Tokenizer tokenizer;
    private final TokenCache cache;
    private final int workers;
    private final Map<Object, List<String>> memo;
    private final int maxTokens;

    /**
     * @param cache where tokenized corpora are kept on disk, or null for none
     * @param memo tokens already known, by raw value (shared by the transforms of one text block)
     */
    Tokenize(Tokenizer tokenizer, TokenCache cache, int workers, Map<Object, List<String>> memo, int maxTokens) {
        this.tokenizer = tokenizer;
        this.cache = cache;
        this.workers = Math.max(1, workers);
        this.memo = memo;
        this.maxTokens = maxTokens;
    }

    /** Characters a token may take on average in a text under a token limit (checked before tokenizing). */
    public static final int MAX_CHARS_PER_TOKEN = 20;

    /** A tokenize transform with no disk cache, as used at inference. */
    public static Tokenize of(Tokenizer tokenizer) {
        return new Tokenize(tokenizer, null, 1, new ConcurrentHashMap<>(), 0);
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    @Override
    public void setup(List<Object> trainRaw) {
        pretokenize(trainRaw);
    }

    /** Tokenizes every raw value not seen yet, in parallel, through the disk cache. */
    public void pretokenize(List<?> raws) {
        List<Object> todo = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        for (Object r : raws) {
            if (!memo.containsKey(r)) {
                todo.add(r);
                texts.add(readText(r));
            }
        }
        if (todo.isEmpty()) {
            return;
        }
        List<List<String>> docs = cache != null ? cache.tokenize(tokenizer, texts, workers).docs()
                : tokenizer.tokenizeAll(texts, workers);
        for (int i = 0; i < todo.size(); i++) {
            memo.put(todo.get(i), docs.get(i));
        }
    }

    @Override
    public List<String> encode(Object raw) {
        List<String> known = memo.get(raw);
        if (known != null) {
            return known;
        }
        String text = readText(raw);
        if (maxTokens > 0 && text.length() > (long) maxTokens * MAX_CHARS_PER_TOKEN) {
            throw new DataException("the text has " + text.length() + " characters, more than this model's limit of "
                    + (long) maxTokens * MAX_CHARS_PER_TOKEN + " (" + maxTokens + " tokens)");
        }
        List<String> tokens = tokenizer.tokenize(text);
        if (maxTokens > 0 && tokens.size() > maxTokens) {
            throw new DataException("the text has " + tokens.size() + " tokens, more than this model's limit of "
                    + maxTokens);
        }
        return tokens;
    }

    /** Readable text from tokens. */
    @Override
    public Object decode(List<String> tokens) {
        return TextDecoder.toText(tokens);
    }

    /** The text of a raw value: a string as is, a path read as strict UTF-8 (an error names the file). */
    static String readText(Object raw) {
        if (raw instanceof String s) {
            return s;
        }
        if (raw instanceof CharSequence cs) {
            return cs.toString();
        }
        if (raw instanceof Path p) {
            try {
                byte[] bytes = Files.readAllBytes(p);
                return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
            } catch (CharacterCodingException e) {
                throw new DataException(p + " is not UTF-8 text: " + e.getMessage(), e);
            } catch (IOException e) {
                throw new DataException("cannot read " + p + ": " + e.getMessage(), e);
            }
        }
        throw new DataException("a text must be a String or a Path, got "
                + (raw == null ? "null" : raw.getClass().getSimpleName()));
    }
}

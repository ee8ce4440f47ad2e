package ai.fastai4j.text.data;

import ai.fastai4j.text.SpecialTokens;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A text vocabulary (fastai's {@code make_vocab}): the special tokens first in fastai's order (so {@code xxunk} is
 * 0 and {@code xxpad} is 1), then the tokens seen at least {@code minFreq} times, most frequent first (ties in
 * order of first appearance, as Python's {@code Counter.most_common}), at most {@code maxVocab} in all, padded
 * with {@code xxfake} to a multiple of 8 exactly as fastai does (which adds 8 when the size already is one).
 *
 * @param itos index to token
 */
public record Vocab(List<String> itos) {
    /** fastai's default minimum count of a token to be kept. */
    public static final int DEFAULT_MIN_FREQ = 3;
    /** fastai's default maximum vocabulary size. */
    public static final int DEFAULT_MAX_VOCAB = 60000;

    public Vocab {
        itos = List.copyOf(itos);
        for (int i = 0; i < SpecialTokens.ALL.size(); i++) {
            if (itos.size() <= i || !itos.get(i).equals(SpecialTokens.ALL.get(i))) {
                throw new IllegalArgumentException("a vocabulary starts with the special tokens " + SpecialTokens.ALL
                        + " in that order; entry " + i + " is " + (itos.size() <= i ? "missing" : "'" + itos.get(i) + "'"));
            }
        }
    }

    /** Builds the vocabulary of the counted tokens ({@code counts} in order of first appearance). */
    public static Vocab make(Map<String, Long> counts, int minFreq, int maxVocab) {
        if (minFreq < 1) {
            throw new IllegalArgumentException("minFreq must be at least 1, got " + minFreq);
        }
        if (maxVocab < SpecialTokens.ALL.size()) {
            throw new IllegalArgumentException("maxVocab must hold the " + SpecialTokens.ALL.size()
                    + " special tokens, got " + maxVocab);
        }
        List<Map.Entry<String, Long>> entries = new ArrayList<>(counts.entrySet());
        entries.sort((a, b) -> Long.compare(b.getValue(), a.getValue())); // stable: ties keep first appearance
        List<String> vocab = new ArrayList<>();
        for (int i = 0; i < Math.min(maxVocab, entries.size()); i++) {
            Map.Entry<String, Long> e = entries.get(i);
            if (e.getValue() >= minFreq) {
                vocab.add(e.getKey());
            }
        }
        vocab.removeAll(SpecialTokens.ALL);
        vocab.addAll(0, SpecialTokens.ALL);
        if (vocab.size() > maxVocab) {
            vocab = new ArrayList<>(vocab.subList(0, maxVocab));
        }
        int fakes = 8 - vocab.size() % 8;
        for (int i = 0; i < fakes; i++) {
            vocab.add(SpecialTokens.FAKE);
        }
        return new Vocab(vocab);
    }

    /** Counts tokens over documents, keeping the order of first appearance. */
    public static Map<String, Long> count(Collection<? extends List<String>> docs) {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (List<String> doc : docs) {
            for (String t : doc) {
                counts.merge(t, 1L, Long::sum);
            }
        }
        return counts;
    }

    public int size() {
        return itos.size();
    }

    /** Token to index; every token not in the vocabulary (and {@code xxfake}) maps to {@code xxunk} (0). */
    public Map<String, Integer> stoi() {
        Map<String, Integer> m = new HashMap<>(itos.size() * 2);
        for (int i = 0; i < itos.size(); i++) {
            if (!itos.get(i).equals(SpecialTokens.FAKE)) {
                m.putIfAbsent(itos.get(i), i);
            }
        }
        return m;
    }
}

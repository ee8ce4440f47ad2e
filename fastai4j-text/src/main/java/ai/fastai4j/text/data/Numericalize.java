package ai.fastai4j.text.data;

import ai.fastai4j.data.DataException;
import ai.fastai4j.data.Transform;
import ai.fastai4j.data.VocabHolder;
import ai.fastai4j.text.SpecialTokens;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * fastai's {@code Numericalize}: tokens to vocabulary indices. Without a given vocabulary it learns one in
 * {@link #setup} from the training texts only ({@link Vocab#make}, minimum frequency 3 and at most 60000 entries by
 * default); unknown tokens encode to {@code xxunk} (0). Encoding is thread-safe after setup.
 */
public final class Numericalize implements Transform<List<String>, int[]>, VocabHolder {
    private final int minFreq;
    private final int maxVocab;
    private Vocab vocab;
    private Map<String, Integer> stoi;

    /** Learns its vocabulary on the training texts. */
    public Numericalize(int minFreq, int maxVocab) {
        this.minFreq = minFreq;
        this.maxVocab = maxVocab;
    }

    /** Uses {@code vocab} as given (a language model's, or one read from a model file). */
    public Numericalize(Vocab vocab) {
        this(Vocab.DEFAULT_MIN_FREQ, Vocab.DEFAULT_MAX_VOCAB);
        setVocab(vocab);
    }

    private void setVocab(Vocab v) {
        this.vocab = v;
        this.stoi = v.stoi();
    }

    @Override
    public void setup(List<List<String>> trainTexts) {
        if (vocab == null) {
            setVocab(Vocab.make(Vocab.count(trainTexts), minFreq, maxVocab));
        }
    }

    @Override
    public int[] encode(List<String> tokens) {
        if (stoi == null) {
            throw new DataException("Numericalize has no vocabulary: set it up on the training texts first");
        }
        int[] ids = new int[tokens.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = stoi.getOrDefault(tokens.get(i), SpecialTokens.UNK_INDEX);
        }
        return ids;
    }

    @Override
    public List<String> decode(int[] ids) {
        List<String> out = new ArrayList<>(ids.length);
        for (int id : ids) {
            if (id < 0 || id >= vocab.size()) {
                throw new DataException("token index " + id + " is outside the vocabulary of " + vocab.size());
            }
            out.add(vocab.itos().get(id));
        }
        return out;
    }

    /** The vocabulary (null before setup when none was given). */
    public Vocab vocabulary() {
        return vocab;
    }

    @Override
    public List<String> vocab() {
        return vocab == null ? List.of() : vocab.itos();
    }

    public int minFreq() {
        return minFreq;
    }

    public int maxVocab() {
        return maxVocab;
    }
}

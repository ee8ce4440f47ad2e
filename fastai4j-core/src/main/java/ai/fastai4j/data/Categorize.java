package ai.fastai4j.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Maps labels to class indices with a vocabulary learned from the training split (sorted, like fastai); a
 * label outside the vocabulary is an error that names it.
 */
public final class Categorize implements Transform<Object, Integer>, VocabHolder {
    private List<String> vocab;
    private Map<String, Integer> index;

    /** Vocabulary learned in {@link #setup}. */
    public Categorize() {}

    /** A fixed vocabulary, in this order. */
    public Categorize(List<String> vocab) {
        setVocab(vocab);
    }

    private void setVocab(List<String> v) {
        this.vocab = List.copyOf(v);
        Map<String, Integer> idx = new HashMap<>();
        for (int i = 0; i < vocab.size(); i++) {
            if (idx.put(vocab.get(i), i) != null) {
                throw new IllegalArgumentException("duplicate label in vocabulary: " + vocab.get(i));
            }
        }
        this.index = idx;
    }

    @Override
    public void setup(List<Object> trainLabels) {
        if (vocab != null) {
            return;
        }
        TreeSet<String> labels = new TreeSet<>();
        for (Object o : trainLabels) {
            labels.add(label(o));
        }
        if (labels.isEmpty()) {
            throw new DataException("no labels in the training split: cannot build a vocabulary");
        }
        setVocab(new ArrayList<>(labels));
    }

    @Override
    public Integer encode(Object input) {
        if (index == null) {
            throw new IllegalStateException("Categorize used before setup");
        }
        String l = label(input);
        Integer i = index.get(l);
        if (i == null) {
            throw new DataException("label '" + l + "' was not seen in the training split (vocabulary: "
                    + abbreviate(vocab) + ")");
        }
        return i;
    }

    @Override
    public Object decode(Integer output) {
        return vocab.get(output);
    }

    /** The class names, index order. */
    @Override
    public List<String> vocab() {
        return vocab == null ? List.of() : Collections.unmodifiableList(vocab);
    }

    private static String label(Object o) {
        if (o == null) {
            throw new DataException("missing label (null)");
        }
        return o.toString();
    }

    static String abbreviate(List<String> v) {
        return v.size() <= 12 ? v.toString() : v.subList(0, 12) + "... (" + v.size() + " labels)";
    }
}

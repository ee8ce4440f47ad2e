package ai.fastai4j.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.fastai4j.losses.LossFunction;
import ai.fastai4j.losses.Losses;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * A multi-label target (fastai's {@code MultiCategoryBlock}): each item has a set of labels, given as a
 * collection or as one string split on a delimiter; encoded one-hot over a vocabulary learned from the training
 * split; loss BCE with logits; predictions decode to label sets.
 */
public final class MultiCategoryBlock implements TransformBlock {
    private final String delimiter;
    private final List<String> vocab;

    private MultiCategoryBlock(String delimiter, List<String> vocab) {
        this.delimiter = delimiter;
        this.vocab = vocab;
    }

    /** Labels given as collections (or a single label string). */
    public static MultiCategoryBlock create() {
        return new MultiCategoryBlock(null, null);
    }

    /** Labels given as one string such as {@code "cat dog"}, split on {@code delimiter}. */
    public static MultiCategoryBlock withDelimiter(String delimiter) {
        return new MultiCategoryBlock(delimiter, null);
    }

    /** A fixed vocabulary. */
    public static MultiCategoryBlock withVocab(List<String> vocab) {
        return new MultiCategoryBlock(null, List.copyOf(vocab));
    }

    @Override
    public List<Transform<?, ?>> typeTransforms() {
        return List.of(new MultiCategorize(delimiter, vocab));
    }

    @Override
    public TensorKind kind() {
        return TensorKind.MULTI_CATEGORY;
    }

    @Override
    public HostTensor collate(List<Object> values) {
        int c = ((float[]) values.get(0)).length;
        float[] out = new float[values.size() * c];
        for (int i = 0; i < values.size(); i++) {
            System.arraycopy((float[]) values.get(i), 0, out, i * c, c);
        }
        return HostTensor.ofFloats(out, new Shape(values.size(), c), TensorKind.MULTI_CATEGORY);
    }

    @Override
    public Optional<LossFunction> defaultLoss() {
        return Optional.of(Losses.bceWithLogits());
    }

    @Override
    public Object fromTensor(NDArray tensor, int i) {
        return tensor.get(i).toType(DataType.FLOAT32, false).toFloatArray();
    }

    @Override
    public String show(Object decoded) {
        @SuppressWarnings("unchecked")
        List<String> labels = (List<String>) decoded;
        return String.join(";", labels);
    }

    /** Label sets to one-hot vectors (and back to sorted label lists). */
    public static final class MultiCategorize implements Transform<Object, float[]>, VocabHolder {
        private final String delimiter;
        private List<String> vocab;
        private Map<String, Integer> index;

        MultiCategorize(String delimiter, List<String> vocab) {
            this.delimiter = delimiter;
            if (vocab != null) {
                setVocab(vocab);
            }
        }

        private void setVocab(List<String> v) {
            vocab = List.copyOf(v);
            index = new HashMap<>();
            for (int i = 0; i < vocab.size(); i++) {
                index.put(vocab.get(i), i);
            }
        }

        private List<String> labels(Object o) {
            if (o == null) {
                throw new DataException("missing labels (null)");
            }
            List<String> out = new ArrayList<>();
            if (o instanceof Collection<?> c) {
                c.forEach(x -> out.add(String.valueOf(x)));
            } else if (delimiter != null) {
                for (String s : o.toString().split(java.util.regex.Pattern.quote(delimiter))) {
                    if (!s.isBlank()) {
                        out.add(s.trim());
                    }
                }
            } else {
                out.add(o.toString());
            }
            return out;
        }

        @Override
        public void setup(List<Object> trainLabels) {
            if (vocab != null) {
                return;
            }
            TreeSet<String> all = new TreeSet<>();
            for (Object o : trainLabels) {
                all.addAll(labels(o));
            }
            if (all.isEmpty()) {
                throw new DataException("no labels in the training split: cannot build a vocabulary");
            }
            setVocab(new ArrayList<>(all));
        }

        @Override
        public float[] encode(Object input) {
            float[] out = new float[vocab.size()];
            for (String l : labels(input)) {
                Integer i = index.get(l);
                if (i == null) {
                    throw new DataException("label '" + l + "' was not seen in the training split (vocabulary: "
                            + Categorize.abbreviate(vocab) + ")");
                }
                out[i] = 1f;
            }
            return out;
        }

        @Override
        public Object decode(float[] output) {
            List<String> out = new ArrayList<>();
            for (int i = 0; i < output.length; i++) {
                if (output[i] > 0.5f) {
                    out.add(vocab.get(i));
                }
            }
            return out;
        }

        @Override
        public List<String> vocab() {
            return vocab == null ? List.of() : vocab;
        }
    }
}

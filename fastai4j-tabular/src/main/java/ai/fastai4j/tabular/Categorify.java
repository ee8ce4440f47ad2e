package ai.fastai4j.tabular;

import ai.fastai4j.data.DataException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * fastai's {@code Categorify}: for each categorical column, a vocabulary of the values seen in the training rows,
 * sorted (numerically when every value is a number, as pandas sorts a numeric column), with {@code "#na#"} at
 * index 0. A value is encoded as its index; a missing value, or one never seen in training, becomes 0 ({@code #na#}).
 */
public final class Categorify implements TabularProc {
    /** The placeholder category at index 0. */
    public static final String NA = "#na#";

    private Map<String, List<String>> vocabs;
    private Map<String, Map<String, Integer>> index;

    public Categorify() {}

    /** A Categorify with given vocabularies (each starting with {@code #na#}), e.g. from an exported model. */
    public static Categorify withVocabs(Map<String, List<String>> vocabs) {
        Categorify c = new Categorify();
        c.setVocabs(vocabs);
        return c;
    }

    private void setVocabs(Map<String, List<String>> v) {
        Map<String, List<String>> vs = new LinkedHashMap<>();
        Map<String, Map<String, Integer>> idx = new HashMap<>();
        v.forEach((col, voc) -> {
            if (voc.isEmpty() || !NA.equals(voc.get(0))) {
                throw new IllegalArgumentException("vocabulary of '" + col + "' must start with " + NA);
            }
            vs.put(col, List.copyOf(voc));
            Map<String, Integer> m = new HashMap<>();
            for (int i = 1; i < voc.size(); i++) {
                m.put(voc.get(i), i);
            }
            idx.put(col, m);
        });
        this.vocabs = vs;
        this.index = idx;
    }

    @Override
    public int order() {
        return 1;
    }

    @Override
    public void setup(TabularFrame train) {
        Map<String, List<String>> v = new LinkedHashMap<>();
        for (String c : train.catNames()) {
            v.put(c, vocabOf(train.cat(c)));
        }
        setVocabs(v);
    }

    static List<String> vocabOf(String[] values) {
        TreeSet<String> uniq = new TreeSet<>();
        for (String s : values) {
            if (s != null) {
                uniq.add(s);
            }
        }
        List<String> sorted = new ArrayList<>(uniq);
        boolean numeric = !sorted.isEmpty();
        for (String s : sorted) {
            if (!Table.isDouble(s.trim())) {
                numeric = false;
                break;
            }
        }
        if (numeric) {
            sorted.sort((a, b) -> {
                int c = Double.compare(Double.parseDouble(a.trim()), Double.parseDouble(b.trim()));
                return c != 0 ? c : a.compareTo(b);
            });
        }
        List<String> out = new ArrayList<>(sorted.size() + 1);
        out.add(NA);
        out.addAll(sorted);
        return out;
    }

    @Override
    public void apply(TabularFrame frame) {
        requireSetUp();
        for (String c : frame.catNames()) {
            Map<String, Integer> m = index.get(c);
            if (m == null) {
                throw new DataException("Categorify has no vocabulary for column '" + c + "' (known: " + vocabs.keySet()
                        + ")");
            }
            String[] v = frame.cat(c);
            int[] codes = new int[v.length];
            for (int i = 0; i < v.length; i++) {
                Integer k = v[i] == null ? null : m.get(v[i]);
                codes[i] = k == null ? 0 : k;
            }
            frame.putCodes(c, codes);
        }
    }

    private void requireSetUp() {
        if (vocabs == null) {
            throw new IllegalStateException("Categorify used before setup");
        }
    }

    /** The vocabulary of {@code column}, {@code #na#} first. */
    public List<String> vocab(String column) {
        requireSetUp();
        List<String> v = vocabs.get(column);
        if (v == null) {
            throw new IllegalArgumentException("no categorical column '" + column + "' (known: " + vocabs.keySet() + ")");
        }
        return v;
    }

    /** Every vocabulary by column. */
    public Map<String, List<String>> vocabs() {
        requireSetUp();
        return Collections.unmodifiableMap(vocabs);
    }

    /** The code of {@code value} in {@code column}: 0 when missing or unseen. */
    public int code(String column, String value) {
        requireSetUp();
        Integer k = value == null ? null : index.get(column).get(value);
        return k == null ? 0 : k;
    }

    @Override
    public boolean isSetUp() {
        return vocabs != null;
    }

    @Override
    public TabularProc fresh() {
        return new Categorify();
    }

    @Override
    public Map<String, Object> state() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "Categorify");
        if (vocabs != null) {
            m.put("classes", new LinkedHashMap<>(vocabs));
        }
        return m;
    }

    @Override
    public String toString() {
        return "Categorify" + (vocabs == null ? "" : " " + vocabs.keySet());
    }
}

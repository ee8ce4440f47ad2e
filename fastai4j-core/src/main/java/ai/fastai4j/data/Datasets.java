package ai.fastai4j.data;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Items, their train/valid split, and one set-up {@link Pipeline} per block (fastai's {@code Datasets}).
 * Targets are encoded eagerly when the datasets are built, so a label unseen in training fails at once with the
 * item named; inputs (images) are encoded lazily on the loader threads.
 *
 * @param <I> item type
 */
public final class Datasets<I> {
    private final List<I> items;
    private final SplitIndices split;
    private final List<TransformBlock> blocks;
    private final List<Function<I, Object>> getters;
    private final List<Pipeline> pipelines;
    private final int nInputs;
    private final Object[][] targets;

    Datasets(List<I> items, SplitIndices split, List<TransformBlock> blocks, List<Function<I, Object>> getters,
            int nInputs) {
        this.items = List.copyOf(items);
        this.split = split;
        this.blocks = List.copyOf(blocks);
        this.getters = List.copyOf(getters);
        this.nInputs = nInputs;
        List<Pipeline> ps = new ArrayList<>();
        for (TransformBlock b : blocks) {
            ps.add(new Pipeline(b.typeTransforms()));
        }
        this.pipelines = List.copyOf(ps);
        for (int b = 0; b < blocks.size(); b++) {
            setupBlock(b);
        }
        this.targets = new Object[items.size()][];
        for (int i = 0; i < items.size(); i++) {
            Object[] t = new Object[blocks.size() - nInputs];
            for (int b = nInputs; b < blocks.size(); b++) {
                t[b - nInputs] = encodeBlock(b, i);
            }
            targets[i] = t;
        }
    }

    private void setupBlock(int b) {
        List<Object> raw = new ArrayList<>(split.train().length);
        boolean needsRaw = pipelines.get(b).needsSetup();
        if (!needsRaw) {
            pipelines.get(b).setup(raw);
            return;
        }
        for (int i : split.train()) {
            raw.add(rawValue(b, i));
        }
        try {
            pipelines.get(b).setup(raw);
        } catch (DataException e) {
            throw new DataException("setting up " + blocks.get(b).name() + ": " + e.getMessage(), e);
        }
    }

    private Object rawValue(int b, int i) {
        try {
            return getters.get(b).apply(items.get(i));
        } catch (DataException e) {
            throw new DataException("item " + describeItem(i) + ": " + e.getMessage(), e);
        }
    }

    private Object encodeBlock(int b, int i) {
        Object raw = rawValue(b, i);
        try {
            return pipelines.get(b).encode(raw);
        } catch (DataException e) {
            throw new DataException("item " + describeItem(i) + " (" + blocks.get(b).name() + "): " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new DataException("item " + describeItem(i) + " (" + blocks.get(b).name() + "): " + e, e);
        }
    }

    /** The encoded sample {@code i}: inputs then targets, before item transforms. */
    public List<Object> sample(int i) {
        List<Object> out = new ArrayList<>(blocks.size());
        for (int b = 0; b < nInputs; b++) {
            out.add(encodeBlock(b, i));
        }
        for (Object t : targets[i]) {
            out.add(t);
        }
        return out;
    }

    /**
     * Encodes new inputs for inference (no targets): {@code raw} is what the input getter would return (a file
     * path, an image, a row), or for several input blocks a {@code List} with one raw value per input block.
     */
    public List<Object> encodeInputs(Object raw) {
        List<Object> out = new ArrayList<>(nInputs);
        if (nInputs == 1) {
            out.add(pipelines.get(0).encode(raw));
            return out;
        }
        if (!(raw instanceof List<?> parts) || parts.size() != nInputs) {
            throw new DataException("this data has " + nInputs + " input blocks: pass a list of " + nInputs + " raw values");
        }
        for (int b = 0; b < nInputs; b++) {
            out.add(pipelines.get(b).encode(parts.get(b)));
        }
        return out;
    }

    /** Decodes one item value of block {@code b} back to readable form (e.g. class index to label). */
    public Object decode(int b, Object value) {
        return pipelines.get(b).decode(value);
    }

    public String describeItem(int i) {
        I item = items.get(i);
        return String.valueOf(item);
    }

    public List<I> items() {
        return items;
    }

    public SplitIndices split() {
        return split;
    }

    public List<TransformBlock> blocks() {
        return blocks;
    }

    public List<Pipeline> pipelines() {
        return pipelines;
    }

    public int nInputs() {
        return nInputs;
    }

    /** The vocabulary of the first target block that has one (class names), else empty. */
    public List<String> vocab() {
        for (int b = nInputs; b < blocks.size(); b++) {
            for (Object t : pipelines.get(b).transforms()) {
                if (t instanceof VocabHolder v) {
                    return v.vocab();
                }
            }
        }
        return List.of();
    }

    /** The raw value of block {@code b} for item {@code i} (before any transform), for summaries. */
    Object raw(int b, int i) {
        return rawValue(b, i);
    }
}

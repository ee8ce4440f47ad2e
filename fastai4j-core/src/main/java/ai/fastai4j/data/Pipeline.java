package ai.fastai4j.data;

import java.util.ArrayList;
import java.util.List;

/** An ordered composition of {@link Transform}s, set up in order on the training items. */
public final class Pipeline {
    private final List<Transform<Object, Object>> transforms;

    @SuppressWarnings("unchecked")
    public Pipeline(List<? extends Transform<?, ?>> transforms) {
        List<Transform<Object, Object>> copy = new ArrayList<>();
        for (Transform<?, ?> t : transforms) {
            copy.add((Transform<Object, Object>) t);
        }
        this.transforms = List.copyOf(copy);
    }

    public List<Transform<Object, Object>> transforms() {
        return transforms;
    }

    /** Whether any transform learns state in setup (else the training inputs need not be read). */
    public boolean needsSetup() {
        for (Transform<Object, Object> t : transforms) {
            if (overridesSetup(t)) {
                return true;
            }
        }
        return false;
    }

    private static boolean overridesSetup(Transform<?, ?> t) {
        try {
            return t.getClass().getMethod("setup", List.class).getDeclaringClass() != Transform.class;
        } catch (NoSuchMethodException e) {
            return true;
        }
    }

    /** Sets up each transform on the training inputs as encoded by the transforms before it. */
    public void setup(List<Object> trainInputs) {
        List<Object> current = trainInputs;
        for (int i = 0; i < transforms.size(); i++) {
            Transform<Object, Object> t = transforms.get(i);
            t.setup(current);
            boolean laterSetup = false;
            for (int j = i + 1; j < transforms.size(); j++) {
                laterSetup |= overridesSetup(transforms.get(j));
            }
            if (laterSetup) {
                List<Object> next = new ArrayList<>(current.size());
                for (Object o : current) {
                    next.add(t.encode(o));
                }
                current = next;
            }
        }
    }

    public Object encode(Object input) {
        Object out = input;
        for (Transform<Object, Object> t : transforms) {
            out = t.encode(out);
        }
        return out;
    }

    /** Decodes through the transforms in reverse order. */
    public Object decode(Object output) {
        Object out = output;
        for (int i = transforms.size() - 1; i >= 0; i--) {
            out = transforms.get(i).decode(out);
        }
        return out;
    }
}

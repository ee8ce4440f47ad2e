package ai.fastai4j.io.torch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a pickled Python list (or tuple) of strings, such as fastai's vocabulary files ({@code itos_wt103.pkl}),
 * with the same {@link RestrictedUnpickler} as the {@code .pth} reader: nothing in the file is ever run, and
 * anything but a flat sequence of strings is refused.
 */
public final class PickledStrings {
    /** Largest file accepted: 64 MiB (fastai's 60,000-word vocabularies take well under 1 MiB). */
    public static final long MAX_BYTES = 64L << 20;

    private PickledStrings() {}

    public static List<String> read(Path file) throws IOException {
        long size = Files.size(file);
        if (size > MAX_BYTES) {
            throw new TorchFormatException(file + " is " + size + " bytes, more than the " + MAX_BYTES
                    + " accepted for a pickled list of strings");
        }
        Object root = RestrictedUnpickler.load(Files.readAllBytes(file), file.toString());
        List<?> items;
        if (root instanceof List<?> l) {
            items = l;
        } else if (root instanceof RestrictedUnpickler.Tuple t) {
            items = t.items();
        } else {
            throw new TorchFormatException(file + " holds a " + RestrictedUnpickler.typeName(root)
                    + ", not a list of strings");
        }
        List<String> out = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            if (!(items.get(i) instanceof String s)) {
                throw new TorchFormatException(file + ": item " + i + " is a "
                        + RestrictedUnpickler.typeName(items.get(i)) + ", not a string");
            }
            out.add(s);
        }
        return out;
    }
}

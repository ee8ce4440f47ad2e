package ai.fastai4j.collab;

import ai.djl.ndarray.types.Shape;
import ai.fastai4j.data.HostTensor;
import ai.fastai4j.data.TensorKind;
import ai.fastai4j.data.Transform;
import ai.fastai4j.data.TransformBlock;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The input block of collaborative filtering: a row (table row or map) becomes its (user, item) codes, and a batch
 * an INT64 (N, 2) tensor, fastai's {@code x[:, 0]} users and {@code x[:, 1]} items.
 */
public final class CollabBlock implements TransformBlock {
    private final String userName;
    private final String itemName;
    private final List<String> users;
    private final List<String> items;
    private final boolean refuseUnknown;

    private CollabBlock(String userName, String itemName, List<String> users, List<String> items,
            boolean refuseUnknown) {
        this.userName = userName;
        this.itemName = itemName;
        this.users = users;
        this.items = items;
        this.refuseUnknown = refuseUnknown;
    }

    /** Vocabularies learned from the training rows. */
    public static CollabBlock of(String userName, String itemName) {
        return new CollabBlock(userName, itemName, null, null, false);
    }

    /** Fixed vocabularies (each starting with {@code #na#}); unknown users and items become {@code #na#}. */
    public static CollabBlock withVocabs(String userName, String itemName, List<String> users, List<String> items) {
        CollabEncoder.withVocabs(userName, itemName, users, items); // validates
        return new CollabBlock(userName, itemName, List.copyOf(users), List.copyOf(items), false);
    }

    /**
     * Fixed vocabularies, and a user or item not in them is a {@link ai.fastai4j.data.DataException} naming it:
     * what an exported model uses, since the {@code #na#} embedding was never trained.
     */
    public static CollabBlock refusingUnknown(String userName, String itemName, List<String> users,
            List<String> items) {
        CollabEncoder.withVocabs(userName, itemName, users, items); // validates
        return new CollabBlock(userName, itemName, List.copyOf(users), List.copyOf(items), true);
    }

    @Override
    public List<Transform<?, ?>> typeTransforms() {
        if (users == null) {
            return List.of(new CollabEncoder(userName, itemName));
        }
        CollabEncoder e = CollabEncoder.withVocabs(userName, itemName, users, items);
        return List.of(refuseUnknown ? e.refusingUnknown() : e);
    }

    @Override
    public TensorKind kind() {
        return TensorKind.OTHER;
    }

    @Override
    public HostTensor collate(List<Object> values) {
        int n = values.size();
        ByteBuffer b = HostTensor.allocate(16L * n);
        var lb = b.asLongBuffer();
        for (Object v : values) {
            lb.put((long[]) v);
        }
        return new HostTensor(b, new Shape(n, 2), ai.djl.ndarray.types.DataType.INT64, TensorKind.OTHER);
    }

    @Override
    public String name() {
        return "CollabBlock";
    }
}

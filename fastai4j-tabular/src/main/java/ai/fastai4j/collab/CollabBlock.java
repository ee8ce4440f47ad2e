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

    private CollabBlock(String userName, String itemName, List<String> users, List<String> items) {
        this.userName = userName;
        this.itemName = itemName;
        this.users = users;
        this.items = items;
    }

    /** Vocabularies learned from the training rows. */
    public static CollabBlock of(String userName, String itemName) {
        return new CollabBlock(userName, itemName, null, null);
    }

    /** Fixed vocabularies (each starting with {@code #na#}), e.g. from an exported model. */
    public static CollabBlock withVocabs(String userName, String itemName, List<String> users, List<String> items) {
        CollabEncoder.withVocabs(userName, itemName, users, items); // validates
        return new CollabBlock(userName, itemName, List.copyOf(users), List.copyOf(items));
    }

    @Override
    public List<Transform<?, ?>> typeTransforms() {
        return List.of(users == null ? new CollabEncoder(userName, itemName)
                : CollabEncoder.withVocabs(userName, itemName, users, items));
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

package ai.fastai4j.collab;

import ai.fastai4j.data.DataException;
import ai.fastai4j.data.Transform;
import ai.fastai4j.tabular.Categorify;
import ai.fastai4j.tabular.Rows;
import ai.fastai4j.tabular.Table;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The type transform of a {@link CollabBlock}: fastai's {@code Categorify} on the user and item columns. The
 * vocabularies come from the training rows ({@code #na#} at index 0, ids sorted numerically when they are numbers);
 * a user or item never seen in training becomes 0 ({@code #na#}), as in fastai, unless the encoder
 * {@linkplain #refusingUnknown() refuses unknown keys} (as an exported model does).
 */
public final class CollabEncoder implements Transform<Object, long[]>, ai.fastai4j.data.UnseenValues {
    private final String userName;
    private final String itemName;
    private boolean refuseUnknown;
    private List<String> users;
    private List<String> items;
    private Map<String, Integer> userIndex;
    private Map<String, Integer> itemIndex;
    private volatile Cache cache;

    private record Cache(Table table, long[] codes) {}

    public CollabEncoder(String userName, String itemName) {
        this.userName = userName;
        this.itemName = itemName;
    }

    /** An encoder with given vocabularies (each starting with {@code #na#}), e.g. from an exported model. */
    public static CollabEncoder withVocabs(String userName, String itemName, List<String> users, List<String> items) {
        CollabEncoder e = new CollabEncoder(userName, itemName);
        e.setVocabs(users, items);
        return e;
    }

    private void setVocabs(List<String> u, List<String> i) {
        if (u.isEmpty() || !Categorify.NA.equals(u.get(0)) || i.isEmpty() || !Categorify.NA.equals(i.get(0))) {
            throw new IllegalArgumentException("vocabularies must start with " + Categorify.NA);
        }
        users = List.copyOf(u);
        items = List.copyOf(i);
        userIndex = index(users);
        itemIndex = index(items);
    }

    private static Map<String, Integer> index(List<String> vocab) {
        Map<String, Integer> m = new java.util.HashMap<>(vocab.size() * 2);
        for (int k = 1; k < vocab.size(); k++) {
            if (vocab.get(k) == null || m.put(vocab.get(k), k) != null || Categorify.NA.equals(vocab.get(k))) {
                throw new IllegalArgumentException("vocabulary entry " + k + " ('" + vocab.get(k) + "') is null or "
                        + "repeated");
            }
        }
        return m;
    }

    /**
     * An encoder with this one's vocabularies that refuses, with a {@link DataException} naming the key, a user or
     * item not seen in training (whose {@code #na#} embedding was never trained) instead of encoding it as
     * {@code #na#}. Exported collab models predict with such an encoder.
     */
    public CollabEncoder refusingUnknown() {
        CollabEncoder e = withVocabs(userName, itemName, users(), items());
        e.refuseUnknown = true;
        return e;
    }

    /** Whether unknown users and items are errors (see {@link #refusingUnknown()}). */
    public boolean refusesUnknown() {
        return refuseUnknown;
    }

    @Override
    public void setup(List<Object> trainRows) {
        if (users != null) {
            return;
        }
        String[] u = new String[trainRows.size()];
        String[] it = new String[trainRows.size()];
        for (int k = 0; k < u.length; k++) {
            u[k] = Rows.cell(trainRows.get(k), userName);
            it[k] = Rows.cell(trainRows.get(k), itemName);
        }
        setVocabs(vocabOf(u), vocabOf(it));
    }

    static List<String> vocabOf(String[] values) {
        Map<String, String[]> col = new LinkedHashMap<>();
        col.put("c", values);
        ai.fastai4j.tabular.TabularFrame f = ai.fastai4j.tabular.TabularFrame.of(col, Map.of());
        Categorify c = new Categorify();
        c.setup(f);
        return c.vocab("c");
    }

    @Override
    public long[] encode(Object row) {
        Cache c = cache;
        if (c != null && row instanceof Table.Row r && r.table() == c.table()) {
            int i = r.index();
            return new long[] {c.codes()[2 * i], c.codes()[2 * i + 1]};
        }
        requireSetUp();
        String u = Rows.cell(row, userName);
        String i = Rows.cell(row, itemName);
        if (refuseUnknown) {
            return new long[] {requireUser(u), requireItem(i)};
        }
        return new long[] {userCode(u), itemCode(i)};
    }

    /** The user and item columns of {@code row} whose value is present but was not seen in training. */
    @Override
    public List<String> unseenColumns(Object row) {
        requireSetUp();
        String u = Rows.cell(row, userName);
        String i = Rows.cell(row, itemName);
        List<String> out = new ArrayList<>(2);
        if (u != null && userCode(u) == 0) {
            out.add(userName);
        }
        if (i != null && itemCode(i) == 0) {
            out.add(itemName);
        }
        return out;
    }

    /** Encodes every row of {@code table} now (batches then only copy numbers). */
    public void precompute(Table table) {
        requireSetUp();
        String[] u = table.column(userName);
        String[] it = table.column(itemName);
        long[] codes = new long[2 * u.length];
        for (int i = 0; i < u.length; i++) {
            codes[2 * i] = userCode(u[i]);
            codes[2 * i + 1] = itemCode(it[i]);
        }
        cache = new Cache(table, codes);
    }

    /** The code of a user (0 when missing or unknown). */
    public int userCode(String user) {
        Integer k = user == null ? null : userIndex.get(user);
        return k == null ? 0 : k;
    }

    /** The code of an item (0 when missing or unknown). */
    public int itemCode(String item) {
        Integer k = item == null ? null : itemIndex.get(item);
        return k == null ? 0 : k;
    }

    /** The code of a user seen in training; an unknown user is a {@link DataException} saying so. */
    public int requireUser(String user) {
        int k = userCode(user);
        if (user == null) {
            throw new DataException("the user (column '" + userName + "') is missing");
        }
        if (k == 0) {
            throw new DataException("user '" + user + "' is not in the training data (" + (users.size() - 1)
                    + " users known); a user who appears only in the validation split has no trained embedding");
        }
        return k;
    }

    /** The code of an item seen in training; an unknown item is a {@link DataException} saying so. */
    public int requireItem(String item) {
        int k = itemCode(item);
        if (item == null) {
            throw new DataException("the item (column '" + itemName + "') is missing");
        }
        if (k == 0) {
            throw new DataException("item '" + item + "' is not in the training data (" + (items.size() - 1)
                    + " items known); an item that appears only in the validation split has no trained embedding");
        }
        return k;
    }

    @Override
    public Object decode(long[] codes) {
        return List.of(users.get((int) codes[0]), items.get((int) codes[1]));
    }

    private void requireSetUp() {
        if (users == null) {
            throw new IllegalStateException("CollabEncoder used before setup");
        }
    }

    /** Users, {@code #na#} first. */
    public List<String> users() {
        requireSetUp();
        return users;
    }

    /** Items, {@code #na#} first. */
    public List<String> items() {
        requireSetUp();
        return items;
    }

    public String userName() {
        return userName;
    }

    public String itemName() {
        return itemName;
    }

    /**
     * Column names and vocabularies as JSON values ({@code user_name, item_name, users, items}): the parameters of
     * the {@value CollabExport#BLOCK} block in a model file.
     */
    public Map<String, Object> state() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("user_name", userName);
        m.put("item_name", itemName);
        m.put("users", new ArrayList<>(users()));
        m.put("items", new ArrayList<>(items()));
        return m;
    }

    @Override
    public String name() {
        return "CollabEncoder";
    }
}

package ai.fastai4j.collab;

import ai.djl.ndarray.NDManager;
import ai.fastai4j.data.Pipeline;
import ai.fastai4j.export.ExportException;
import ai.fastai4j.export.ExportExtension;
import ai.fastai4j.export.ExportRegistry;
import ai.fastai4j.export.Manifest;
import ai.fastai4j.export.ModelFactory;
import ai.fastai4j.export.Params;
import ai.fastai4j.nn.Module;
import ai.fastai4j.tabular.TabularModel;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.function.BiFunction;

/**
 * The collaborative-filtering export entries, found through {@link java.util.ServiceLoader}: the input block
 * {@value #BLOCK} (parameters {@code user_name, item_name} and the vocabularies {@code users, items}, {@code #na#}
 * first) and the model factories {@value #DOT_BIAS} ({@link EmbeddingDotBias#params}) and {@value #NN}
 * ({@link EmbeddingNN#params}). Loading checks that the embeddings have as many rows as the vocabularies have
 * entries.
 *
 * <p>An exported model predicts a rating for a {@code Map} (or {@link ai.fastai4j.tabular.Table.Row}) holding the
 * user and item columns. Unlike {@code learn.predict}, which maps an unknown user or item to {@code #na#} as fastai
 * does, an exported model refuses it with a {@link ai.fastai4j.data.DataException} naming it: the {@code #na#}
 * embedding was never trained, so its rating would mean nothing.
 */
public final class CollabExport implements ExportExtension {
    /** Id of the {@link CollabBlock} in model files. */
    public static final String BLOCK = "collab";
    /** The model factory name of {@link EmbeddingDotBias} models. */
    public static final String DOT_BIAS = "collab_embedding_dot_bias";
    /** The model factory name of {@link EmbeddingNN} models. */
    public static final String NN = "collab_embedding_nn";

    @Override
    public void register(ExportRegistry r) {
        r.registerBlock(BLOCK, CollabBlock.class, (b, pipeline) -> encoder(pipeline).state(),
                p -> CollabBlock.refusingUnknown(Params.getString(p, "user_name"), Params.getString(p, "item_name"),
                        Params.getStringList(p, "users"), Params.getStringList(p, "items")));
        r.registerModel(DOT_BIAS, factory(EmbeddingDotBias::fromParams,
                p -> new int[] {Params.getInt(p, "n_users"), Params.getInt(p, "n_items")}));
        r.registerModel(NN, factory(EmbeddingNN::fromParams, p -> {
            List<int[]> e = TabularModel.Spec.fromParams(p).embSzs();
            if (e.size() != 2) {
                throw new IllegalArgumentException("an EmbeddingNN has two embeddings (users, items), the parameters "
                        + "give " + e.size());
            }
            return new int[] {e.get(0)[0], e.get(1)[0]};
        }));
    }

    /** A factory of one-output models whose user and item embedding rows {@code rows} reads from the parameters. */
    private static ModelFactory factory(BiFunction<NDManager, Map<String, Object>, Module> create,
            java.util.function.Function<Map<String, Object>, int[]> rows) {
        return new ModelFactory() {
            @Override
            public Module create(NDManager m, Map<String, Object> params) {
                return create.apply(m, params);
            }

            @Override
            public OptionalInt outputs(Map<String, Object> params) {
                return OptionalInt.of(1);
            }

            @Override
            public void checkInputs(Map<String, Object> params, List<Manifest.Component> inputs) {
                if (inputs.size() != 1 || !BLOCK.equals(inputs.get(0).name())) {
                    throw new IllegalArgumentException("a collab model takes one '" + BLOCK + "' input block, the "
                            + "manifest has " + inputs.stream().map(Manifest.Component::name).toList());
                }
                Map<String, Object> in = inputs.get(0).params();
                int users = Params.getStringList(in, "users").size();
                int items = Params.getStringList(in, "items").size();
                int[] r = rows.apply(params);
                if (r[0] != users || r[1] != items) {
                    throw new IllegalArgumentException("the input block has " + users + " users and " + items
                            + " items (#na# included), the model's embeddings " + r[0] + " and " + r[1] + " rows");
                }
            }
        };
    }

    /** The set-up encoder of a collab block's pipeline. */
    private static CollabEncoder encoder(Pipeline pipeline) {
        for (Object t : pipeline.transforms()) {
            if (t instanceof CollabEncoder e) {
                try {
                    e.users();
                    return e;
                } catch (IllegalStateException notSetUp) {
                    throw new ExportException("the collab block's encoder is not set up (no training rows seen)");
                }
            }
        }
        throw new ExportException("the collab block's pipeline has no CollabEncoder");
    }
}

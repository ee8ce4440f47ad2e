package ai.fastai4j.tabular;

import ai.djl.ndarray.NDManager;
import ai.fastai4j.data.Pipeline;
import ai.fastai4j.export.ExportException;
import ai.fastai4j.export.ExportExtension;
import ai.fastai4j.export.ExportRegistry;
import ai.fastai4j.export.Manifest;
import ai.fastai4j.export.ModelFactory;
import ai.fastai4j.export.Params;
import ai.fastai4j.nn.Module;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The tabular export entries, found through {@link java.util.ServiceLoader}: the input block {@value #BLOCK} (its
 * parameters are {@link TabularProcessor#state()}: the input columns, the date parts, and each proc with what it
 * learned on the training split: Categorify's vocabularies, FillMissing's fill values and {@code _na} columns,
 * Normalize's means and standard deviations), the batch transform {@value #READ_TAB_BATCH} ({@link ReadTabBatch}:
 * {@code n_cat}, {@code n_cont}) and the model factory {@value #MODEL_FACTORY} (parameters: a
 * {@link TabularModel.Spec}). Loading checks that every embedding has as many rows as its column's vocabulary
 * has entries and that the model takes as many continuous columns as the block gives.
 *
 * <p>An exported model predicts on the same rows as the learner: a {@code Map} of column to value (or a
 * {@link Table.Row}), where a missing column is an error, an empty or NA value is missing (filled as in training)
 * and a category never seen in training becomes {@code #na#}.
 */
public final class TabularExport implements ExportExtension {
    /** Id of the {@link TabularBlock} in model files. */
    public static final String BLOCK = "tabular";
    /** Id of {@link ReadTabBatch} in model files. */
    public static final String READ_TAB_BATCH = "read_tab_batch";
    /** The model factory name of {@link TabularModel}s. */
    public static final String MODEL_FACTORY = "tabular_model";

    @Override
    public void register(ExportRegistry r) {
        r.registerBlock(BLOCK, TabularBlock.class, (b, pipeline) -> processor(pipeline).state(),
                TabularBlock::fromState);
        r.registerBatchTransform(READ_TAB_BATCH, ReadTabBatch.class, ReadTabBatch::params,
                p -> new ReadTabBatch(Params.getInt(p, "n_cat", 0), Params.getInt(p, "n_cont", 0)));
        r.registerModel(MODEL_FACTORY, new ModelFactory() {
            @Override
            public Module create(NDManager m, Map<String, Object> params) {
                return TabularModel.fromParams(m, params);
            }

            @Override
            public OptionalInt outputs(Map<String, Object> params) {
                return OptionalInt.of(Params.getInt(params, "out_sz"));
            }

            @Override
            public void checkInputs(Map<String, Object> params, List<Manifest.Component> inputs) {
                checkTabularInputs(TabularModel.Spec.fromParams(params), inputs);
            }
        });
    }

    /** The set-up processor of a tabular block's pipeline. */
    static TabularProcessor processor(Pipeline pipeline) {
        for (Object t : pipeline.transforms()) {
            if (t instanceof TabularProcessor p) {
                if (!p.isSetUp()) {
                    throw new ExportException("the tabular block's procs are not set up (no training rows seen)");
                }
                return p;
            }
        }
        throw new ExportException("the tabular block's pipeline has no TabularProcessor");
    }

    /** Checks the model's embedding rows and continuous inputs against the tabular input block. */
    static void checkTabularInputs(TabularModel.Spec spec, List<Manifest.Component> inputs) {
        if (inputs.size() != 1 || !BLOCK.equals(inputs.get(0).name())) {
            throw new IllegalArgumentException("a tabular model takes one '" + BLOCK + "' input block, the manifest has "
                    + inputs.stream().map(Manifest.Component::name).toList());
        }
        TabularProcessor proc = TabularProcessor.fromState(inputs.get(0).params());
        int[] card = proc.cardinalities();
        List<String> cats = proc.catNames();
        if (card.length != spec.embSzs().size()) {
            throw new IllegalArgumentException("the input block has " + card.length + " categorical columns " + cats
                    + ", the model " + spec.embSzs().size() + " embeddings");
        }
        for (int j = 0; j < card.length; j++) {
            int rows = spec.embSzs().get(j)[0];
            if (card[j] != rows) {
                throw new IllegalArgumentException("column '" + cats.get(j) + "' has " + card[j] + " categories (#na# "
                        + "included), its embedding " + rows + " rows");
            }
        }
        if (proc.contNames().size() != spec.nCont()) {
            throw new IllegalArgumentException("the input block has " + proc.contNames().size() + " continuous columns "
                    + proc.contNames() + ", the model takes " + spec.nCont());
        }
    }
}

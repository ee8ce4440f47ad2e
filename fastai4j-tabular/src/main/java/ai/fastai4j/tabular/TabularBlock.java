package ai.fastai4j.tabular;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.fastai4j.data.DataException;
import ai.fastai4j.data.HostTensor;
import ai.fastai4j.data.TensorKind;
import ai.fastai4j.data.Transform;
import ai.fastai4j.data.TransformBlock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The input block of tabular data: a raw row ({@link Table.Row}, {@link ai.fastai4j.data.CsvTable.Row} or a
 * {@code Map} of column to value) goes through a {@link TabularProcessor} (the procs, set up on the training split)
 * and a batch is collated into one FLOAT32 (N, nCat + nCont) tensor, which {@link ReadTabBatch} splits into the
 * model's (cats INT64 (N, nCat), conts FLOAT32 (N, nCont)). One block for the whole row keeps the core's
 * conventions: {@code learn.predict(row)}, {@code dls.testDl(rows)} and export take a row as it is.
 */
public final class TabularBlock implements TransformBlock {
    private final List<String> catNames;
    private final List<String> contNames;
    private final List<TabularProc> procs;
    private final List<DatePart> dateParts;
    private final Map<String, Object> state;

    private TabularBlock(List<String> catNames, List<String> contNames, List<TabularProc> procs,
            List<DatePart> dateParts, Map<String, Object> state) {
        this.catNames = catNames == null ? null : List.copyOf(catNames);
        this.contNames = contNames == null ? null : List.copyOf(contNames);
        this.procs = procs == null ? null : List.copyOf(procs);
        this.dateParts = dateParts == null ? null : List.copyOf(dateParts);
        this.state = state;
    }

    /** Procs to be set up on the training split (fresh copies are made for each data set). */
    public static TabularBlock of(List<String> catNames, List<String> contNames, List<TabularProc> procs,
            List<DatePart> dateParts) {
        return new TabularBlock(catNames, contNames, procs, dateParts, null);
    }

    /** A block whose procs carry learned state ({@link TabularProcessor#state()}), e.g. from an exported model. */
    public static TabularBlock fromState(Map<String, Object> state) {
        TabularProcessor.fromState(state); // validates
        return new TabularBlock(null, null, null, null,
                java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(state)));
    }

    @Override
    public List<Transform<?, ?>> typeTransforms() {
        if (state != null) {
            return List.of(TabularProcessor.fromState(state));
        }
        List<TabularProc> fresh = new ArrayList<>();
        for (TabularProc p : procs) {
            fresh.add(p.isSetUp() ? p : p.fresh());
        }
        return List.of(new TabularProcessor(catNames, contNames, fresh, dateParts));
    }

    @Override
    public TensorKind kind() {
        return TensorKind.OTHER;
    }

    @Override
    public HostTensor collate(List<Object> values) {
        int n = values.size();
        int w = ((float[]) values.get(0)).length;
        float[] out = new float[n * w];
        for (int i = 0; i < n; i++) {
            float[] v = (float[]) values.get(i);
            if (v.length != w) {
                throw new DataException("encoded rows of different widths: " + v.length + " and " + w);
            }
            System.arraycopy(v, 0, out, i * w, w);
        }
        return HostTensor.ofFloats(out, new Shape(n, w), TensorKind.OTHER);
    }

    @Override
    public Object fromTensor(NDArray tensor, int i) {
        return tensor.get(i).toType(DataType.FLOAT32, false).toFloatArray();
    }

    @Override
    public String show(Object decoded) {
        return String.valueOf(decoded);
    }

    @Override
    public String name() {
        return "TabularBlock";
    }
}

package ai.fastai4j.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/** One batch on the engine: input tensors and target tensors, each tagged with what it holds. */
public record Batch(List<NDArray> inputs, List<TensorKind> inputKinds, List<NDArray> targets,
        List<TensorKind> targetKinds) {

    public Batch {
        inputs = List.copyOf(inputs);
        inputKinds = List.copyOf(inputKinds);
        targets = List.copyOf(targets);
        targetKinds = List.copyOf(targetKinds);
    }

    /** The model's inputs (fastai's {@code xb}). */
    public NDList xb() {
        return new NDList(inputs);
    }

    /** The targets (fastai's {@code yb}); may be empty at inference. */
    public NDList yb() {
        return new NDList(targets);
    }

    /** Number of samples. */
    public long size() {
        return inputs.get(0).getShape().get(0);
    }

    /** A copy where every tensor of {@code kind} (inputs and targets) went through {@code fn}. */
    public Batch map(TensorKind kind, UnaryOperator<NDArray> fn) {
        return new Batch(mapList(inputs, inputKinds, kind, fn), inputKinds, mapList(targets, targetKinds, kind, fn),
                targetKinds);
    }

    /** A copy where the input tensors of {@code kind} went through {@code fn}. */
    public Batch mapInputs(TensorKind kind, UnaryOperator<NDArray> fn) {
        return new Batch(mapList(inputs, inputKinds, kind, fn), inputKinds, targets, targetKinds);
    }

    private static List<NDArray> mapList(List<NDArray> arrays, List<TensorKind> kinds, TensorKind kind,
            UnaryOperator<NDArray> fn) {
        List<NDArray> out = new ArrayList<>(arrays.size());
        for (int i = 0; i < arrays.size(); i++) {
            out.add(kinds.get(i) == kind ? fn.apply(arrays.get(i)) : arrays.get(i));
        }
        return out;
    }
}

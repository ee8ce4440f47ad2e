package ai.fastai4j.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;

/** A collated batch in Java memory, made on a loader thread; the training thread turns it into a {@link Batch}. */
public record HostBatch(List<HostTensor> inputs, List<HostTensor> targets, int[] indices) {

    /** Copies the tensors to the engine (no batch transforms applied). */
    public Batch toBatch(NDManager manager) {
        List<NDArray> xs = new ArrayList<>();
        List<TensorKind> xk = new ArrayList<>();
        for (HostTensor t : inputs) {
            xs.add(t.toNDArray(manager));
            xk.add(t.kind());
        }
        List<NDArray> ys = new ArrayList<>();
        List<TensorKind> yk = new ArrayList<>();
        for (HostTensor t : targets) {
            ys.add(t.toNDArray(manager));
            yk.add(t.kind());
        }
        return new Batch(xs, xk, ys, yk);
    }

    public int size() {
        return indices.length;
    }
}

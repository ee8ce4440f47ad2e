package ai.fastai4j.vision.models.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.fastai4j.nn.Conv2d;
import ai.fastai4j.nn.Module;
import ai.fastai4j.nn.Parameter;

/**
 * fastai's {@code SelfAttention(n_channels)} (SAGAN): 1x1 query and key projections to {@code n / 8} channels and a
 * value projection, {@code beta = softmax(f^T g)} over positions, output {@code gamma * (h beta) + x} with
 * {@code gamma} starting at 0 (the block starts as the identity). fastai spectrally normalises the projections;
 * this port leaves them plain.
 */
public final class SelfAttention extends Module {
    private final Conv2d query;
    private final Conv2d key;
    private final Conv2d value;
    private final Parameter gamma;

    public SelfAttention(NDManager m, int n) {
        int c8 = Math.max(1, n / 8);
        query = register("query", new Conv2d(m, n, c8, 1, 1, 0, false));
        key = register("key", new Conv2d(m, n, c8, 1, 1, 0, false));
        value = register("value", new Conv2d(m, n, n, 1, 1, 0, false));
        gamma = parameter("gamma", Parameter.Kind.WEIGHT, m.zeros(new Shape(1)));
    }

    @Override
    public NDArray forward(NDArray x) {
        Shape s = x.getShape();
        long n = s.get(0);
        long c = s.get(1);
        long l = s.get(2) * s.get(3);
        NDArray f = query.call(x).reshape(n, -1, l);
        NDArray g = key.call(x).reshape(n, -1, l);
        NDArray h = value.call(x).reshape(n, c, l);
        NDArray beta = f.transpose(0, 2, 1).batchMatMul(g).softmax(1); // (N, L, L)
        NDArray o = h.batchMatMul(beta).mul(gamma.data()).add(x.reshape(n, c, l));
        return o.reshape(s);
    }
}

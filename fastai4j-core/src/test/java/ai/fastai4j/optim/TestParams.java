package ai.fastai4j.optim;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import ai.fastai4j.nn.Module;
import ai.fastai4j.nn.Parameter;

/** A bag of hand-made parameters for optimizer tests, plus gradient helpers. */
final class TestParams extends Module {

    private final NDManager manager;

    TestParams(NDManager manager) {
        this.manager = manager;
    }

    Parameter add(String name, Parameter.Kind kind, float... values) {
        return parameter(name, kind, manager.create(values));
    }

    @Override
    public NDArray forward(NDArray x) {
        return x;
    }

    /** Sets the gradient of each parameter to the matching constant by a real backward of sum(p_i * c_i). */
    static void backward(Parameter[] ps, float[][] cs) {
        try (NDScope scope = new NDScope(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            scope.suppressNotUsedWarning();
            NDArray loss = null;
            for (int i = 0; i < ps.length; i++) {
                NDArray c = ps[i].data().getManager().create(cs[i]);
                NDArray term = ps[i].data().mul(c).sum();
                loss = loss == null ? term : loss.add(term);
            }
            gc.backward(loss);
        }
    }

    static void backward(Parameter p, float... c) {
        backward(new Parameter[] {p}, new float[][] {c});
    }

    static double[] values(Parameter p) {
        float[] f = p.data().toFloatArray();
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    static double[] d(float... f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }
}

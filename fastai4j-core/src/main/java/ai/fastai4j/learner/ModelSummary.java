package ai.fastai4j.learner;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.fastai4j.data.Batch;
import ai.fastai4j.data.DataLoader;
import ai.fastai4j.data.HostBatch;
import ai.fastai4j.engine.NoGrad;
import ai.fastai4j.nn.Module;
import ai.fastai4j.nn.Parameter;
import ai.fastai4j.hooks.Hooks;
import ai.fastai4j.optim.Optimizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * fastai's {@code learn.summary()}: the model's layers in the order they run, with output shape, parameter count
 * and whether they train, then the parameter totals, the optimizer, the loss, how much of the model is frozen and
 * the callbacks. {@link #toString()} gives fastai's text.
 *
 * <p>How the layers are found, as fastai's {@code layer_info}: every leaf layer of the model (a module without
 * children) gets a forward {@link Hooks hook}, one item of a training batch runs through the model (evaluation
 * mode, no gradients, nothing changes), and each layer that runs is a row, in running order: the layers inside
 * residual blocks and other modules with their own {@code forward} included (a layer that runs twice, such as a
 * ResNet block's shared ReLU, is two rows). Output shapes are reported with the loader's batch size as the first
 * axis.
 *
 * @param modelType the model's type name
 * @param inputShapes shape of each model input for a full batch
 * @param layers the rows, in running order
 * @param totalParams scalars in all trainable-kind parameters (buffers such as running statistics excluded)
 * @param trainableParams of which the optimizer updates these
 * @param optimizer the optimizer and its hyper-parameters (last parameter group)
 * @param lossFunction the loss's name
 * @param frozenGroups leading parameter groups whose weights are frozen (0 when nothing is frozen)
 * @param callbacks the learner's callbacks in running order
 */
public record ModelSummary(String modelType, List<long[]> inputShapes, List<Layer> layers, long totalParams,
        long trainableParams, String optimizer, String lossFunction, int frozenGroups, List<String> callbacks) {

    /**
     * One row of the table.
     *
     * @param name dotted name of the module in the model ({@code 0.4.1})
     * @param type the module's {@link Module#typeName() type name}
     * @param outputShape the output's shape, batch axis first
     * @param params scalars in its trainable-kind parameters (0 for parameter-free layers)
     * @param trainable whether any of its parameters trains; null when it has none
     */
    public record Layer(String name, String type, long[] outputShape, long params, Boolean trainable) {
        public Layer {
            outputShape = outputShape.clone();
        }

        @Override
        public long[] outputShape() {
            return outputShape.clone();
        }
    }

    public ModelSummary {
        inputShapes = List.copyOf(inputShapes);
        layers = List.copyOf(layers);
        callbacks = List.copyOf(callbacks);
    }

    /** Parameters the optimizer does not update. */
    public long frozenParams() {
        return totalParams - trainableParams;
    }

    /** Runs one item of a training batch through {@code learn}'s model and builds the summary. */
    public static ModelSummary of(Learner learn) {
        DataLoader dl = learn.dls().train();
        HostBatch hb = dl.oneBatch();
        long bs = dl.batchSize();
        Module model = learn.model();
        List<Layer> layers = new ArrayList<>();
        List<long[]> inputShapes = new ArrayList<>();
        boolean wasTraining = model.isTraining();
        NoGrad noGrad = NoGrad.enter();
        model.eval();
        try (NDManager m = NDManager.newBaseManager(); NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            Batch b = dl.toBatch(hb, m);
            NDList xb = new NDList();
            for (NDArray x : b.inputs()) {
                xb.add(x.get(new NDIndex("0:1")));
                inputShapes.add(withBatch(x.getShape().getShape(), bs));
            }
            Map<Module, String> names = new IdentityHashMap<>();
            model.namedModules().forEach((n, mod) -> names.putIfAbsent(mod, n));
            List<Module> leaves = Hooks.leaves(model).stream().filter(distinct()).toList();
            try (Hooks<long[]> hooks = Hooks.forward(leaves, (mod, in, out) -> {
                layers.add(row(mod, names.get(mod), out, bs));
                return null;
            })) {
                NDArray y = model.call(xb);
                if (layers.isEmpty()) { // a model that runs no child through call(): one row
                    layers.add(row(model, "", y, bs));
                }
            }
        } finally {
            model.train(wasTraining);
            noGrad.close();
        }
        long total = 0;
        long trainable = 0;
        for (Parameter p : model.parameters()) {
            total += p.data().size();
            trainable += p.isTrainable() ? p.data().size() : 0;
        }
        List<String> cbs = learn.callbacks().stream().map(c -> c.getClass().getSimpleName()).toList();
        return new ModelSummary(model.typeName(), inputShapes, layers, total, trainable, describe(learn.opt()),
                learn.lossFunction().name(), frozenGroups(learn.paramGroups()), cbs);
    }

    private static java.util.function.Predicate<Module> distinct() {
        Set<Module> seen = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        return seen::add;
    }

    private static Layer row(Module m, String name, NDArray y, long bs) {
        List<Parameter> ps = m.parameters();
        long n = ps.stream().mapToLong(p -> p.data().size()).sum();
        Boolean trains = ps.isEmpty() ? null : ps.stream().anyMatch(Parameter::isTrainable);
        return new Layer(name, m.typeName(), withBatch(y.getShape().getShape(), bs), n, trains);
    }

    private static long[] withBatch(long[] shape, long bs) {
        long[] s = shape.clone();
        if (s.length > 0) {
            s[0] = bs;
        }
        return s;
    }

    /** Leading groups whose weights (or, for groups of norm layers only, all parameters) are frozen. */
    static int frozenGroups(List<List<Parameter>> groups) {
        int n = 0;
        for (List<Parameter> g : groups) {
            List<Parameter> weights = g.stream().filter(p -> p.kind() != Parameter.Kind.NORM).toList();
            List<Parameter> check = weights.isEmpty() ? g : weights;
            if (check.isEmpty() || check.stream().anyMatch(Parameter::isTrainable)) {
                break;
            }
            n++;
        }
        return n;
    }

    private static final List<String> HYPERS = List.of("lr", "mom", "sqr_mom", "eps", "wd", "beta");

    private static String describe(Optimizer opt) {
        StringBuilder sb = new StringBuilder(opt.getClass().getSimpleName()).append('(');
        int last = opt.groupCount() - 1;
        boolean first = true;
        for (String h : HYPERS) {
            if (opt.hasHyper(h)) {
                sb.append(first ? "" : ", ").append(h).append('=').append(number(opt.hyper(h, last)));
                first = false;
            }
        }
        return sb.append(')').toString();
    }

    private static String number(double v) {
        return v != 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e5)
                ? String.format(Locale.ROOT, "%.1e", v) : String.format(Locale.ROOT, "%.4g", v).replaceAll("\\.?0+$", "");
    }

    /** A shape as fastai prints it: {@code 64 x 3 x 224 x 224}. */
    public static String shape(long[] s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length; i++) {
            sb.append(i == 0 ? "" : " x ").append(s[i]);
        }
        return sb.toString();
    }

    /** fastai's summary text. */
    @Override
    public String toString() {
        int n = 76;
        StringBuilder sb = new StringBuilder();
        List<String> ins = inputShapes.stream().map(ModelSummary::shape).toList();
        sb.append(modelType).append(" (Input shape: ").append(ins.size() == 1 ? ins.get(0) : ins.toString())
                .append(")\n");
        sb.append("=".repeat(n)).append('\n');
        sb.append(String.format(Locale.ROOT, "%-20s %-20s %-10s %s\n", "Layer (type)", "Output Shape", "Param #",
                "Trainable"));
        sb.append("=".repeat(n)).append('\n');
        long[] prev = null;
        for (Layer l : layers) {
            if (prev == null || !Arrays.equals(prev, l.outputShape)) {
                if (prev != null) {
                    sb.append("_".repeat(n)).append('\n');
                }
                String s = shape(l.outputShape);
                sb.append(String.format(Locale.ROOT, "%-20s %s", "", s.length() > 19 ? s.substring(0, 19) : s))
                        .append('\n');
                prev = l.outputShape;
            }
            sb.append(String.format(Locale.ROOT, "%-20s %-20s %-10s %-10s", l.type, "", l.params == 0 ? "" : l.params,
                    l.trainable == null ? "" : l.trainable ? "True" : "False").stripTrailing()).append('\n');
        }
        sb.append("_".repeat(n)).append("\n\n");
        sb.append(String.format(Locale.ROOT, "Total params: %,d\n", totalParams));
        sb.append(String.format(Locale.ROOT, "Total trainable params: %,d\n", trainableParams));
        sb.append(String.format(Locale.ROOT, "Total non-trainable params: %,d\n\n", frozenParams()));
        sb.append("Optimizer used: ").append(optimizer).append('\n');
        sb.append("Loss function: ").append(lossFunction).append("\n\n");
        if (frozenGroups > 0) {
            sb.append("Model frozen up to parameter group #").append(frozenGroups).append("\n\n");
        }
        sb.append("Callbacks:\n");
        for (String c : callbacks) {
            sb.append("  - ").append(c).append('\n');
        }
        return sb.toString();
    }
}

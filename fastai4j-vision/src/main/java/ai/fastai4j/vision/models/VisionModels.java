package ai.fastai4j.vision.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.fastai4j.nn.BatchNorm;
import ai.fastai4j.nn.Layers;
import ai.fastai4j.nn.Linear;
import ai.fastai4j.nn.Module;
import ai.fastai4j.nn.Parameter;
import ai.fastai4j.nn.Sequential;
import ai.fastai4j.nn.StateDictReport;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * fastai's vision model assembly ({@code fastai/vision/learner.py}): {@link #createHead}, {@link
 * #createVisionModel} (children "0" body, "1" head), the parameter groups for discriminative learning rates,
 * and loading torchvision weights into an assembled model.
 */
public final class VisionModels {
    private VisionModels() {}

    /** torchvision's ResNet children in order: fastai's body is these, indexed 0..7. */
    private static final List<String> RESNET_BODY_NAMES =
            List.of("conv1", "bn1", "relu", "maxpool", "layer1", "layer2", "layer3", "layer4");

    /**
     * fastai's default {@code create_head(nf, n_out)}: AdaptiveConcatPool2d, Flatten, BatchNorm1d(2nf),
     * Dropout(0.25), Linear(2nf, 512, no bias), ReLU, BatchNorm1d(512), Dropout(0.5), Linear(512, nOut, no
     * bias), as children "0".."8".
     */
    public static Sequential createHead(NDManager m, int nf, int nOut) {
        return createHead(m, nf, nOut, new int[] {512}, new double[] {0.5}, true);
    }

    /**
     * fastai's {@code create_head} with {@code lin_ftrs}, {@code ps} and {@code concat_pool}. A single
     * {@code ps} value p becomes p/2 for every hidden layer and p for the last, as in fastai; otherwise give
     * one per linear layer. Each linear layer follows a BatchNorm (fastai init: weight 1, bias 1e-3) and a
     * dropout (left out when p is 0), has no bias, and is Kaiming-normal initialised (fan-in).
     */
    public static Sequential createHead(NDManager m, int nf, int nOut, int[] linFtrs, double[] ps,
            boolean concatPool) {
        int[] ftrs = new int[linFtrs.length + 2];
        ftrs[0] = concatPool ? 2 * nf : nf;
        System.arraycopy(linFtrs, 0, ftrs, 1, linFtrs.length);
        ftrs[ftrs.length - 1] = nOut;
        int nLin = ftrs.length - 1;
        double[] drops;
        if (ps.length == 1) {
            drops = new double[nLin];
            Arrays.fill(drops, ps[0] / 2);
            drops[nLin - 1] = ps[0];
        } else if (ps.length == nLin) {
            drops = ps.clone();
        } else {
            throw new IllegalArgumentException("ps needs 1 or " + nLin + " values, got " + ps.length);
        }
        Sequential head = new Sequential();
        head.add(concatPool ? Layers.adaptiveConcatPool2d() : Layers.adaptiveAvgPool2d(1));
        head.add(Layers.flatten());
        for (int i = 0; i < nLin; i++) {
            head.add(new BatchNorm(m, ftrs[i]));
            if (drops[i] != 0) {
                head.add(Layers.dropout((float) drops[i]));
            }
            Linear lin = new Linear(m, ftrs[i], ftrs[i + 1], false);
            Init.kaimingNormalFanIn(m, lin.weight());
            head.add(lin);
            if (i < nLin - 1) {
                head.add(Layers.relu());
            }
        }
        return head;
    }

    /**
     * fastai's {@code create_vision_model} without pretrained weights: children "0" the arch's body (for
     * ResNets named as in torchvision, so "0.layer1.0.conv1.weight" is torchvision's "layer1.0.conv1.weight"),
     * "1" {@link #createHead(NDManager, int, int) the default head}.
     */
    public static Sequential createVisionModel(NDManager m, Arch arch, int nIn, int nOut) {
        Sequential model = new Sequential();
        model.add(arch.createBody(m, nIn));
        model.add(createHead(m, arch.numFeatures(), nOut));
        return model;
    }

    /**
     * fastai's parameter groups for discriminative learning rates (trainable-kind parameters, no buffers).
     * For a body with a {@code layer3} child (ResNets), fastai's {@code _resnet_split}: [stem + layer1 +
     * layer2], [layer3 and later], [head]. Otherwise {@code default_split}: [body], [head]. Accepts an
     * assembled model (body "0", head "1" and on) or a plain {@link ResNet} (groups: up to layer2, layer3 to
     * the last stage, then avgpool + fc).
     */
    public static List<List<Parameter>> paramGroups(Module model) {
        Map<String, Module> children = model.children();
        Map<String, Module> body;
        List<Module> head = new ArrayList<>();
        if (model instanceof ResNet resnet) {
            body = resnet.body().children();
            children.forEach((n, c) -> {
                if (!body.containsKey(n)) {
                    head.add(c);
                }
            });
        } else if (children.containsKey("0") && children.size() >= 2) {
            body = children.get("0").children();
            children.forEach((n, c) -> {
                if (!n.equals("0")) {
                    head.add(c);
                }
            });
        } else {
            throw new IllegalArgumentException("expected a body/head model (children \"0\", \"1\") or a ResNet");
        }
        List<List<Parameter>> groups = new ArrayList<>();
        if (body.containsKey("layer3")) {
            List<Parameter> stem = new ArrayList<>();
            List<Parameter> deep = new ArrayList<>();
            boolean late = false;
            for (Map.Entry<String, Module> e : body.entrySet()) {
                late |= e.getKey().equals("layer3");
                (late ? deep : stem).addAll(e.getValue().parameters());
            }
            groups.add(stem);
            groups.add(deep);
        } else {
            List<Parameter> all = new ArrayList<>();
            body.values().forEach(c -> all.addAll(c.parameters()));
            groups.add(all);
        }
        List<Parameter> h = new ArrayList<>();
        head.forEach(c -> h.addAll(c.parameters()));
        groups.add(h);
        return groups;
    }

    /**
     * Copies a torchvision ResNet state dict ({@code conv1.weight}, {@code layer1.0.bn1.running_mean}, ...)
     * into the body of an assembled model: each name gets the prefix "0.", {@code fc.*} is dropped. When the
     * body's first convolution has a different number of input channels, the weights are adapted as fastai's
     * {@code _load_pretrained_weights} does (1: sum over channels; 2: first two times 1.5; more than 3: the
     * three, then zeros).
     *
     * @param strict throw when a body tensor is missing, unexpected or mis-shaped
     * @return the outcome in the assembled model's names; the head (never in the file) is not reported missing
     */
    @SuppressWarnings("try")
    public static StateDictReport loadTorchvisionWeights(Module model, Map<String, NDArray> torchvision,
            boolean strict) {
        Module body = model.children().get("0");
        if (body == null || !body.children().containsKey("conv1")) {
            throw new IllegalArgumentException("expected an assembled model whose body \"0\" has conv1");
        }
        NDArray target = body.namedParameters().get("conv1.weight").data();
        try (NDScope scope = new NDScope()) {
            Map<String, NDArray> mapped = new LinkedHashMap<>();
            for (Map.Entry<String, NDArray> e : torchvision.entrySet()) {
                if (e.getKey().startsWith("fc.")) {
                    continue;
                }
                NDArray v = e.getValue();
                if (e.getKey().equals("conv1.weight")) {
                    v = adaptFirstConv(v, target.getShape());
                }
                mapped.put("0." + e.getKey(), v);
            }
            StateDictReport r = model.loadStateDict(mapped, false);
            List<String> missing = r.missing().stream().filter(n -> n.startsWith("0.")).toList();
            StateDictReport report = new StateDictReport(missing, r.unexpected(), r.misShaped());
            if (strict && !report.isExact()) {
                throw new IllegalArgumentException("torchvision weights do not match the body: " + report);
            }
            return report;
        }
    }

    /**
     * Writes the body (child "0") of an assembled vision model as a safetensors state dict with torchvision's
     * names and no head, ready to be the pretrained weights of another learner
     * ({@code VisionLearners.builder(dls, arch).weightsFile(file)}): transfer learning from your own data.
     */
    public static void saveBody(Module model, java.nio.file.Path file) throws java.io.IOException {
        Module body = model.children().get("0");
        if (body == null) {
            throw new IllegalArgumentException("expected an assembled vision model with a body \"0\"");
        }
        ai.fastai4j.io.Safetensors.write(body.stateDict(), Map.of("format", "pt", "content", "fastai4j body"),
                file);
    }

    /** fastai's {@code _load_pretrained_weights}: fits a (out, 3, k, k) weight to {@code target}'s channels. */
    static NDArray adaptFirstConv(NDArray w, Shape target) {
        Shape s = w.getShape();
        if (s.dimension() != 4 || target.dimension() != 4 || s.get(1) == target.get(1) || s.get(0) != target.get(0)
                || s.get(2) != target.get(2) || s.get(3) != target.get(3)) {
            return w; // same channels, or a clash that loadStateDict reports as mis-shaped
        }
        long nIn = target.get(1);
        if (nIn == 1) {
            return w.sum(new int[] {1}, true);
        }
        if (nIn == 2) {
            return w.get(new NDIndex(":, :2")).mul(1.5f);
        }
        if (nIn > s.get(1)) {
            NDArray zeros = w.getManager().zeros(new Shape(s.get(0), nIn - s.get(1), s.get(2), s.get(3)), w.getDataType());
            return NDArrays.concat(new ai.djl.ndarray.NDList(w, zeros), 1);
        }
        return w.get(new NDIndex(":, :" + nIn));
    }

    /**
     * Renames a state dict saved by fastai for a ResNet vision model, whose body children are numbered
     * ("0.0.weight", "0.4.0.conv1.weight"), to this package's torchvision names ("0.conv1.weight",
     * "0.layer1.0.conv1.weight"). Head names ("1.2.weight", ...) are the same in both and stay.
     */
    public static Map<String, NDArray> renameFastaiResNetKeys(Map<String, NDArray> fastai) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : fastai.entrySet()) {
            String k = e.getKey();
            if (k.startsWith("0.")) {
                int dot = k.indexOf('.', 2);
                String idx = dot < 0 ? "" : k.substring(2, dot);
                if (idx.chars().allMatch(Character::isDigit) && !idx.isEmpty()
                        && Integer.parseInt(idx) < RESNET_BODY_NAMES.size()) {
                    k = "0." + RESNET_BODY_NAMES.get(Integer.parseInt(idx)) + k.substring(dot);
                }
            }
            out.put(k, e.getValue());
        }
        return out;
    }
}

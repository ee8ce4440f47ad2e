package ai.fastai4j.export;

import ai.fastai4j.data.CategoryBlock;
import ai.fastai4j.data.MultiCategoryBlock;
import ai.fastai4j.data.Pipeline;
import ai.fastai4j.data.RegressionBlock;
import ai.fastai4j.data.Transform;
import ai.fastai4j.data.VocabHolder;
import ai.fastai4j.losses.LossFunction;
import ai.fastai4j.losses.Losses;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Core's own export entries: the category, multi-category and regression target blocks and fastai's losses. */
final class CoreExport {
    private CoreExport() {}

    /** Task of a single-label classifier (target {@code category}). */
    static final String SINGLE_LABEL = "single_label_classification";
    /** Task of a multi-label classifier (target {@code multi_category}). */
    static final String MULTI_LABEL = "multi_label_classification";
    /** Task of a numeric target (target {@code regression}). */
    static final String REGRESSION = "regression";

    private static final Pattern SMOOTH = Pattern.compile("LabelSmoothingCrossEntropyFlat\\(eps=([^)]+)\\)");
    private static final Pattern BCE = Pattern.compile("BCEWithLogitsLossFlat\\(thresh=([^)]+)\\)");

    static void registerAll(ExportRegistry r) {
        r.registerTargetBlock("category", CategoryBlock.class, SINGLE_LABEL,
                (b, pipe) -> describeVocab("category", pipe), p -> CategoryBlock.withVocab(vocab(p)), p -> vocab(p).size());
        r.registerTargetBlock("multi_category", MultiCategoryBlock.class, MULTI_LABEL,
                (b, pipe) -> describeVocab("multi-category", pipe), p -> MultiCategoryBlock.withVocab(vocab(p)),
                p -> vocab(p).size());
        r.registerTargetBlock("regression", RegressionBlock.class, REGRESSION, (b, pipe) -> Map.of(),
                p -> RegressionBlock.create(), p -> 1);

        // the loss classes are not public: they are matched through instances, parameters read from name()
        r.registerLoss("cross_entropy_flat", Losses.crossEntropy().getClass(), CoreExport::describeCrossEntropy,
                p -> {
                    double eps = Params.getDouble(p, "eps");
                    return eps == 0 ? Losses.crossEntropy() : Losses.labelSmoothingCrossEntropy((float) eps);
                });
        r.registerLoss("bce_with_logits_flat", Losses.bceWithLogits().getClass(), CoreExport::describeBce,
                p -> Losses.bceWithLogits(Params.getFloat(p, "threshold")));
        r.registerLoss("mse_flat", Losses.mse().getClass(), l -> Map.of(), p -> Losses.mse());
        r.registerLoss("dice", ai.fastai4j.losses.DiceLoss.class,
                l -> Map.of("smooth", (double) l.smooth(), "square_in_union", l.squareInUnion()),
                p -> Losses.dice(Params.getFloat(p, "smooth"), Params.getBoolean(p, "square_in_union")));
        r.registerLoss("cross_entropy_plus_dice", ai.fastai4j.losses.CombinedLoss.class,
                l -> Map.of("alpha", (double) l.alpha()), p -> Losses.crossEntropyPlusDice(Params.getFloat(p, "alpha")));
    }

    private static List<String> vocab(Map<String, Object> p) {
        List<String> v = Params.getStringList(p, "vocab");
        if (v.isEmpty()) {
            throw new IllegalArgumentException("parameter 'vocab' is empty");
        }
        return v;
    }

    /** The vocabulary of a category-like block, read from its set-up pipeline. */
    private static Map<String, Object> describeVocab(String what, Pipeline pipeline) {
        for (Transform<Object, Object> t : pipeline.transforms()) {
            if (t instanceof VocabHolder v) {
                if (v.vocab().isEmpty()) {
                    throw new ExportException("the " + what + " block has no vocabulary (its pipeline was not set up)");
                }
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("vocab", List.copyOf(v.vocab()));
                return m;
            }
        }
        throw new ExportException("the " + what + " block's pipeline has no vocabulary");
    }

    private static Map<String, Object> describeCrossEntropy(LossFunction l) {
        String n = l.name();
        double eps;
        if ("CrossEntropyLossFlat".equals(n)) {
            eps = 0;
        } else {
            Matcher m = SMOOTH.matcher(n);
            if (!m.matches()) {
                throw new ExportException("cannot read the parameters of loss " + n);
            }
            eps = Float.parseFloat(m.group(1));
        }
        return Map.of("eps", eps);
    }

    private static Map<String, Object> describeBce(LossFunction l) {
        Matcher m = BCE.matcher(l.name());
        if (!m.matches()) {
            throw new ExportException("cannot read the parameters of loss " + l.name());
        }
        return Map.of("threshold", (double) Float.parseFloat(m.group(1)));
    }
}

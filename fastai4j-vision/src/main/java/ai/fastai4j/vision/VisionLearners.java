package ai.fastai4j.vision;

import ai.djl.ndarray.NDManager;
import ai.fastai4j.data.DataLoaders;
import ai.fastai4j.data.TransformBlock;
import ai.fastai4j.export.ModelExport;
import ai.fastai4j.learner.Learner;
import ai.fastai4j.metrics.Metric;
import ai.fastai4j.nn.Module;
import ai.fastai4j.vision.models.Arch;
import ai.fastai4j.vision.models.VisionModels;
import java.util.function.Consumer;

/**
 * fastai's {@code vision_learner}: an architecture's body, fastai's head sized for the data's classes, and the
 * architecture's parameter groups for discriminative learning rates.
 */
public final class VisionLearners {
    private VisionLearners() {}

    /** A learner for {@code dls} with {@code arch} trained from scratch. */
    public static Learner create(DataLoaders dls, Arch arch, Metric... metrics) {
        return create(dls, arch, b -> {}, metrics);
    }

    /** As {@link #create(DataLoaders, Arch, Metric...)}, with further builder settings (optimizer, wd, path...). */
    public static Learner create(DataLoaders dls, Arch arch, Consumer<Learner.Builder> configure, Metric... metrics) {
        TransformBlock x = dls.datasets().blocks().get(0);
        if (!(x instanceof ImageBlock ib)) {
            throw new IllegalArgumentException("a vision learner needs an ImageBlock input, got " + x.name());
        }
        NDManager m = NDManager.newBaseManager();
        try {
            Module model = VisionModels.createVisionModel(m, arch, ib.channels(), dls.c());
            Learner.Builder b = Learner.builder(dls, model).splitter(VisionModels::paramGroups).metrics(metrics)
                    .owning(m);
            configure.accept(b);
            Learner learn = b.build();
            learn.provenance().put(ModelExport.MODEL_FACTORY, VisionExport.MODEL_FACTORY);
            learn.provenance().put(ModelExport.MODEL_PARAMS, VisionExport.modelParams(arch, ib.channels(), dls.c()));
            return learn;
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }
}

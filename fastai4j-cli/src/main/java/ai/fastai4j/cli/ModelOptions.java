package ai.fastai4j.cli;

import ai.fastai4j.data.DataLoaders;
import ai.fastai4j.learner.Learner;
import ai.fastai4j.metrics.Metric;
import ai.fastai4j.vision.VisionLearners;
import ai.fastai4j.vision.models.Arch;
import java.nio.file.Path;
import java.util.function.Consumer;
import picocli.CommandLine.Option;

/** The model options shared by {@code train} and {@code lr-find}: architecture and pretrained weights. */
final class ModelOptions {
    @Option(names = "--arch", defaultValue = "SMALL_RESNET",
            description = "Architecture: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Arch arch;

    @Option(names = "--pretrained", negatable = true, fallbackValue = "true",
            description = "Start from pretrained weights and fine-tune (default: yes for the RESNET archs, which"
                    + " have torchvision ImageNet weights; downloaded once into the cache, see FASTAI4J_WEIGHTS).")
    Boolean pretrained;

    @Option(names = "--weights", paramLabel = "FILE",
            description = "Pretrained body weights from a file: a torchvision-named .pth or safetensors state dict.")
    Path weights;

    /** The vision learner these options describe. */
    Learner learner(DataLoaders dls, Consumer<Learner.Builder> configure, Metric... metrics) {
        return learner(dls, false, configure, metrics);
    }

    /** The vision learner, or with {@code unet} fastai's {@code unet_learner}, these options describe. */
    Learner learner(DataLoaders dls, boolean unet, Consumer<Learner.Builder> configure, Metric... metrics) {
        VisionLearners.Builder b = (unet ? VisionLearners.unetBuilder(dls, arch) : VisionLearners.builder(dls, arch))
                .learner(configure).metrics(metrics);
        if (weights != null) {
            b.weightsFile(weights);
        } else if (pretrained != null) {
            b.pretrained(pretrained);
        }
        return b.build();
    }
}

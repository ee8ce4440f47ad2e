package ai.fastai4j.vision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.fastai4j.data.DataLoaders;
import ai.fastai4j.data.TransformBlock;
import ai.fastai4j.learner.Learner;
import ai.fastai4j.metrics.Metric;
import ai.fastai4j.nn.ModelSpec;
import ai.fastai4j.nn.Module;
import ai.fastai4j.vision.models.Arch;
import ai.fastai4j.vision.models.VisionModels;
import ai.fastai4j.vision.models.unet.DynamicUnet;
import ai.fastai4j.vision.models.pretrained.LoadReport;
import ai.fastai4j.vision.models.pretrained.PretrainedWeights;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * fastai's {@code vision_learner}: an architecture's body, optionally with pretrained weights, fastai's head sized
 * for the data's classes, and the architecture's parameter groups for discriminative learning rates.
 *
 * <p>As in fastai, a learner is pretrained by default when the architecture has published weights
 * ({@link PretrainedWeights#defaultFor}): the weights are fetched (or found in the cache), the data gets the
 * weights' {@link Normalize} statistics, and the learner starts frozen so that {@link Learner#fineTune} first
 * trains the head.
 *
 * <pre>{@code
 * try (Learner learn = VisionLearners.builder(dls, Arch.RESNET34).metrics(Metrics.errorRate()).build()) {
 *     learn.fineTune(3);
 * }
 * }</pre>
 */
public final class VisionLearners {
    /** Provenance key naming the pretrained weights a learner started from (absent when from scratch). */
    public static final String PRETRAINED_WEIGHTS = "pretrained_weights";

    private VisionLearners() {}

    /** Starts a vision learner for {@code dls} with {@code arch}. */
    public static Builder builder(DataLoaders dls, Arch arch) {
        return new Builder(dls, arch);
    }

    /**
     * fastai's {@code unet_learner}: starts a segmentation learner whose model is a {@link DynamicUnet} over
     * {@code arch}'s body, sized on the loaders' images, with one output channel per mask code; pretrained and
     * frozen (the encoder, fastai's splitter) like {@link #builder}.
     */
    public static Builder unetBuilder(DataLoaders dls, Arch arch) {
        Builder b = new Builder(dls, arch);
        b.unet = DynamicUnet.Config.defaults();
        return b;
    }

    /** {@link #unetBuilder} with fastai's defaults. */
    public static Learner unetLearner(DataLoaders dls, Arch arch, Metric... metrics) {
        return unetBuilder(dls, arch).metrics(metrics).build();
    }

    /**
     * A learner for {@code dls} with {@code arch} and fastai's defaults: pretrained when {@code arch} has
     * published weights, else from scratch.
     */
    public static Learner create(DataLoaders dls, Arch arch, Metric... metrics) {
        return builder(dls, arch).metrics(metrics).build();
    }

    /** As {@link #create(DataLoaders, Arch, Metric...)}, with further learner settings (optimizer, wd, path...). */
    public static Learner create(DataLoaders dls, Arch arch, Consumer<Learner.Builder> configure, Metric... metrics) {
        return builder(dls, arch).learner(configure).metrics(metrics).build();
    }

    /** Settings of a vision learner; {@link #build} assembles it. */
    public static final class Builder {
        private final DataLoaders dls;
        private final Arch arch;
        private boolean pretrained;
        private PretrainedWeights.Spec spec;
        private Path weightsFile;
        private PretrainedWeights.Config config;
        private boolean normalize = true;
        private Normalize stats;
        private Integer nOut;
        private Consumer<Learner.Builder> configure = b -> {};
        private Metric[] metrics = new Metric[0];
        private DynamicUnet.Config unet;

        private Builder(DataLoaders dls, Arch arch) {
            this.dls = Objects.requireNonNull(dls, "dls");
            this.arch = Objects.requireNonNull(arch, "arch");
            this.pretrained = PretrainedWeights.registry().stream().anyMatch(s -> s.arch() == arch);
        }

        /**
         * Whether to start from pretrained weights (default: true when {@code arch} has published weights).
         * With no {@link #weights} or {@link #weightsFile}, {@link PretrainedWeights#defaultFor} is used.
         */
        public Builder pretrained(boolean v) {
            this.pretrained = v;
            return this;
        }

        /** Pretrained weights from the registry (fetched into the cache if needed); their stats normalise. */
        public Builder weights(PretrainedWeights.Spec s) {
            this.spec = Objects.requireNonNull(s, "spec");
            if (s.arch() != arch) {
                throw new IllegalArgumentException("weights " + s + " are for " + s.arch() + ", not " + arch);
            }
            this.pretrained = true;
            this.weightsFile = null;
            return this;
        }

        /**
         * Pretrained weights from a file: a torchvision-named {@code .pth} or safetensors state dict of the body,
         * for instance one written by {@link VisionModels#saveBody} after training on another data set. Give
         * the statistics the weights were trained with through {@link #normalize(Normalize)}.
         */
        public Builder weightsFile(Path file) {
            this.weightsFile = Objects.requireNonNull(file, "file");
            this.spec = null;
            this.pretrained = true;
            return this;
        }

        /** Where registry weights are looked for and downloaded to (default: from the environment). */
        public Builder config(PretrainedWeights.Config c) {
            this.config = Objects.requireNonNull(c, "config");
            return this;
        }

        /** Whether to add the pretrained weights' {@link Normalize} to the data (default true, as fastai). */
        public Builder normalize(boolean v) {
            this.normalize = v;
            return this;
        }

        /** The statistics to normalise with (default: those of the registry weights). */
        public Builder normalize(Normalize n) {
            this.stats = Objects.requireNonNull(n, "normalize");
            this.normalize = true;
            return this;
        }

        /** Number of outputs (default: {@code dls.c()}). */
        public Builder nOut(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("nOut must be at least 1, got " + n);
            }
            this.nOut = n;
            return this;
        }

        /** U-Net options (blur, self-attention, last cross connection); only for {@link #unetBuilder}. */
        public Builder unetConfig(DynamicUnet.Config c) {
            if (unet == null) {
                throw new IllegalStateException("unetConfig is for VisionLearners.unetBuilder");
            }
            this.unet = Objects.requireNonNull(c, "config");
            return this;
        }

        /** Further learner settings: optimizer, loss, weight decay, path, callbacks... */
        public Builder learner(Consumer<Learner.Builder> c) {
            this.configure = Objects.requireNonNull(c, "configure");
            return this;
        }

        public Builder metrics(Metric... ms) {
            this.metrics = ms.clone();
            return this;
        }

        /**
         * Assembles the model, loads the pretrained body (strict: a weights file that does not fit is an error
         * naming the tensors), adds the normalisation to the data and freezes the body when pretrained.
         *
         * @throws ai.fastai4j.vision.models.pretrained.WeightsUnavailableException when registry weights are
         *     neither cached nor downloadable
         */
        public Learner build() {
            TransformBlock x = dls.datasets().blocks().get(0);
            if (!(x instanceof ImageBlock ib)) {
                throw new IllegalArgumentException("a vision learner needs an ImageBlock input, got " + x.name());
            }
            int out = nOut != null ? nOut : dls.c();
            TrainingSize.fix(dls);
            NDManager m = NDManager.newBaseManager();
            try {
                int[] size = unet == null ? null : imageSize();
                Module model = unet == null ? VisionModels.createVisionModel(m, arch, ib.channels(), out)
                        : new DynamicUnet(m, arch.createBody(m, ib.channels()), ib.channels(), out, size[0], size[1],
                                unet);
                String source = pretrained ? loadWeights(model) : null;
                Normalize norm = pretrained && normalize ? normalizeStats() : null;
                if (norm != null && norm.mean().length == ib.channels()) {
                    dls.addBatchTransforms(norm); // as fastai's _add_norm: skipped when the channels differ
                }
                Learner.Builder b = Learner.builder(dls, model).splitter(VisionModels::paramGroups).metrics(metrics)
                        .owning(m);
                configure.accept(b);
                Learner learn = b.build();
                if (unet == null) {
                    learn.setModelSpec(new ModelSpec(VisionExport.MODEL_FACTORY,
                            VisionExport.modelParams(arch, ib.channels(), out)));
                } else {
                    learn.setModelSpec(new ModelSpec(VisionExport.UNET_FACTORY,
                            VisionExport.unetParams(arch, ib.channels(), out, size[0], size[1], unet)));
                }
                if (source != null) {
                    learn.provenance().put(PRETRAINED_WEIGHTS, source);
                    learn.freeze();
                }
                return learn;
            } catch (RuntimeException e) {
                m.close();
                throw e;
            }
        }

        /** Height and width of the training images (fastai's {@code dls.one_batch()[0].shape[-2:]}). */
        private int[] imageSize() {
            ai.djl.ndarray.types.Shape s = dls.train().oneBatch().inputs().get(0).shape();
            return new int[] {(int) s.get(2), (int) s.get(3)};
        }

        private Normalize normalizeStats() {
            if (stats != null) {
                return stats;
            }
            PretrainedWeights.Spec s = registrySpec();
            return s == null ? null : Normalize.of(s.mean(), s.std());
        }

        private PretrainedWeights.Spec registrySpec() {
            if (weightsFile != null) {
                return null;
            }
            return spec != null ? spec : PretrainedWeights.defaultFor(arch);
        }

        /** Loads the body's weights; returns a description of where they came from. */
        private String loadWeights(Module model) {
            Path file;
            String source;
            if (weightsFile != null) {
                if (!Files.isRegularFile(weightsFile)) {
                    throw new IllegalArgumentException("weights file " + weightsFile + " does not exist");
                }
                file = weightsFile;
                source = weightsFile.getFileName().toString();
            } else {
                PretrainedWeights.Spec s = registrySpec();
                file = PretrainedWeights.fetch(s, config != null ? config : PretrainedWeights.Config.fromEnvironment());
                source = s.toString();
            }
            try (NDManager tmp = NDManager.newBaseManager()) {
                Map<String, NDArray> sd = PretrainedWeights.readStateDict(file, tmp);
                Module body = model.children().get("0");
                if (body.children().containsKey("conv1")) {
                    LoadReport r = PretrainedWeights.load(sd, model, file.toString(), true);
                    return source + " (" + r.loaded() + " tensors)";
                }
                try {
                    body.loadStateDict(sd, true);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("weights " + file + " do not fit the " + arch + " body: "
                            + e.getMessage(), e);
                }
                return source + " (" + sd.size() + " tensors)";
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read weights " + file + ": " + e.getMessage(), e);
            }
        }
    }
}

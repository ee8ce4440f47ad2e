package ai.fastai4j.cli;

import ai.djl.ndarray.NDManager;
import ai.fastai4j.data.BatchTransform;
import ai.fastai4j.data.DataException;
import ai.fastai4j.data.DataLoaders;
import ai.fastai4j.data.TransformBlock;
import ai.fastai4j.export.ExportRegistry;
import ai.fastai4j.export.InferenceModel;
import ai.fastai4j.export.ModelFactory;
import ai.fastai4j.learner.Learner;
import ai.fastai4j.nn.ModelSpec;
import ai.fastai4j.nn.Module;
import ai.fastai4j.vision.ImageBlock;
import ai.fastai4j.vision.VisionLearners;
import ai.fastai4j.vision.models.Arch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;

/**
 * A learner rebuilt on the user's data from a saved model: an exported model file ({@code .fai}), whose manifest
 * says how to load the images and build the model, or a training checkpoint ({@code .safetensors}, written by
 * {@code learn.save} or {@code learn.saveTo}), which holds weights only and needs the architecture and the data
 * options it was trained with.
 */
record LoadedLearner(DataLoaders dls, Learner learn, Map<String, Object> provenance) implements AutoCloseable {

    static LoadedLearner load(Path file, DataOptions data, Arch arch, Path out, CommandLine cmd) {
        if (!Files.isRegularFile(file)) {
            throw new ModelFileException("model file " + file + " does not exist", null);
        }
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".safetensors")) {
            return fromCheckpoint(file, data, arch, out);
        }
        if (!name.endsWith(".fai")) {
            throw new CommandLine.ParameterException(cmd, "MODEL must be an exported model (.fai) or a training "
                    + "checkpoint (.safetensors), got " + file);
        }
        if (data.size != null || data.grey) {
            throw new CommandLine.ParameterException(cmd, "--size and --grey do not apply to a .fai model: its file "
                    + "says how images are loaded");
        }
        return fromModelFile(file, data, out);
    }

    private static LoadedLearner fromCheckpoint(Path file, DataOptions data, Arch arch, Path out) {
        DataLoaders dls = data.build();
        Learner learn = null;
        try {
            learn = VisionLearners.builder(dls, arch).pretrained(false) // the checkpoint has the weights
                    .learner(b -> b.progress(false).path(out)).build();
            try {
                learn.loadFrom(file, false);
            } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
                throw new ModelFileException("checkpoint " + file + " does not fit a " + arch + " model with "
                        + dls.c() + " classes and " + (data.grey ? "1 channel" : "3 channels")
                        + " (--arch and the data options must be those it was trained with): " + e.getMessage(), e);
            }
            return new LoadedLearner(dls, learn, Map.of("checkpoint", file.toString(), "arch", arch.name()));
        } catch (RuntimeException e) {
            if (learn != null) {
                learn.close();
            }
            dls.close();
            throw e;
        }
    }

    private static LoadedLearner fromModelFile(Path file, DataOptions data, Path out) {
        InferenceModel inf;
        try {
            inf = InferenceModel.load(file);
        } catch (RuntimeException e) {
            throw new ModelFileException("cannot load " + file + ": " + e.getMessage(), e);
        }
        try (inf) {
            if (inf.inputBlocks().size() != 1 || !(inf.inputBlocks().get(0) instanceof ImageBlock image)) {
                throw new ModelFileException("model file " + file + " does not take one image input (its inputs: "
                        + inf.inputBlocks().stream().map(TransformBlock::name).toList() + ")", null);
            }
            List<BatchTransform> extra = new ArrayList<>();
            for (BatchTransform t : inf.batchTransforms()) {
                if (image.batchTransforms().stream().noneMatch(x -> x.getClass() == t.getClass())) {
                    extra.add(t);
                }
            }
            DataLoaders dls = data.build(new DataOptions.ModelInputs(image.channels() == 1, inf.itemTransforms(), extra));
            NDManager manager = NDManager.newBaseManager();
            try {
                if (!dls.vocab().equals(inf.vocab())) {
                    throw new DataException("the data's classes " + dls.vocab() + " are not the model's "
                            + inf.vocab() + " (" + file + ")");
                }
                ModelSpec spec = inf.manifest().model();
                ModelFactory factory = ExportRegistry.global().model(spec.name());
                Module model = factory.create(manager, spec.params());
                model.loadStateDict(inf.model().stateDict(), true);
                Learner learn = Learner.builder(dls, model).lossFunction(inf.lossFunction()).progress(false).path(out)
                        .owning(manager).build();
                learn.setModelSpec(spec);
                return new LoadedLearner(dls, learn, inf.manifest().provenance());
            } catch (RuntimeException e) {
                manager.close();
                dls.close();
                throw e;
            }
        }
    }

    @Override
    public void close() {
        try {
            learn.close();
        } finally {
            dls.close();
        }
    }
}

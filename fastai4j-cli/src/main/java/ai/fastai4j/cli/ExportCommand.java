package ai.fastai4j.cli;

import ai.djl.engine.Engine;
import ai.fastai4j.export.ModelExport;
import ai.fastai4j.vision.models.Arch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code fastai4j export}: a training checkpoint to an exported model file. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Turn a training checkpoint (.safetensors, written by learn.save or learn.saveTo) into an "
                + "exported model (.fai) for 'fastai4j predict' and InferenceModel.",
            "A checkpoint holds weights only: give the --arch and the data options (--data or --csv, --size, "
                + "--grey) it was trained with; the data supplies the classes and how images are loaded. "
                + "'fastai4j train' exports its model itself and needs no export step."})
final class ExportCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "CHECKPOINT", description = "Training checkpoint (.safetensors).")
    Path checkpoint;

    @Mixin
    DataOptions data;

    @Option(names = "--arch", defaultValue = "SMALL_RESNET",
            description = "Architecture it was trained with: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Arch arch;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Model file to write (.fai).")
    Path out;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (!checkpoint.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".safetensors")) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "CHECKPOINT must be a .safetensors file, got " + checkpoint);
        }
        Engine.getInstance().setRandomSeed((int) data.seed);
        Path parent = out.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        try (LoadedLearner loaded = LoadedLearner.load(checkpoint, data, arch, parent, spec.commandLine())) {
            loaded.learn().provenance().put("checkpoint", checkpoint.getFileName().toString());
            ModelExport.export(loaded.learn(), out);
            System.out.printf(Locale.ROOT, "exported model: %s (%d classes: %s; use: fastai4j predict %s IMAGE...)%n",
                    out, loaded.dls().c(), loaded.dls().vocab(), out);
        }
        return 0;
    }
}

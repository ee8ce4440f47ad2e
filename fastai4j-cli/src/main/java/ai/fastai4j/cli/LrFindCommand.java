package ai.fastai4j.cli;

import ai.djl.engine.Engine;
import ai.fastai4j.data.DataLoaders;
import ai.fastai4j.learner.Learner;
import ai.fastai4j.learner.SuggestedLrs;
import ai.fastai4j.plot.Plots;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code fastai4j lr-find}: the learning-rate finder, with its plot. */
@Command(name = "lr-find", mixinStandardHelpOptions = true,
        description = {"Run fastai's learning-rate finder on your data and plot loss against learning rate.",
            "For a table, give --csv FILE --y COL (and the train-tabular column options): it also prints the rate "
                + "train-tabular's --lr auto would pick."})
final class LrFindCommand implements Callable<Integer> {
    @Mixin
    DeviceOption device;

    @Mixin
    DataOptions data;

    @Mixin
    ModelOptions model;

    @Mixin
    TabularOptions tab;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--out", defaultValue = ".", paramLabel = "DIR", description = "Folder for lr_find.png (default: current folder).")
    Path out;

    @Override
    public Integer call() throws Exception {
        Files.createDirectories(out);
        Engine.getInstance().setRandomSeed((int) data.seed);
        if (tab.y != null) {
            if (data.source.csv == null) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--y needs the table as --csv FILE");
            }
            try (TabularSetup.Data d = TabularSetup.load(data.source.csv, tab, data.validPct, data.validColumn,
                    data.batchSize, data.seed, spec.commandLine());
                    ai.fastai4j.tabular.TabularLearner learn = TabularSetup.learner(d, tab,
                            TabularSetup.metrics(null, d.regression(), spec.commandLine()), b -> b.path(out))) {
                TrainTabularCommand.resolveLr(learn, "auto", out, spec.commandLine());
            }
            return 0;
        }
        try (DataLoaders dls = data.build(); Learner learn = model.learner(dls, b -> {})) {
            SuggestedLrs s = learn.lrFind();
            System.out.println(s);
            System.out.println("lr_find plot: " + Plots.lrFindPlot(s.lrs(), s.losses(), s.asMap(), out.resolve("lr_find.png")));
        }
        return 0;
    }
}

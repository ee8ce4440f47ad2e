package ai.fastai4j.cli;

import ai.djl.ndarray.NDManager;
import ai.fastai4j.data.DataException;
import ai.fastai4j.export.ExportRegistry;
import ai.fastai4j.export.InferenceModel;
import ai.fastai4j.export.Manifest;
import ai.fastai4j.interpret.TrainingReport;
import ai.fastai4j.nn.Module;
import ai.fastai4j.tabular.Table;
import ai.fastai4j.tabular.TabularDataLoaders;
import ai.fastai4j.tabular.TabularExport;
import ai.fastai4j.tabular.TabularInterpretation;
import ai.fastai4j.tabular.TabularLearner;
import ai.fastai4j.tabular.TabularProc;
import ai.fastai4j.tabular.TabularProcessor;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;

/**
 * {@code interpret} for a tabular model file: the model rebuilt with its procs' learned state on the rows of a CSV
 * file holding the target, its validation rows split as {@code train-tabular} splits them (the same --valid-pct or
 * --valid-col and --seed give the same rows), then permutation importance, partial dependence and one explanation,
 * printed and in report.html.
 */
final class TabularInterpret {
    private TabularInterpret() {}

    static boolean isTabular(Path file) {
        try (InferenceModel m = InferenceModel.load(file)) {
            return TabularExport.BLOCK.equals(m.manifest().inputs().get(0).name());
        } catch (RuntimeException e) {
            return false; // the image path reports what is wrong with the file
        }
    }

    static int run(Path file, DataOptions data, Path out, CommandLine cmd) {
        if (data.source.csv == null) {
            throw new CommandLine.ParameterException(cmd, "a tabular model is interpreted on a table: --csv FILE");
        }
        try (InferenceModel inf = InferenceModel.load(file)) {
            Manifest m = inf.manifest();
            Object target = m.provenance().get("target");
            if (target == null) {
                throw new ai.fastai4j.cli.ModelFileException("model file " + file + " does not name its target column "
                        + "(train it with fastai4j train-tabular)", null);
            }
            String y = target.toString();
            TabularProcessor proc = TabularProcessor.fromState(m.inputs().get(0).params());
            Table table = Table.readCsv(data.source.csv);
            if (!table.hasColumn(y)) {
                throw new DataException(data.source.csv + " has no column '" + y + "', the model's target (columns: "
                        + table.columns() + ")");
            }
            if ("log".equals(m.provenance().get("target_transform"))) {
                table = table.withDoubleColumn(y, y, Math::log);
            }
            boolean regression = inf.vocab().isEmpty();
            TabularDataLoaders.Builder b = TabularDataLoaders.fromTable(table).yNames(y)
                    .yBlock(regression ? TabularDataLoaders.YBlock.REGRESSION : TabularDataLoaders.YBlock.CATEGORY)
                    .catNames(proc.inputCatNames()).contNames(proc.inputContNames())
                    .procs(proc.procs().toArray(TabularProc[]::new)).batchSize(data.batchSize).seed(data.seed);
            if (data.validColumn != null) {
                if (!table.hasColumn(data.validColumn)) {
                    throw new CommandLine.ParameterException(cmd, data.source.csv + " has no column '"
                            + data.validColumn + "'");
                }
                b.validIdx(TabularSetup.validRows(table, data.validColumn));
            } else {
                b.validPct(data.validPct == null ? 0.2 : data.validPct);
            }
            try (TabularDataLoaders dls = b.build(); NDManager manager = NDManager.newBaseManager()) {
                if (!regression && !dls.vocab().equals(inf.vocab())) {
                    throw new DataException("the classes of '" + y + "' in " + data.source.csv + " " + dls.vocab()
                            + " are not the model's " + inf.vocab());
                }
                var spec = m.model();
                Module model = ExportRegistry.global().model(spec.name()).create(manager, spec.params());
                model.loadStateDict(inf.model().stateDict(), true);
                TabularLearner.Builder lb = TabularLearner.builder(dls, model);
                lb.lossFunction(inf.lossFunction()).progress(false).path(out);
                try (TabularLearner learn = lb.build()) {
                    TabularInterpretation interp = TabularInterpretation.fromLearner(learn);
                    System.out.printf(Locale.ROOT, "%d validation rows; validation %s %.5f%n", interp.size(),
                            interp.metricName(), interp.baselineScore());
                    TrainTabularCommand.printImportance(interp);
                    Path page = TrainingReport.builder(learn).title("Interpretation of " + file.getFileName())
                            .facts(m.provenance()).section(interp.reportSection(out, 10, 3)).build()
                            .write(out);
                    System.out.println("report: " + page);
                }
            }
        }
        return 0;
    }
}

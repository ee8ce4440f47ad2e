package ai.fastai4j.cli;

import ai.djl.engine.Engine;
import ai.fastai4j.export.ModelExport;
import ai.fastai4j.text.data.TextDataLoaders;
import ai.fastai4j.text.data.Vocab;
import ai.fastai4j.text.learner.LanguageModelLearner;
import ai.fastai4j.text.learner.TextClassifierLearner;
import ai.fastai4j.text.learner.TextLearners;
import ai.fastai4j.text.models.AwdLstmConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fastai4j train-text}: an AWD-LSTM text classifier (fastai's {@code text_classifier_learner}) on a folder of
 * text files or a CSV of texts and labels; {@code --lm-epochs N} first fine-tunes a language model on the same texts
 * and starts the classifier from its encoder (ULMFiT: one frozen epoch, then all layers with discriminative rates).
 */
@Command(name = "train-text", mixinStandardHelpOptions = true,
        description = {"Train an AWD-LSTM text classifier and export it (model.fai: weights, vocabulary, tokenizer "
                + "rules). --data DIR holds train/<label>/*.txt and valid/<label>/*.txt (or --valid-pct); --csv FILE "
                + "has a text and a label column. --lm-epochs N fine-tunes a language model on the texts first.",
            "Bad options or missing columns: exit 2; unreadable data: exit 3."})
final class TrainTextCommand implements Callable<Integer> {
    @Option(names = "--data", paramLabel = "DIR", description = "Folder with train/ and valid/ label folders of .txt files.")
    Path data;

    @Option(names = "--csv", paramLabel = "FILE", description = "CSV file with a header row.")
    Path csv;

    @Option(names = "--text-col", defaultValue = "text", description = "Text column (default: ${DEFAULT-VALUE}).")
    String textCol;

    @Option(names = "--label-col", defaultValue = "label", description = "Label column (default: ${DEFAULT-VALUE}).")
    String labelCol;

    @Option(names = "--valid-col", paramLabel = "COL", description = "Boolean column marking validation rows.")
    String validCol;

    @Option(names = "--valid-pct", paramLabel = "P",
            description = "Random validation share (CSV default 0.2; a folder uses its valid/ folder unless given).")
    Double validPct;

    @Option(names = "--lm-epochs", defaultValue = "0",
            description = "Epochs fine-tuning a language model first (default: ${DEFAULT-VALUE}: none).")
    int lmEpochs;

    @Option(names = "--epochs", defaultValue = "4", description = "Classifier epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--lr", defaultValue = "2e-2", description = "Maximum learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--drop-mult", defaultValue = "0.5", description = "fastai's drop_mult (default: ${DEFAULT-VALUE}).")
    double dropMult;

    @Option(names = "--sizes", defaultValue = "400,1152,3", paramLabel = "EMB,HID,LAYERS",
            description = "AWD-LSTM sizes (default: fastai's ${DEFAULT-VALUE}).")
    String sizes;

    @Option(names = "--bs", defaultValue = "64", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--seq-len", defaultValue = "72", description = "Sequence length (default: ${DEFAULT-VALUE}).")
    int seqLen;

    @Option(names = "--seed", defaultValue = "42", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", defaultValue = "model", paramLabel = "DIR", description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        CommandLine cmd = spec.commandLine();
        if ((data == null) == (csv == null)) {
            throw new CommandLine.ParameterException(cmd, "give one of --data DIR or --csv FILE");
        }
        if (epochs < 1 || lmEpochs < 0 || batchSize < 1 || seqLen < 1) {
            throw new CommandLine.ParameterException(cmd, "--epochs, --bs and --seq-len must be at least 1, "
                    + "--lm-epochs at least 0");
        }
        if (validPct != null && !(validPct > 0 && validPct < 1)) {
            throw new CommandLine.ParameterException(cmd, "--valid-pct must be between 0 and 1, got " + validPct);
        }
        int[] s = sizes(cmd);
        if (csv != null) {
            ai.fastai4j.data.CsvTable t = ai.fastai4j.data.CsvTable.read(csv);
            for (String c : validCol == null ? new String[] {textCol, labelCol} : new String[] {textCol, labelCol, validCol}) {
                if (!t.columns().contains(c)) {
                    throw new CommandLine.ParameterException(cmd, csv + " has no column '" + c + "' (columns: "
                            + t.columns() + ")");
                }
            }
        }
        Files.createDirectories(out);
        Engine.getInstance().setRandomSeed((int) seed);
        Vocab vocab = null;
        if (lmEpochs > 0) {
            try (TextDataLoaders lmDls = loaders(true, null);
                    LanguageModelLearner lm = TextLearners.languageModel(lmDls)
                            .config(AwdLstmConfig.languageModel().withSizes(s[0], s[1], s[2])).dropMult(dropMult)
                            .learner(b -> b.path(out)).build()) {
                System.out.printf(Locale.ROOT, "language model: %d tokens of vocabulary, %d training batches%n",
                        lmDls.vocab().size(), lmDls.dls().train().numBatches());
                lm.fitOneCycle(lmEpochs, lr);
                TrainTabularCommand.checkFinite(lm);
                lm.saveEncoder("fine_tuned_enc");
                vocab = lmDls.vocab();
            }
        }
        try (TextDataLoaders dls = loaders(false, vocab);
                TextClassifierLearner learn = TextLearners.classifier(dls)
                        .config(AwdLstmConfig.classifier().withSizes(s[0], s[1], s[2])).dropMult(dropMult)
                        .learner(b -> b.path(out)).build()) {
            System.out.printf(Locale.ROOT, "%d training and %d validation texts, %d classes: %s%n",
                    dls.dls().train().numItems(), dls.dls().valid().numItems(), dls.c(), dls.classes());
            if (vocab != null) {
                learn.loadEncoder("fine_tuned_enc");
                learn.fitOneCycle(1, lr);
                if (epochs > 1) {
                    learn.unfreeze();
                    learn.fitOneCycle(epochs - 1, TextLearners.discriminativeLrs(lr / 2));
                }
            } else {
                learn.fitOneCycle(epochs, lr);
            }
            TrainTabularCommand.checkFinite(learn);
            Path model = out.resolve("model.fai");
            ModelExport.export(learn, model);
            System.out.println("exported model: " + model + " (use: fastai4j serve " + model + ")");
        }
        return 0;
    }

    private TextDataLoaders loaders(boolean lm, Vocab vocab) {
        TextDataLoaders.Builder b = data != null ? TextDataLoaders.fromFolder(data) : TextDataLoaders.fromCsv(csv)
                .textCol(textCol).labelCol(labelCol);
        if (csv != null && validCol != null) {
            b.validCol(validCol);
        }
        if (validPct != null) {
            b.validPct(validPct);
        } else if (lm && data != null) {
            b.validPct(0.1);
        }
        return b.isLm(lm).textVocab(vocab).bs(batchSize).seqLen(seqLen).seed(seed).build();
    }

    private int[] sizes(CommandLine cmd) {
        String[] p = sizes.split(",");
        try {
            if (p.length == 3) {
                int[] s = {Integer.parseInt(p[0].trim()), Integer.parseInt(p[1].trim()), Integer.parseInt(p[2].trim())};
                if (s[0] > 0 && s[1] > 0 && s[2] > 0) {
                    return s;
                }
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new CommandLine.ParameterException(cmd, "--sizes must be three positive integers EMB,HID,LAYERS, got '"
                + sizes + "'");
    }
}

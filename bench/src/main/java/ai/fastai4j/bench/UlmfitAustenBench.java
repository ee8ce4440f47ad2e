package ai.fastai4j.bench;

import ai.djl.engine.Engine;
import ai.fastai4j.learner.Learner;
import ai.fastai4j.optim.Slice;
import ai.fastai4j.text.data.TextDataLoaders;
import ai.fastai4j.text.learner.LanguageModelLearner;
import ai.fastai4j.text.learner.TextClassifierLearner;
import ai.fastai4j.text.learner.TextLearners;
import ai.fastai4j.text.models.AwdLstmConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * ULMFiT on Jane Austen (issue 10's "must show" 1 and 2), at a reduced, stated size for a small machine.
 *
 * <ol>
 *   <li>Language model: trained from scratch on the first {@code --lm-share} of the words of five novels (the
 *       sixth, {@code --held-out}, is never trained on), validated on the first 5% of the held-out novel:
 *       perplexity and accuracy per epoch, then 30 words generated from a prompt.</li>
 *   <li>Which novel does a 100-word passage come from (6 classes)? Passages from the first 80% of each novel
 *       train, passages from the last 20% validate (no overlap with training text nor with the LM's text).
 *       (a) the classifier on the LM's encoder with ULMFiT's gradual unfreezing (head; freezeTo(-2);
 *       freezeTo(-3); unfreeze, rates slice(lr/2.6^4, lr)) against (b) the same classifier from random weights,
 *       all unfrozen, same epochs and rates: a table per stage.</li>
 * </ol>
 *
 * <pre>java -cp "bench/target/classes:$(cat bench/target/classpath.txt)" ai.fastai4j.bench.UlmfitAustenBench --data /path/to/austen</pre>
 */
public final class UlmfitAustenBench {
    private UlmfitAustenBench() {}

    public static void main(String[] args) throws IOException {
        String usage = "UlmfitAustenBench --data DIR [--held-out persuasion] [--lm-share 0.2] [--lm-epochs 2]"
                + " [--emb 128] [--hid 256] [--layers 3] [--bs 32] [--train-per-novel 60] [--valid-per-novel 20]"
                + " [--work DIR]";
        BenchArgs a = BenchArgs.parse(args, Map.ofEntries(Map.entry("data", ""), Map.entry("held-out", "persuasion"),
                Map.entry("lm-share", "0.2"), Map.entry("lm-epochs", "2"), Map.entry("lm-lr", "1e-2"),
                Map.entry("emb", "128"), Map.entry("hid", "256"), Map.entry("layers", "3"), Map.entry("bs", "32"),
                Map.entry("train-per-novel", "60"), Map.entry("valid-per-novel", "20"), Map.entry("lr", "1e-2"),
                Map.entry("work", "target/ulmfit-austen")), usage);
        Path data = Path.of(a.string("data"));
        if (a.string("data").isEmpty() || !Files.isDirectory(data)) {
            throw new IllegalArgumentException("--data must be the folder of the six novels\n" + usage);
        }
        Engine.getInstance().setRandomSeed(42);
        Path work = Path.of(a.string("work")).toAbsolutePath();
        List<String> novels = new ArrayList<>();
        try (var s = Files.list(data)) {
            s.filter(p -> p.toString().endsWith(".txt")).sorted()
                    .forEach(p -> novels.add(p.getFileName().toString().replace(".txt", "")));
        }
        String heldOut = a.string("held-out");
        AwdLstmConfig size = AwdLstmConfig.languageModel().withSizes(a.integer("emb"), a.integer("hid"),
                a.integer("layers"));
        System.out.printf("model: AWD-LSTM emb %d, hidden %d, %d layers (fastai: 400, 1152, 3); bs %d, seq_len 72%n",
                size.embSz(), size.nHid(), size.nLayers(), a.integer("bs"));

        // ---------------------------------------------------------------- data on disk
        double lmShare = a.real("lm-share");
        int trainPer = a.integer("train-per-novel");
        int validPer = a.integer("valid-per-novel");
        for (String novel : novels) {
            String[] words = Files.readString(data.resolve(novel + ".txt")).trim().split("\\s+");
            int cut = (int) (words.length * 0.8);
            if (!novel.equals(heldOut)) {
                write(work.resolve("lm/train/texts/" + novel + ".txt"), join(words, 0, (int) (words.length * lmShare)));
            } else {
                write(work.resolve("lm/valid/texts/" + novel + ".txt"), join(words, 0, (int) (words.length * 0.05)));
            }
            passages(words, 0, cut, trainPer, work.resolve("clas/train/" + novel));
            passages(words, cut, words.length, validPer, work.resolve("clas/valid/" + novel));
        }
        System.out.printf("LM: first %.0f%% of %s; valid: first 5%% of %s. Classifier: %d passages of 100 words"
                + " per novel from the first 80%%, %d from the last 20%%%n", lmShare * 100,
                novels.stream().filter(n -> !n.equals(heldOut)).toList(), heldOut, trainPer, validPer);

        Consumer learner = b -> b.path(work).progress(false);
        long t0 = System.nanoTime();
        try (TextDataLoaders lmDls = TextDataLoaders.fromFolder(work.resolve("lm")).isLm(true).bs(a.integer("bs"))
                .cache(null).build();
             LanguageModelLearner lm = TextLearners.languageModel(lmDls).config(size).dropMult(0.3)
                     .learner(learner).build()) {
            System.out.printf("LM vocabulary %d tokens; %d train batches per epoch%n", lmDls.vocab().size(),
                    lmDls.dls().train().numBatches());
            lm.fitOneCycle(a.integer("lm-epochs"), a.real("lm-lr"));
            System.out.println("\nLanguage model (valid = held-out " + heldOut + "):");
            table(lm, List.of("lm"));
            System.out.println("\nGenerated (temperature 0.75, 30 words): "
                    + lm.predict("Elizabeth was not", 30, 0.75, new Random(1)));
            lm.saveEncoder("austen_enc");
            System.out.printf("LM stage: %.0f s%n", (System.nanoTime() - t0) / 1e9);

            AwdLstmConfig clasSize = AwdLstmConfig.classifier().withSizes(size.embSz(), size.nHid(), size.nLayers());
            double lr = a.real("lr");
            double[] stageLr = {2 * lr, lr, lr / 2, lr / 10};
            String[] stages = {"head (frozen encoder)", "freezeTo(-2)", "freezeTo(-3)", "unfreeze"};
            List<double[]> results = new ArrayList<>();
            for (boolean pretrained : new boolean[] {true, false}) {
                long t1 = System.nanoTime();
                try (TextDataLoaders clasDls = TextDataLoaders.fromFolder(work.resolve("clas")).bs(a.integer("bs"))
                        .textVocab(lmDls.vocab()).cache(null).build();
                     TextClassifierLearner clas = TextLearners.classifier(clasDls).config(clasSize).dropMult(0.5)
                             .learner(learner).build()) {
                    System.out.printf("%n(%s) classifier, %d classes, %d train / %d valid passages%n",
                            pretrained ? "a: ULMFiT, fine-tuned LM encoder" : "b: random init", clasDls.classes().size(),
                            clasDls.dls().train().numItems(), clasDls.dls().valid().numItems());
                    if (pretrained) {
                        clas.loadEncoder("austen_enc");
                    }
                    double[] acc = new double[stages.length];
                    for (int s = 0; s < stages.length; s++) {
                        if (pretrained) {
                            if (s == 1) {
                                clas.freezeTo(-2);
                            } else if (s == 2) {
                                clas.freezeTo(-3);
                            } else if (s == 3) {
                                clas.unfreeze();
                            }
                        }
                        int epochs = s == 3 ? 2 : 1;
                        if (s == 0) {
                            clas.fitOneCycle(epochs, stageLr[s]);
                        } else {
                            clas.fitOneCycle(epochs, TextLearners.discriminativeLrs(stageLr[s]));
                        }
                        System.out.println("stage " + (s + 1) + ": " + stages[s]
                                + (pretrained ? "" : " (all unfrozen)") + ", " + epochs + " epoch(s), lr "
                                + (s == 0 ? stageLr[s] : "slice(" + fmt(stageLr[s] / Math.pow(2.6, 4)) + ", "
                                + fmt(stageLr[s]) + ")"));
                        table(clas, List.of());
                        List<Double> last = clas.recorder().values().get(clas.recorder().values().size() - 1);
                        acc[s] = last.get(2);
                    }
                    results.add(acc);
                }
                System.out.printf("classifier time: %.0f s%n", (System.nanoTime() - t1) / 1e9);
            }
            System.out.println("\nvalid accuracy after each stage   (a) ULMFiT   (b) random init");
            for (int s = 0; s < stages.length; s++) {
                System.out.printf("  %-30s %10.3f %14.3f%n", stages[s], results.get(0)[s], results.get(1)[s]);
            }
        }
    }

    interface Consumer extends java.util.function.Consumer<Learner.Builder> {}

    static String fmt(double v) {
        return String.format("%.2g", v);
    }

    static void table(Learner learn, List<String> unused) {
        List<String> names = learn.recorder().metricNames(learn);
        System.out.println("  " + String.join("  ", names));
        List<List<Double>> values = learn.recorder().values();
        List<Double> secs = learn.recorder().epochSeconds();
        for (int e = 0; e < values.size(); e++) {
            StringBuilder sb = new StringBuilder("  " + e);
            for (double v : values.get(e)) {
                sb.append(String.format("  %.4f", v));
            }
            System.out.println(sb.append(String.format("  %.0fs", secs.get(e))));
        }
    }

    static void passages(String[] words, int from, int to, int n, Path dir) throws IOException {
        int span = to - from - 100;
        for (int i = 0; i < n; i++) {
            int start = from + (int) ((long) span * i / Math.max(1, n - 1));
            write(dir.resolve(String.format("%04d.txt", i)), join(words, start, start + 100));
        }
    }

    static String join(String[] words, int from, int to) {
        return String.join(" ", Arrays.copyOfRange(words, from, Math.min(to, words.length)));
    }

    static void write(Path f, String text) throws IOException {
        Files.createDirectories(f.getParent());
        Files.writeString(f, text);
    }
}

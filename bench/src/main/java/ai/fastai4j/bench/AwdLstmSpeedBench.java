package ai.fastai4j.bench;

import ai.djl.engine.Engine;
import ai.fastai4j.learner.CancelFitException;
import ai.fastai4j.learner.Callback;
import ai.fastai4j.learner.Learner;
import ai.fastai4j.text.data.TextDataLoaders;
import ai.fastai4j.text.learner.LanguageModelLearner;
import ai.fastai4j.text.learner.TextLearners;
import ai.fastai4j.text.models.AwdLstmConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Language-model training speed, tokens per second, fastai4j against the same AWD-LSTM in plain PyTorch
 * ({@code bench/python/awd_lstm_speed.py}, Debian's python3-torch): same sizes, dropouts (fastai's LM config),
 * AR/TAR regularizer, Adam with decoupled weight decay, batch and sequence length; side by side in one run
 * (PyTorch, fastai4j, PyTorch again), ratio printed. fastai4j trains through its Learner on the Austen novels'
 * LM loaders (tokenized before timing); PyTorch on random tokens of the same vocabulary size.
 *
 * <pre>java -cp "bench/target/classes:$(cat bench/target/classpath.txt)" ai.fastai4j.bench.AwdLstmSpeedBench --data DIR</pre>
 */
public final class AwdLstmSpeedBench {
    private AwdLstmSpeedBench() {}

    public static void main(String[] args) throws Exception {
        String usage = "AwdLstmSpeedBench --data DIR [--emb 128] [--hid 256] [--layers 3] [--bs 32] [--steps 20]"
                + " [--warmup 3] [--python /usr/bin/python3] [--work DIR]";
        BenchArgs a = BenchArgs.parse(args, Map.of("data", "", "emb", "128", "hid", "256", "layers", "3", "bs", "32",
                "steps", "20", "warmup", "3", "python", "/usr/bin/python3", "work", "target/awd-speed"), usage);
        Path data = Path.of(a.string("data"));
        Path work = Path.of(a.string("work")).toAbsolutePath();
        int steps = a.integer("steps");
        int warmup = a.integer("warmup");
        int bs = a.integer("bs");
        int seq = 72;
        try (var s = Files.list(data)) {
            for (Path p : s.filter(p -> p.toString().endsWith(".txt")).sorted().toList()) {
                String[] words = Files.readString(p).trim().split("\\s+");
                String text = String.join(" ", Arrays.copyOfRange(words, 0, words.length / 5));
                Path f = work.resolve((p.getFileName().toString().startsWith("persuasion") ? "valid" : "train")
                        + "/texts/" + p.getFileName());
                Files.createDirectories(f.getParent());
                Files.writeString(f, text);
            }
        }
        Engine.getInstance().setRandomSeed(0);
        AwdLstmConfig config = AwdLstmConfig.languageModel().withSizes(a.integer("emb"), a.integer("hid"),
                a.integer("layers"));
        try (TextDataLoaders dls = TextDataLoaders.fromFolder(work).isLm(true).bs(bs).seqLen(seq).cache(null).build()) {
            int vocab = dls.vocab().size();
            List<String> py = List.of(a.string("python"), Path.of("bench/python/awd_lstm_speed.py").toString(),
                    Integer.toString(vocab), a.string("emb"), a.string("hid"), a.string("layers"), Integer.toString(bs),
                    Integer.toString(seq), Integer.toString(steps), Integer.toString(warmup));
            System.out.printf("AWD-LSTM LM: vocab %d, emb %d, hidden %d, %d layers, fastai's LM dropouts, bs %d,"
                    + " seq_len %d; %d timed steps after %d warm-up%n", vocab, config.embSz(), config.nHid(),
                    config.nLayers(), bs, seq, steps, warmup);
            double py1 = python(py);
            double java = fastai4j(dls, config, steps, warmup, bs * seq);
            double py2 = python(py);
            double pyBest = Math.max(py1, py2);
            System.out.printf("%nfastai4j %,.0f tokens/s; PyTorch %,.0f and %,.0f tokens/s; ratio %.2fx (vs the"
                    + " better PyTorch run)%n", java, py1, py2, java / pyBest);
        }
    }

    static double fastai4j(TextDataLoaders dls, AwdLstmConfig config, int steps, int warmup, int tokensPerBatch) {
        long[] t = new long[2];
        int[] seen = {0};
        try (LanguageModelLearner learn = TextLearners.languageModel(dls).config(config)
                .learner(b -> b.progress(false)).build()) {
            learn.addCallbacks(new Callback() {
                @Override
                public void beforeBatch(Learner l) {
                    if (l.isTraining() && seen[0] == warmup) {
                        t[0] = System.nanoTime();
                    }
                }

                @Override
                public void afterBatch(Learner l) {
                    if (l.isTraining() && ++seen[0] == warmup + steps) {
                        t[1] = System.nanoTime();
                        throw new CancelFitException();
                    }
                }
            });
            while (seen[0] < warmup + steps) {
                learn.fit(1, 1e-3);
            }
        }
        double sec = (t[1] - t[0]) / 1e9;
        double tps = steps * (double) tokensPerBatch / sec;
        System.out.printf("fastai4j: %d steps in %.2f s, %,.0f tokens/s%n", steps, sec, tps);
        return tps;
    }

    static double python(List<String> cmd) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        Process p = pb.start();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (p.waitFor() != 0) {
            throw new IllegalStateException("python failed:\n" + out);
        }
        System.out.print(out);
        String line = out.lines().filter(l -> l.contains("tokens/s")).findFirst().orElseThrow();
        String num = line.replaceAll(".* ([0-9,]+) tokens/s.*", "$1").replace(",", "");
        return Double.parseDouble(num);
    }
}

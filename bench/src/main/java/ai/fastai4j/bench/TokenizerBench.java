package ai.fastai4j.bench;

import ai.fastai4j.text.tokenize.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Throughput of fastai's default tokenizer (the rules and the English word tokenizer) in words per second: the
 * {@code .txt} files of {@code --data} (e.g. the six Austen novels) cut into paragraphs (blank-line separated, as
 * documents), tokenized on one thread and on {@code --workers} threads, best of {@code --rounds} after a warm-up.
 * Words are the whitespace-separated words of the raw text.
 *
 * <pre>java -cp "bench/target/classes:$(cat bench/target/classpath.txt)" ai.fastai4j.bench.TokenizerBench --data DIR</pre>
 */
public final class TokenizerBench {
    private TokenizerBench() {
    }

    public static void main(String[] args) throws IOException {
        String usage = "TokenizerBench --data DIR [--workers N] [--rounds N]";
        BenchArgs a = BenchArgs.parse(args, Map.of("data", "", "workers",
                Integer.toString(Runtime.getRuntime().availableProcessors()), "rounds", "3"), usage);
        if (a.string("data").isEmpty()) {
            throw new IllegalArgumentException("--data is required\n" + usage);
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(Path.of(a.string("data")))) {
            files = s.filter(p -> p.toString().endsWith(".txt")).sorted().toList();
        }
        List<String> paragraphs = new ArrayList<>();
        long words = 0;
        long chars = 0;
        for (Path f : files) {
            for (String para : Files.readString(f).split("\\R\\s*\\R")) {
                if (!para.isBlank()) {
                    paragraphs.add(para);
                    words += para.trim().split("\\s+").length;
                    chars += para.length();
                }
            }
        }
        System.out.printf("%d files, %d paragraphs, %d words, %.1f MB%n", files.size(), paragraphs.size(), words,
                chars / 1e6);
        Tokenizer tok = Tokenizer.defaults();
        long tokens = tok.tokenizeAll(paragraphs, 1).stream().mapToLong(List::size).sum(); // warm-up
        System.out.printf("%d tokens (%.2f per word)%n", tokens, (double) tokens / words);
        int workers = a.integer("workers");
        for (int w : workers > 1 ? new int[] {1, workers} : new int[] {1}) {
            double best = Double.MAX_VALUE;
            for (int r = 0; r < a.integer("rounds"); r++) {
                long t0 = System.nanoTime();
                tok.tokenizeAll(paragraphs, w);
                best = Math.min(best, (System.nanoTime() - t0) / 1e9);
            }
            System.out.printf("%d thread%s: %.2f s, %,.0f words/s, %,.0f tokens/s%n", w, w == 1 ? "" : "s", best,
                    words / best, tokens / best);
        }
    }
}

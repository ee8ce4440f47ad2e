package ai.fastai4j.bench;

import ai.djl.engine.Engine;
import ai.fastai4j.collab.CollabDataLoaders;
import ai.fastai4j.collab.CollabLearner;
import ai.fastai4j.collab.CollabLearners;
import ai.fastai4j.export.InferenceModel;
import ai.fastai4j.learner.Prediction;
import ai.fastai4j.spark.FastaiSpark;
import ai.fastai4j.spark.ScoringOptions;
import ai.fastai4j.vision.data.FashionMnist;
import ai.fastai4j.vision.data.IdxImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Spark batch scoring against a plain Java loop over {@code InferenceModel.predictBatch}, side by side in one run,
 * rounds alternated: images/s of the Fashion-MNIST test images (written once as PNG files) read from disk and
 * scored (1) by the plain loop, (2) by Spark {@code local[1]}, (3) by Spark {@code local[2]}; each model call
 * uses one intra-op thread, so that 1 vs 2 task slots measures Spark's scaling and the plain loop vs
 * {@code local[1]} its overhead; the order alternates between rounds. Checks that Spark's labels equal the plain
 * loop's and prints the accuracy.
 *
 * <pre>
 * java -Dai.djl.pytorch.num_threads=1 [Spark's --add-opens] -cp ... ai.fastai4j.bench.SparkBatchBench \
 *     --model runs/quickstart/fashion_mnist.fai [--images 10000] [--rounds 2] [--work bench/target/spark]
 * java ... SparkBatchBench --train-collab ratings.csv --out ratings.fai    (the MovieLens model for cluster.sh)
 * java ... SparkBatchBench --write-images DIR [--images 10000]            (the test images as PNG folders)
 * </pre>
 */
public final class SparkBatchBench {
    private SparkBatchBench() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> defaults = new java.util.LinkedHashMap<>();
        defaults.put("model", "runs/quickstart/fashion_mnist.fai");
        defaults.put("images", "10000");
        defaults.put("rounds", "2");
        defaults.put("work", "bench/target/spark");
        defaults.put("data", null);
        defaults.put("train-collab", null);
        defaults.put("out", "ratings.fai");
        defaults.put("write-images", null);
        BenchArgs a = BenchArgs.parse(args, defaults, "SparkBatchBench [--model F] [--images N] [--rounds R] "
                + "[--work DIR] [--data DIR] | --train-collab ratings.csv --out F | --write-images DIR [--images N]");
        if (a.string("train-collab") != null) {
            trainCollab(Path.of(a.string("train-collab")), Path.of(a.string("out")));
            return;
        }
        int n = a.integer("images");
        if (a.string("write-images") != null) {
            writeImages(Path.of(a.string("write-images")), a.string("data"), n);
            return;
        }
        Path model = Path.of(a.string("model"));
        int rounds = a.integer("rounds");
        Path images = Path.of(a.string("work")).resolve("fashion-test-" + n);
        writeImages(images, a.string("data"), n);
        List<Path> files;
        try (Stream<Path> s = Files.walk(images)) {
            files = s.filter(p -> p.toString().endsWith(".png")).sorted().toList();
        }
        System.out.printf(Locale.ROOT, "model %s, %d images in %s, intra-op threads %s, %d rounds%n", model,
                files.size(), images, System.getProperty("ai.djl.pytorch.num_threads", "(engine default)"), rounds);
        Map<String, String> plainLabels = new java.util.HashMap<>();
        List<double[]> rates = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            // the order alternates between rounds, so that neither side always runs first (JIT, page cache)
            double plain;
            double l1;
            double l2;
            if (r % 2 == 0) {
                plain = plainLoop(model, files, plainLabels);
                l1 = spark("local[1]", model, images, plainLabels);
                l2 = spark("local[2]", model, images, plainLabels);
            } else {
                l2 = spark("local[2]", model, images, plainLabels);
                l1 = spark("local[1]", model, images, plainLabels);
                plain = plainLoop(model, files, plainLabels);
            }
            rates.add(new double[] {plain, l1, l2});
            System.out.printf(Locale.ROOT, "round %d: plain loop %.0f img/s, spark local[1] %.0f img/s, local[2] %.0f img/s%n",
                    r + 1, plain, l1, l2);
        }
        double[] best = {0, 0, 0};
        for (double[] x : rates) {
            for (int i = 0; i < 3; i++) {
                best[i] = Math.max(best[i], x[i]);
            }
        }
        System.out.printf(Locale.ROOT, "best of %d: plain %.0f img/s | local[1] %.0f img/s (%.2fx the plain loop) | "
                + "local[2] %.0f img/s (%.2fx local[1])%n", rounds, best[0], best[1], best[1] / best[0], best[2],
                best[2] / best[1]);
        long correct = plainLabels.entrySet().stream()
                .filter(e -> Path.of(e.getKey()).getParent().getFileName().toString().equals(folderOf(e.getValue())))
                .count();
        System.out.printf(Locale.ROOT, "accuracy of the plain loop on these images: %.4f%n", correct / (double) files.size());
    }

    private static String folderOf(String label) {
        return FashionMnist.CLASS_FOLDERS.get(FashionMnist.CLASSES.indexOf(label) >= 0
                ? FashionMnist.CLASSES.indexOf(label) : FashionMnist.CLASS_FOLDERS.indexOf(label));
    }

    private static double plainLoop(Path model, List<Path> files, Map<String, String> labels) throws IOException {
        long t0 = System.nanoTime();
        try (InferenceModel m = InferenceModel.load(model)) {
            for (int from = 0; from < files.size(); from += 64) {
                List<Path> chunk = files.subList(from, Math.min(files.size(), from + 64));
                List<Object> bytes = new ArrayList<>(chunk.size());
                for (Path f : chunk) {
                    bytes.add(Files.readAllBytes(f));
                }
                List<Prediction> ps = m.predictBatch(bytes);
                for (int i = 0; i < ps.size(); i++) {
                    labels.put(chunk.get(i).toAbsolutePath().toString(), String.valueOf(ps.get(i).label()));
                }
            }
        }
        return files.size() / ((System.nanoTime() - t0) / 1e9);
    }

    private static double spark(String master, Path model, Path images, Map<String, String> plainLabels) {
        SparkSession spark = SparkSession.builder().master(master).appName("SparkBatchBench")
                .config("spark.ui.enabled", "false").getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        try {
            long t0 = System.nanoTime();
            Dataset<Row> in = FastaiSpark.readImages(spark, images.toString());
            int slots = master.equals("local[1]") ? 1 : 2;
            in = in.repartition(4 * slots);
            List<Row> out = FastaiSpark.predict(in, model.toString(), ScoringOptions.defaults().withIdleSeconds(0))
                    .select("path", FastaiSpark.PREDICTION, FastaiSpark.ERROR).collectAsList();
            double rate = out.size() / ((System.nanoTime() - t0) / 1e9);
            int differ = 0;
            for (Row r : out) {
                String path = Path.of(java.net.URI.create(r.getString(0))).toString();
                if (r.getString(2) != null || !r.getString(1).equals(plainLabels.get(path))) {
                    differ++;
                }
            }
            if (differ > 0) {
                System.out.printf(Locale.ROOT, "  %s: %d of %d labels differ from the plain loop's%n", master, differ,
                        out.size());
            }
            return rate;
        } finally {
            spark.stop();
        }
    }

    /** The first {@code n} Fashion-MNIST test images as {@code DIR/<class folder>/NNNNN.png}, once. */
    static void writeImages(Path dir, String data, int n) throws IOException {
        if (Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.walk(dir)) {
                if (s.filter(p -> p.toString().endsWith(".png")).count() == n) {
                    return;
                }
            }
        }
        FashionMnist fm = FashionMnist.load(FashionData.locate(data));
        IdxImages idx = fm.testImages();
        int[] labels = fm.testLabels();
        for (int i = 0; i < Math.min(n, idx.count()); i++) {
            Path f = dir.resolve(FashionMnist.CLASS_FOLDERS.get(labels[i])).resolve(String.format(Locale.ROOT, "%05d.png", i));
            Files.createDirectories(f.getParent());
            ImageIO.write(idx.toBufferedImage(i), "png", f.toFile());
        }
    }

    /** fastai's MovieLens recipe: EmbeddingDotBias, 50 factors, y_range (0, 5.5), fit_one_cycle(5, 5e-3, wd 0.1). */
    static void trainCollab(Path csv, Path out) {
        Engine.getInstance().setRandomSeed(42);
        try (CollabDataLoaders dls = CollabDataLoaders.fromCsv(csv).userName("userId").itemName("movieId")
                .ratingName("rating").batchSize(64).seed(42).build();
                CollabLearner learn = CollabLearners.create(dls, 50, new double[] {0, 5.5}, false, b -> b.wd(0.1))) {
            learn.fitOneCycle(5, 5e-3);
            ai.fastai4j.export.ModelExport.export(learn, out);
        }
        System.out.println("exported " + out);
    }
}

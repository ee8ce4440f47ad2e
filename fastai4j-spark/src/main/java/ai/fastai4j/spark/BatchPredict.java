package ai.fastai4j.spark;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * A batch-prediction job: reads a folder of images, a CSV file or Parquet data, scores it with
 * {@link FastaiSpark#predict}, and writes the input columns (an image's path, not its bytes) with the
 * predictions as Parquet or CSV. What {@code fastai4j batch-predict} runs.
 *
 * @param model        the model file: a local path or a URI Hadoop reads
 * @param input        a folder of images, a {@code .csv} file (with a header row) or Parquet data
 * @param inputFormat  {@code images}, {@code csv} or {@code parquet}; null to choose from the input
 * @param output       where to write (a folder, as Spark writes)
 * @param outputFormat {@code parquet} or {@code csv}; null for csv when the output ends with {@code .csv},
 *                     else parquet
 * @param partitions   how many partitions to score in (0: as the input is read)
 * @param overwrite    whether to replace an existing output
 * @param options      the scoring options
 */
public record BatchPredict(String model, String input, String inputFormat, String output, String outputFormat,
        int partitions, boolean overwrite, ScoringOptions options) {

    /** What a finished job did. */
    public record Result(long rows, long errors, String output, String format) {}

    public BatchPredict {
        if (inputFormat != null && !List.of("images", "csv", "parquet").contains(inputFormat)) {
            throw new IllegalArgumentException("input format must be images, csv or parquet, got '" + inputFormat + "'");
        }
        if (outputFormat != null && !List.of("csv", "parquet").contains(outputFormat)) {
            throw new IllegalArgumentException("output format must be parquet or csv, got '" + outputFormat + "'");
        }
        if (partitions < 0) {
            throw new IllegalArgumentException("partitions must be 0 or more, got " + partitions);
        }
    }

    /** The input's format: the one given, or csv for a {@code .csv} file, parquet for Parquet data, else images. */
    public String resolvedInputFormat() {
        if (inputFormat != null) {
            return inputFormat;
        }
        String lower = input.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".csv")) {
            return "csv";
        }
        if (lower.endsWith(".parquet")) {
            return "parquet";
        }
        Path p = Path.of(input);
        if (Files.isDirectory(p)) {
            try (var files = Files.list(p)) {
                if (files.anyMatch(f -> f.getFileName().toString().endsWith(".parquet"))) {
                    return "parquet";
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("cannot list " + p + ": " + e.getMessage(), e);
            }
        }
        return "images";
    }

    /** The output's format: the one given, csv for an output ending in {@code .csv}, else parquet. */
    public String resolvedOutputFormat() {
        return outputFormat != null ? outputFormat
                : output.toLowerCase(Locale.ROOT).endsWith(".csv") ? "csv" : "parquet";
    }

    /**
     * Runs the job on {@code spark}, reporting finished partitions to {@code progress} (one line each).
     *
     * @throws IllegalArgumentException when the input does not exist or does not fit the model
     */
    public Result run(SparkSession spark, Consumer<String> progress) {
        String inFormat = resolvedInputFormat();
        if (!input.contains("://") && !Files.exists(Path.of(input))) {
            throw new IllegalArgumentException("input " + input + " does not exist");
        }
        Dataset<Row> in = switch (inFormat) {
            case "csv" -> spark.read().option("header", "true").option("escape", "\"").csv(input);
            case "parquet" -> spark.read().parquet(input);
            default -> FastaiSpark.readImages(spark, input);
        };
        if (partitions > 0) {
            in = in.repartition(partitions);
        }
        Dataset<Row> scored = FastaiSpark.predict(in, model, options);
        if (List.of(scored.columns()).contains(options.imageColumn()) && "images".equals(inFormat)) {
            scored = scored.drop(options.imageColumn());
        }
        String outFormat = resolvedOutputFormat();
        if (outFormat.equals("csv") && List.of(scored.columns()).contains(FastaiSpark.TOP_K)) {
            scored = scored.withColumn(FastaiSpark.TOP_K, functions.to_json(new Column(FastaiSpark.TOP_K)));
        }
        ProgressListener listener = new ProgressListener(progress);
        spark.sparkContext().addSparkListener(listener);
        try {
            var writer = scored.write().mode(overwrite ? SaveMode.Overwrite : SaveMode.ErrorIfExists);
            if (outFormat.equals("csv")) {
                // RFC 4180 quoting (a quote doubled), which every CSV reader takes
                writer.option("header", "true").option("escape", "\"").csv(output);
            } else {
                writer.parquet(output);
            }
        } finally {
            spark.sparkContext().removeSparkListener(listener);
        }
        Dataset<Row> written = outFormat.equals("csv")
                ? spark.read().option("header", "true").option("escape", "\"").csv(output)
                : spark.read().parquet(output);
        long rows = written.count();
        long errors = written.filter(new Column(FastaiSpark.ERROR).isNotNull()).count();
        return new Result(rows, errors, output, outFormat);
    }

    /** Prints a line as each task of the scoring job ends. */
    private static final class ProgressListener extends SparkListener {
        private final Consumer<String> progress;
        private final AtomicInteger total = new AtomicInteger();
        private final AtomicInteger done = new AtomicInteger();

        ProgressListener(Consumer<String> progress) {
            this.progress = progress;
        }

        @Override
        public void onStageSubmitted(SparkListenerStageSubmitted stage) {
            total.addAndGet(stage.stageInfo().numTasks());
        }

        @Override
        public void onTaskEnd(SparkListenerTaskEnd task) {
            progress.accept(String.format(Locale.ROOT, "batch-predict: %d/%d partitions done", done.incrementAndGet(),
                    total.get()));
        }
    }
}

package ai.fastai4j.cli;

import ai.fastai4j.spark.BatchPredict;
import ai.fastai4j.spark.ScoringOptions;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code fastai4j batch-predict}: score a folder of images, a CSV or Parquet data with a model, on Spark. */
@Command(name = "batch-predict", mixinStandardHelpOptions = true,
        description = {"Score many inputs with an exported model (.fai) on Apache Spark: an embedded Spark on this",
            "machine by default, or a cluster with --master spark://HOST:7077. Input: a folder of images, a CSV file",
            "with a header row, or Parquet data; output: Parquet (default) or CSV with the input's columns (an",
            "image's path), the prediction (label, probability, top_k; value for regression) and an error column",
            "for rows that could not be predicted (the job goes on)."})
final class BatchPredictCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = "Exported model file (.fai), a path or a Hadoop URI.")
    String model;

    @Option(names = "--input", required = true, description = "A folder of images, a .csv file or Parquet data.")
    String input;

    @Option(names = "--output", required = true, description = "Where to write the predictions (a folder).")
    String output;

    @Option(names = "--input-format", description = "images, csv or parquet (default: from the input).")
    String inputFormat;

    @Option(names = "--format", description = "parquet or csv (default: csv when --output ends in .csv, else parquet).")
    String format;

    @Option(names = "--master", defaultValue = "local[*]",
            description = "Spark master: local[N] on this machine, spark://HOST:PORT for a cluster (default: ${DEFAULT-VALUE}).")
    String master;

    @Option(names = "--text-col", defaultValue = "text",
            description = "The column of texts, for a text classifier (default: ${DEFAULT-VALUE}).")
    String textColumn;

    @Option(names = "--k", defaultValue = "3", description = "Classes listed in top_k (default: ${DEFAULT-VALUE}).")
    int k;

    @Option(names = "--batch-size", defaultValue = "64", description = "Rows per model call (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--partitions", defaultValue = "0",
            description = "Partitions to score in; 0 keeps the input's (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--overwrite", description = "Replace an existing output.")
    boolean overwrite;

    @Option(names = "--conf", paramLabel = "KEY=VALUE",
            description = "A Spark setting, as spark-submit's --conf (e.g. spark.executor.memory=2g); repeatable.")
    java.util.Map<String, String> conf = new java.util.LinkedHashMap<>();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        BatchPredict job;
        try {
            job = new BatchPredict(model, input, inputFormat, output, format, partitions, overwrite,
                    ScoringOptions.defaults().withTopK(k).withBatchSize(batchSize).withTextColumn(textColumn));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        if (!model.contains("://") && !Files.isRegularFile(Path.of(model))) {
            throw new ModelFileException("model file " + model + " does not exist", null);
        }
        if (!input.contains("://") && !Files.exists(Path.of(input))) {
            throw new ai.fastai4j.data.DataException("input " + input + " does not exist");
        }
        SparkSession.Builder b = SparkSession.builder().master(master).appName("fastai4j batch-predict")
                .config("spark.ui.enabled", "false");
        if (master.startsWith("spark://")) {
            // the executors need fastai4j and the engine; the cluster brings Spark, Scala and Hadoop
            b.config("spark.jars", String.join(",", applicationJars()));
            // and never fetch anything at run time, as here
            b.config("spark.executorEnv.DJL_OFFLINE", "true").config("spark.executorEnv.OPT_OUT_TRACKING", "true");
        }
        conf.forEach(b::config);
        long start = System.nanoTime();
        SparkSession spark = b.getOrCreate();
        try {
            BatchPredict.Result r;
            try {
                r = job.run(spark, line -> System.err.println(line));
            } catch (ai.fastai4j.export.ModelFileException e) {
                throw new ModelFileException(e.getMessage(), e);
            } catch (IllegalArgumentException e) {
                throw new ai.fastai4j.data.DataException(e.getMessage(), e);
            }
            System.out.printf(java.util.Locale.ROOT, "scored %d rows (%d with errors) into %s (%s) in %.1f s%n",
                    r.rows(), r.errors(), r.output(), r.format(), (System.nanoTime() - start) / 1e9);
            return 0;
        } finally {
            spark.stop();
        }
    }

    /** The jars of this class path that a Spark cluster does not already have. */
    static List<String> applicationJars() {
        List<String> out = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String n = e.replace('\\', '/');
            if (n.endsWith(".jar") && !n.contains("/org/apache/spark/") && !n.contains("/org/scala-lang/")
                    && !n.contains("/org/apache/hadoop/")) {
                out.add(e);
            }
        }
        return out;
    }
}

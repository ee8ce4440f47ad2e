package ai.fastai4j.spark;

import ai.fastai4j.export.InferenceModel;
import ai.fastai4j.export.ModelFileException;
import ai.fastai4j.export.ModelInput;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.TimestampType;

/**
 * Batch prediction of an exported fastai4j model ({@code .fai}) on Apache Spark: the input rows come back with
 * prediction columns, with the same answers as {@link InferenceModel#predictBatch}.
 *
 * <pre>{@code
 * Dataset<Row> images = FastaiSpark.readImages(spark, "s3a://bucket/photos/");
 * Dataset<Row> scored = FastaiSpark.predict(images, "s3a://bucket/models/pets.fai", ScoringOptions.defaults());
 * scored.select("path", "prediction", "probability", "error").write().parquet("s3a://bucket/scores/");
 * }</pre>
 *
 * <p>An image model reads the binary column {@code content} (Spark's {@code binaryFile} source) or another one
 * named in the options; a tabular or collab model reads its columns by name. Classification models add
 * {@code prediction} (the label; several joined by {@code ;} for multi-label), {@code probability} and
 * {@code top_k} (label and probability of the most probable classes); regression models (collab included) add
 * {@code value}; segmentation models add {@code mask}, the predicted mask as a PNG whose pixel values are the class
 * codes. A text classifier reads the string column {@code text} (or the one named in the options). Every model
 * adds {@code error}: null, or why that row has no prediction (a corrupt image, a
 * missing value, an unknown user); the job goes on and no row is dropped.
 *
 * <p>Checks happen before any task starts: the model must load, and the input must have the columns the model
 * reads, with usable types. The driver reads the model file (a local path or any URI Hadoop reads) and
 * broadcasts its bytes; each executor JVM loads it once, shares it between its tasks, scores partitions in
 * batches, and frees the model's native memory once it has been idle for a while.
 */
public final class FastaiSpark {
    /** Column names this class appends. */
    public static final String PREDICTION = "prediction";
    public static final String PROBABILITY = "probability";
    public static final String TOP_K = "top_k";
    public static final String VALUE = "value";
    public static final String MASK = "mask";
    public static final String ERROR = "error";

    /** The image formats {@link #readImages} picks up, by file extension. */
    public static final List<String> IMAGE_EXTENSIONS = List.of("png", "jpg", "jpeg", "bmp", "gif", "tif", "tiff");

    private FastaiSpark() {}

    /** Scores {@code input} with the model in a local file, with the default options. */
    public static Dataset<Row> predict(Dataset<Row> input, Path model) {
        return predict(input, model.toString(), ScoringOptions.defaults());
    }

    /**
     * Scores {@code input} with a model.
     *
     * @param model a local path or a URI Hadoop can read ({@code hdfs://}, {@code s3a://}, {@code file:}...)
     * @throws ModelFileException       when the model file is missing or cannot be loaded
     * @throws IllegalArgumentException when the input lacks a column the model reads, or has it with a type it
     *                                  cannot take, or already has a column this method would add
     */
    public static Dataset<Row> predict(Dataset<Row> input, String model, ScoringOptions options) {
        SparkSession spark = input.sparkSession();
        byte[] bytes = options.shipModel() ? readModel(spark, model) : null;
        String sha = bytes != null ? sha256(bytes) : sha256(readModel(spark, model));
        Broadcast<byte[]> shipped = bytes == null ? null
                : JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(bytes);
        ModelSource source = new ModelSource(sha, model, shipped, bytes == null ? localPath(model).toString() : null);

        ModelInput in;
        List<String> vocab;
        Output output;
        try (ExecutorModels.Lease lease = ExecutorModels.acquire(source, options.idleSeconds())) {
            InferenceModel m = lease.model();
            try {
                in = ModelInput.of(m.manifest(), m.file());
            } catch (IllegalArgumentException e) {
                throw new ModelFileException(Path.of(model), e.getMessage());
            }
            vocab = m.vocab();
            output = Output.of(m.manifest());
        } catch (ModelFileException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ModelFileException(Path.of(model), "cannot load the model: " + e.getMessage(), e);
        }
        StructType schema = input.schema();
        int[] index = inputIndex(schema, in, options, model);
        StructType out = outputSchema(schema, output);
        PartitionScorer scorer = new PartitionScorer(source, options, in.kind(), index, in.columns(), output, vocab);
        return input.mapPartitions(scorer, Encoders.row(out));
    }

    /**
     * The images under a folder (recursively), as Spark's {@code binaryFile} source reads them: {@code path},
     * {@code modificationTime}, {@code length} and {@code content}, for files with an image extension
     * ({@link #IMAGE_EXTENSIONS}, any case).
     */
    public static Dataset<Row> readImages(SparkSession spark, String folder) {
        List<String> globs = new ArrayList<>();
        for (String e : IMAGE_EXTENSIONS) {
            globs.add("*." + e);
            globs.add("*." + e.toUpperCase(java.util.Locale.ROOT));
        }
        return spark.read().format("binaryFile").option("recursiveFileLookup", "true")
                .option("pathGlobFilter", "{" + String.join(",", globs) + "}").load(folder);
    }

    /** The columns the scorer reads, in the model's order; refuses missing or mistyped ones, naming them all. */
    static int[] inputIndex(StructType schema, ModelInput in, ScoringOptions options, String model) {
        Set<String> names = Set.of(schema.fieldNames());
        if (in.kind() == ModelInput.Kind.IMAGE) {
            String c = options.imageColumn();
            if (!names.contains(c)) {
                throw new IllegalArgumentException("model " + model + " takes images: the input has no column '" + c
                        + "' (its columns: " + String.join(", ", schema.fieldNames()) + "); read images with "
                        + "FastaiSpark.readImages or name the binary column in ScoringOptions.withImageColumn");
            }
            DataType t = schema.apply(c).dataType();
            if (!(t instanceof BinaryType)) {
                throw new IllegalArgumentException("model " + model + " takes images: column '" + c + "' must hold "
                        + "the encoded image bytes (binary), not " + t.simpleString());
            }
            return new int[] {schema.fieldIndex(c)};
        }
        if (in.kind() == ModelInput.Kind.TEXT) {
            String c = options.textColumn();
            if (!names.contains(c) || !(schema.apply(c).dataType() instanceof StringType)) {
                throw new IllegalArgumentException("model " + model + " classifies texts: the input needs a string "
                        + "column '" + c + "'" + (names.contains(c) ? ", not " + schema.apply(c).dataType().simpleString()
                        : " (its columns: " + String.join(", ", schema.fieldNames()) + "); name another one in "
                                + "ScoringOptions.withTextColumn"));
            }
            return new int[] {schema.fieldIndex(c)};
        }
        List<String> missing = new ArrayList<>();
        List<String> mistyped = new ArrayList<>();
        for (String c : in.columns()) {
            if (!names.contains(c)) {
                missing.add(c);
            } else {
                DataType t = schema.apply(c).dataType();
                if (!(t instanceof StringType || t instanceof NumericType || t instanceof BooleanType
                        || t instanceof DateType || t instanceof TimestampType)) {
                    mistyped.add(c + " (" + t.simpleString() + ")");
                }
            }
        }
        if (!missing.isEmpty() || !mistyped.isEmpty()) {
            throw new IllegalArgumentException("model " + model + " reads the columns " + in.columns() + ": "
                    + (missing.isEmpty() ? "" : "the input lacks " + missing + (mistyped.isEmpty() ? "" : "; "))
                    + (mistyped.isEmpty() ? "" : "these have types it cannot read (strings, numbers, booleans, dates): "
                            + mistyped));
        }
        return in.columns().stream().mapToInt(schema::fieldIndex).toArray();
    }

    /** The input's schema with the prediction columns appended; refuses an input that already has one of them. */
    static StructType outputSchema(StructType schema, Output output) {
        List<String> added = switch (output) {
            case CLASSIFICATION -> List.of(PREDICTION, PROBABILITY, TOP_K, ERROR);
            case REGRESSION -> List.of(VALUE, ERROR);
            case SEGMENTATION -> List.of(MASK, ERROR);
        };
        for (String a : added) {
            if (List.of(schema.fieldNames()).contains(a)) {
                throw new IllegalArgumentException("the input already has a column '" + a + "', which scoring adds: "
                        + "rename or drop it first");
            }
        }
        StructType out = schema;
        if (output == Output.SEGMENTATION) {
            out = out.add(MASK, DataTypes.BinaryType, true);
        } else if (output == Output.CLASSIFICATION) {
            StructType top = new StructType(new StructField[] {
                DataTypes.createStructField("label", DataTypes.StringType, false),
                DataTypes.createStructField(PROBABILITY, DataTypes.DoubleType, false)});
            out = out.add(PREDICTION, DataTypes.StringType, true)
                    .add(PROBABILITY, DataTypes.DoubleType, true)
                    .add(TOP_K, DataTypes.createArrayType(top, false), true);
        } else {
            out = out.add(VALUE, DataTypes.DoubleType, true);
        }
        return out.add(ERROR, DataTypes.StringType, true);
    }

    private static Path localPath(String model) {
        URI u = URI.create(model.replace(" ", "%20"));
        return u.getScheme() != null && u.getScheme().equals("file") ? Path.of(u) : Path.of(model);
    }

    /** The model file's bytes, from a local path or through Hadoop's file systems for a URI with a scheme. */
    static byte[] readModel(SparkSession spark, String model) {
        try {
            URI u = null;
            try {
                u = URI.create(model);
            } catch (IllegalArgumentException notAUri) {
                // a local path with characters a URI does not take
            }
            if (u == null || u.getScheme() == null || u.getScheme().length() == 1 || u.getScheme().equals("file")) {
                Path p = localPath(model);
                if (!Files.isRegularFile(p)) {
                    throw new ModelFileException(p, "model file " + p + " does not exist");
                }
                return Files.readAllBytes(p);
            }
            org.apache.hadoop.fs.Path hp = new org.apache.hadoop.fs.Path(u);
            org.apache.hadoop.fs.FileSystem fs = hp.getFileSystem(spark.sparkContext().hadoopConfiguration());
            if (!fs.exists(hp)) {
                throw new ModelFileException(Path.of(hp.getName()), "model file " + model + " does not exist");
            }
            try (InputStream in = fs.open(hp)) {
                ByteArrayOutputStream buf = new ByteArrayOutputStream();
                in.transferTo(buf);
                return buf.toByteArray();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read model " + model + ": " + e.getMessage(), e);
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

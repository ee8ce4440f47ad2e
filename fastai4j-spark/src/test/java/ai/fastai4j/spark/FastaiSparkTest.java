package ai.fastai4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.fastai4j.export.InferenceModel;
import ai.fastai4j.export.ModelFileException;
import ai.fastai4j.learner.Prediction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Scoring on Spark in local mode gives exactly {@link InferenceModel#predictBatch}'s answers, row by row. */
class FastaiSparkTest {
    @TempDir
    static Path dir;
    static SparkSession spark;
    static Path imageModel;
    static Path tabularModel;
    static Path collabModel;

    @BeforeAll
    static void setUp() {
        imageModel = SparkFixtures.imageModel(dir);
        tabularModel = SparkFixtures.tabularModel(dir);
        collabModel = SparkFixtures.collabModel(dir);
        spark = SparkSession.builder().master("local[2]").appName("fastai4j-spark-test")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2").getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
    }

    @AfterAll
    static void tearDown() {
        if (spark != null) {
            spark.stop();
        }
        ExecutorModels.evictIdle(true);
    }

    /** The rows of each partition, in order, as Spark will hand them to the scorer. */
    private static List<List<Row>> partitions(Dataset<Row> d) {
        return d.javaRDD().glom().collect();
    }

    @Test
    void imagesEqualPredictBatchPerPartitionAndOverall() throws Exception {
        ExecutorModels.evictIdle(true);
        Path folder = dir.resolve("images");
        SparkFixtures.writeImages(folder, 100, 21);
        Dataset<Row> images = FastaiSpark.readImages(spark, folder.toString()).repartition(3).cache();
        ScoringOptions opts = ScoringOptions.defaults().withTopK(2);
        List<Row> scored = FastaiSpark.predict(images, imageModel.toString(), opts).collectAsList();
        assertEquals(100, scored.size());
        try (InferenceModel model = InferenceModel.load(imageModel)) {
            int at = 0;
            for (List<Row> part : partitions(images)) {
                List<Object> bytes = new ArrayList<>();
                part.forEach(r -> bytes.add(r.getAs("content")));
                List<Prediction> want = model.predictBatch(bytes);
                for (Prediction w : want) {
                    Row got = scored.get(at++);
                    assertClass(w, got, model.vocab(), 2);
                }
            }
            // one partition: the whole data set as one predictBatch call
            Dataset<Row> one = images.coalesce(1);
            List<Row> all = FastaiSpark.predict(one, imageModel.toString(), opts).collectAsList();
            List<Object> bytes = new ArrayList<>();
            one.collectAsList().forEach(r -> bytes.add(r.getAs("content")));
            List<Prediction> want = model.predictBatch(bytes);
            for (int i = 0; i < want.size(); i++) {
                assertClass(want.get(i), all.get(i), model.vocab(), 2);
            }
        }
        assertEquals(1, ExecutorModels.loaded(), "one model loaded in this JVM for both jobs and all tasks");
    }

    private static void assertClass(Prediction want, Row got, List<String> vocab, int k) {
        assertNull(got.getAs(FastaiSpark.ERROR));
        assertEquals(want.label(), got.getAs(FastaiSpark.PREDICTION));
        assertEquals((double) want.probs()[vocab.indexOf((String) want.label())], (double) got.getAs(FastaiSpark.PROBABILITY));
        List<Row> top = got.getList(got.fieldIndex(FastaiSpark.TOP_K));
        List<Prediction.ClassProbability> wantTop = want.top(k, vocab);
        assertEquals(wantTop.size(), top.size());
        for (int i = 0; i < top.size(); i++) {
            assertEquals(wantTop.get(i).label(), top.get(i).getString(0));
            assertEquals((double) wantTop.get(i).probability(), top.get(i).getDouble(1));
        }
    }

    @Test
    void corruptImagesGetAnErrorAndTheRestIsScored() throws Exception {
        Path folder = dir.resolve("mixed");
        List<Path> files = SparkFixtures.writeImages(folder, 20, 8);
        Files.write(files.get(3), new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
        Files.write(files.get(11), "not an image".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Dataset<Row> images = FastaiSpark.readImages(spark, folder.toString()).coalesce(1);
        List<Row> scored = FastaiSpark.predict(images, imageModel.toString(), ScoringOptions.defaults()).collectAsList();
        assertEquals(20, scored.size(), "no row dropped");
        try (InferenceModel model = InferenceModel.load(imageModel)) {
            for (Row r : scored) {
                String path = r.getAs("path");
                boolean bad = path.endsWith(files.get(3).getFileName().toString())
                        || path.endsWith(files.get(11).getFileName().toString());
                if (bad) {
                    assertNull(r.getAs(FastaiSpark.PREDICTION), path);
                    assertNotNull(r.getAs(FastaiSpark.ERROR), path);
                } else {
                    assertNull(r.getAs(FastaiSpark.ERROR), path);
                    Prediction want = model.predict((byte[]) r.getAs("content"));
                    assertEquals(want.label(), r.getAs(FastaiSpark.PREDICTION));
                }
            }
        }
    }

    private static Dataset<Row> stringFrame(List<Map<String, String>> rows, List<String> columns) {
        StructType schema = new StructType();
        for (String c : columns) {
            schema = schema.add(c, DataTypes.StringType, true);
        }
        List<Row> data = new ArrayList<>();
        for (Map<String, String> m : rows) {
            data.add(RowFactory.create(columns.stream().map(m::get).toArray()));
        }
        return spark.createDataFrame(data, schema);
    }

    @Test
    void tableRowsEqualPredictBatch() {
        List<Map<String, String>> rows = SparkFixtures.tableRows(90, 77);
        Dataset<Row> df = stringFrame(rows, List.of("color", "size", "x1", "x2", "label")).coalesce(1);
        List<Row> scored = FastaiSpark.predict(df, tabularModel.toString(), ScoringOptions.defaults()).collectAsList();
        try (InferenceModel model = InferenceModel.load(tabularModel)) {
            List<Prediction> want = model.predictBatch(rows);
            assertEquals(want.size(), scored.size());
            for (int i = 0; i < want.size(); i++) {
                assertClass(want.get(i), scored.get(i), model.vocab(), 2);
            }
        }
    }

    @Test
    void ratingsEqualPredictBatchAndAnUnknownUserIsReported() {
        List<Map<String, String>> rows = new ArrayList<>(SparkFixtures.ratings(9));
        rows.add(Map.of("user", "stranger", "item", "3", "rating", "1"));
        Dataset<Row> df = stringFrame(rows, List.of("user", "item", "rating")).coalesce(1);
        List<Row> scored = FastaiSpark.predict(df, collabModel.toString(), ScoringOptions.defaults()).collectAsList();
        assertEquals(rows.size(), scored.size());
        try (InferenceModel model = InferenceModel.load(collabModel)) {
            List<Prediction> want = model.predictBatch(rows.subList(0, rows.size() - 1));
            for (int i = 0; i < want.size(); i++) {
                assertNull(scored.get(i).getAs(FastaiSpark.ERROR));
                assertEquals(((Number) want.get(i).label()).doubleValue(), (double) scored.get(i).getAs(FastaiSpark.VALUE));
            }
        }
        Row stranger = scored.get(rows.size() - 1);
        assertNull(stranger.getAs(FastaiSpark.VALUE));
        String error = stranger.getAs(FastaiSpark.ERROR);
        assertTrue(error.contains("stranger"), error);
    }

    @Test
    void textsEqualPredictBatch() {
        Path model = SparkFixtures.textModel(dir);
        List<Map<String, String>> rows = new ArrayList<>(SparkFixtures.reviews().subList(0, 10));
        rows.add(Map.of("text", "Something never seen before, GREAT.", "label", "good"));
        Dataset<Row> df = stringFrame(rows, List.of("text", "label")).coalesce(1);
        List<Row> scored = FastaiSpark.predict(df, model.toString(), ScoringOptions.defaults()).collectAsList();
        try (InferenceModel m = InferenceModel.load(model)) {
            List<Prediction> want = m.predictBatch(rows.stream().map(r -> r.get("text")).toList());
            assertEquals(want.size(), scored.size());
            for (int i = 0; i < want.size(); i++) {
                assertClass(want.get(i), scored.get(i), m.vocab(), 2);
            }
        }
        IllegalArgumentException noText = assertThrows(IllegalArgumentException.class, () -> FastaiSpark.predict(
                df.withColumnRenamed("text", "review"), model.toString(), ScoringOptions.defaults()));
        assertTrue(noText.getMessage().contains("string column 'text'"), noText.getMessage());
        assertEquals(want(df.withColumnRenamed("text", "review"), model, "review"), scored.size());
    }

    private static int want(Dataset<Row> df, Path model, String column) {
        return FastaiSpark.predict(df, model.toString(), ScoringOptions.defaults().withTextColumn(column))
                .filter(new org.apache.spark.sql.Column(FastaiSpark.ERROR).isNull()).collectAsList().size();
    }

    @Test
    void mismatchesFailBeforeTheJobStarts() {
        Dataset<Row> df = stringFrame(SparkFixtures.tableRows(5, 1), List.of("color", "x2", "label"));
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> FastaiSpark.predict(df, tabularModel.toString(), ScoringOptions.defaults()));
        assertTrue(missing.getMessage().contains("[size, x1]"), missing.getMessage());

        Dataset<Row> arrays = df.withColumn("size", org.apache.spark.sql.functions.array(df.col("color")))
                .withColumn("x1", df.col("x2"));
        IllegalArgumentException typed = assertThrows(IllegalArgumentException.class,
                () -> FastaiSpark.predict(arrays, tabularModel.toString(), ScoringOptions.defaults()));
        assertTrue(typed.getMessage().contains("size (array<string>)"), typed.getMessage());

        IllegalArgumentException notImages = assertThrows(IllegalArgumentException.class,
                () -> FastaiSpark.predict(df, imageModel.toString(), ScoringOptions.defaults()));
        assertTrue(notImages.getMessage().contains("no column 'content'"), notImages.getMessage());

        ModelFileException noModel = assertThrows(ModelFileException.class,
                () -> FastaiSpark.predict(df, dir.resolve("nowhere.fai").toString(), ScoringOptions.defaults()));
        assertTrue(noModel.getMessage().contains("nowhere.fai"), noModel.getMessage());
    }

    @Test
    void idleModelsAreFreed() {
        Dataset<Row> df = stringFrame(SparkFixtures.ratings(2), List.of("user", "item", "rating"));
        FastaiSpark.predict(df, collabModel.toString(), ScoringOptions.defaults()).count();
        assertTrue(ExecutorModels.loaded() >= 1);
        ExecutorModels.evictIdle(true);
        assertEquals(0, ExecutorModels.loaded());
    }
}

package ai.fastai4j.spark;

import ai.djl.engine.Engine;
import ai.fastai4j.collab.CollabDataLoaders;
import ai.fastai4j.collab.CollabLearner;
import ai.fastai4j.collab.CollabLearners;
import ai.fastai4j.data.DataLoaderOptions;
import ai.fastai4j.data.DataLoaders;
import ai.fastai4j.export.ModelExport;
import ai.fastai4j.learner.Learner;
import ai.fastai4j.tabular.Table;
import ai.fastai4j.tabular.TabularConfig;
import ai.fastai4j.tabular.TabularDataLoaders;
import ai.fastai4j.tabular.TabularLearner;
import ai.fastai4j.tabular.TabularLearners;
import ai.fastai4j.vision.Image;
import ai.fastai4j.vision.ImageDataLoaders;
import ai.fastai4j.vision.Resize;
import ai.fastai4j.vision.VisionLearners;
import ai.fastai4j.vision.models.Arch;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;

/** Small models trained in a second each, and their inputs: images in a folder, table rows, ratings. */
final class SparkFixtures {
    private SparkFixtures() {}

    /** A grey image with a bright square in the top half ("top") or the bottom half ("bottom"), with noise. */
    static Image image(String label, Random r) {
        int h = 24;
        int w = 24;
        byte[] px = new byte[h * w];
        int y0 = label.equals("top") ? 2 : 14;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                boolean in = y >= y0 && y < y0 + 8 && x >= 8 && x < 16;
                px[y * w + x] = (byte) ((in ? 180 : 20) + r.nextInt(60));
            }
        }
        return new Image(h, w, 1, px);
    }

    /** SIMPLE_CNN on 24x24 grey "top"/"bottom" images, fitted one epoch, exported to {@code dir/squares.fai}. */
    static Path imageModel(Path dir) {
        Engine.getInstance().setRandomSeed(11);
        Random r = new Random(3);
        List<Image> tx = new ArrayList<>();
        List<String> ty = new ArrayList<>();
        List<Image> vx = new ArrayList<>();
        List<String> vy = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            String label = i % 2 == 0 ? "top" : "bottom";
            (i < 16 ? tx : vx).add(image(label, r));
            (i < 16 ? ty : vy).add(label);
        }
        Path file = dir.resolve("squares.fai");
        try (DataLoaders dls = ImageDataLoaders.fromImages(tx, ty, vx, vy, DataLoaderOptions.defaults(8).withWorkers(1),
                List.of(Resize.squish(24)), List.of());
                Learner learn = VisionLearners.create(dls, Arch.SIMPLE_CNN, b -> b.progress(false))) {
            learn.fit(1, 1e-2);
            ModelExport.export(learn, file);
        }
        return file;
    }

    /** {@code n} PNG files of random labels under {@code folder/<label>/}, named in order. */
    static List<Path> writeImages(Path folder, int n, long seed) {
        Random r = new Random(seed);
        List<Path> out = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                String label = r.nextBoolean() ? "top" : "bottom";
                Path f = folder.resolve(label).resolve(String.format(Locale.ROOT, "img%04d.png", i));
                Files.createDirectories(f.getParent());
                ImageIO.write(image(label, r).toBufferedImage(), "png", f.toFile());
                out.add(f);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** Rows of a synthetic table: colour and size (categorical), x1 (sometimes missing) and x2, label yes/no. */
    static List<Map<String, String>> tableRows(int n, long seed) {
        Random r = new Random(seed);
        String[] colors = {"red", "green", "blue"};
        List<Map<String, String>> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String color = colors[r.nextInt(3)];
            double x1 = r.nextGaussian();
            double x2 = 5 + 2 * r.nextGaussian();
            double score = (color.equals("red") ? 1.5 : color.equals("blue") ? -1.5 : 0) + 1.5 * x1 - 0.75 * (x2 - 5);
            Map<String, String> row = new LinkedHashMap<>();
            row.put("color", color);
            row.put("size", r.nextBoolean() ? "S" : "M");
            row.put("x1", r.nextDouble() < 0.1 ? null : String.format(Locale.ROOT, "%.4f", x1));
            row.put("x2", String.format(Locale.ROOT, "%.4f", x2));
            row.put("label", score > 0 ? "yes" : "no");
            rows.add(row);
        }
        return rows;
    }

    /** A tabular classifier of {@link #tableRows}, exported to {@code dir/table.fai}. */
    static Path tabularModel(Path dir) {
        Engine.getInstance().setRandomSeed(5);
        Path file = dir.resolve("table.fai");
        try (TabularDataLoaders dls = TabularDataLoaders.fromTable(Table.fromRows("synthetic.csv", tableRows(200, 5)))
                .catNames("color", "size").contNames("x1", "x2").yNames("label").batchSize(32).build();
                TabularLearner learn = TabularLearners.create(dls, List.of(8), TabularConfig.defaults(), Map.of(),
                        b -> b.progress(false))) {
            learn.fitOneCycle(1, 1e-2);
            ai.fastai4j.export.ModelExport.export(learn, file);
        }
        return file;
    }

    /** Short reviews, "good" or "bad". */
    static List<Map<String, String>> reviews() {
        String[] good = {"A wonderful, charming film.", "Truly great acting!", "I loved it, great fun.",
            "Wonderful and great."};
        String[] bad = {"A dull, boring film.", "Truly awful acting!", "I hated it, boring mess.", "Awful and dull."};
        List<Map<String, String>> rows = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            rows.add(Map.of("text", good[i % 4], "label", "good"));
            rows.add(Map.of("text", bad[i % 4], "label", "bad"));
        }
        return rows;
    }

    /** A small AWD-LSTM text classifier of {@link #reviews}, exported to {@code dir/reviews.fai}. */
    static Path textModel(Path dir) {
        Engine.getInstance().setRandomSeed(5);
        Path file = dir.resolve("reviews.fai");
        StringBuilder csv = new StringBuilder("text,label\n");
        reviews().forEach(r -> csv.append('"').append(r.get("text")).append("\",").append(r.get("label")).append('\n'));
        Path csvFile;
        try {
            csvFile = Files.writeString(dir.resolve("reviews.csv"), csv);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try (ai.fastai4j.text.data.TextDataLoaders dls = ai.fastai4j.text.data.TextDataLoaders
                .fromCsv(csvFile).bs(8).minFreq(1).numWorkers(0)
                .cache(new ai.fastai4j.text.tokenize.TokenCache(dir.resolve("tok"))).build();
                ai.fastai4j.text.learner.TextClassifierLearner learn = ai.fastai4j.text.learner.TextLearners
                        .classifier(dls).config(ai.fastai4j.text.models.AwdLstmConfig.classifier().withSizes(8, 16, 1))
                        .learner(b -> b.progress(false)).build()) {
            learn.fitOneCycle(1, 1e-2);
            ModelExport.export(learn, file);
        }
        return file;
    }

    /** Ratings of users u0..u11 on items 0..9. */
    static List<Map<String, String>> ratings(long seed) {
        Random r = new Random(seed);
        List<Map<String, String>> ratings = new ArrayList<>();
        for (int u = 0; u < 12; u++) {
            for (int i = 0; i < 10; i++) {
                if (r.nextDouble() < 0.6) {
                    Map<String, String> row = new LinkedHashMap<>();
                    row.put("user", "u" + u);
                    row.put("item", Integer.toString(i));
                    row.put("rating", String.format(Locale.ROOT, "%.2f", 1 + (u % 4) + 0.3 * (i % 3)));
                    ratings.add(row);
                }
            }
        }
        return ratings;
    }

    /** A dot-product collab model of {@link #ratings}, exported to {@code dir/ratings.fai}. */
    static Path collabModel(Path dir) {
        Engine.getInstance().setRandomSeed(5);
        Path file = dir.resolve("ratings.fai");
        try (CollabDataLoaders dls = CollabDataLoaders.fromTable(Table.fromRows("ratings.csv", ratings(5)))
                .batchSize(16).build();
                CollabLearner learn = CollabLearners.create(dls, 4, new double[] {0, 5.5}, false,
                        b -> b.progress(false))) {
            learn.fitOneCycle(1, 1e-2);
            ai.fastai4j.export.ModelExport.export(learn, file);
        }
        return file;
    }
}

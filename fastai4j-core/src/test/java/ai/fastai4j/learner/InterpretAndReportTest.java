package ai.fastai4j.learner;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.fastai4j.data.CategoryBlock;
import ai.fastai4j.data.DataBlock;
import ai.fastai4j.data.DataLoaderOptions;
import ai.fastai4j.data.DataLoaders;
import ai.fastai4j.data.PixelVectorBlock;
import ai.fastai4j.interpret.ClassificationInterpretation;
import ai.fastai4j.interpret.TopLoss;
import ai.fastai4j.interpret.TrainingReport;
import ai.fastai4j.metrics.Metrics;
import ai.fastai4j.nn.Module;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ClassificationInterpretation.fromLearner, showResults and the HTML report on tiny drawable data. */
class InterpretAndReportTest {
    static final int N = 48;
    static final int VALID = 16;

    /** Blobs as drawable vectors (last 16 validate), a seeded MLP, progress off. */
    static TestData.Rig drawableRig(List<TestData.Sample> items, int seed) {
        NDManager m = NDManager.newBaseManager();
        DataLoaders dls = DataBlock.<TestData.Sample>builder(new PixelVectorBlock(2), CategoryBlock.create())
                .getX(TestData.Sample::x).getY(TestData.Sample::label).splitter(TestData.lastAsValid(N, VALID)).build()
                .dataLoaders(items, DataLoaderOptions.defaults(8).withWorkers(0));
        Module model = TestData.mlp(m, seed, 16, 2);
        return new TestData.Rig(m, dls, model, Learner.builder(dls, model).metrics(Metrics.accuracy()).progress(false)
                .build());
    }

    static int argmax(float[] p) {
        int b = 0;
        for (int i = 1; i < p.length; i++) {
            b = p[i] > p[b] ? i : b;
        }
        return b;
    }

    @Test
    void fromLearnerMatchesThePredictionsItemByItem(@TempDir Path dir) throws Exception {
        List<TestData.Sample> items = TestData.blobs(N, 21, 0.6);
        try (TestData.Rig rig = drawableRig(items, 4)) {
            int before = TestData.liveArrays();
            ClassificationInterpretation interp = ClassificationInterpretation.fromLearner(rig.learn);
            assertEquals(before, TestData.liveArrays(), "the interpretation holds no native memory");
            assertEquals(VALID, interp.size());
            assertEquals(List.of("a", "b"), interp.vocab());
            int[] t = interp.targets();
            int[] d = interp.decoded();
            float[] losses = interp.losses();
            long[][] cm = new long[2][2];
            for (int i = 0; i < VALID; i++) {
                int item = N - VALID + i;
                assertEquals(item % 2, t[i], "target of item " + item);
                assertEquals(items.get(item).toString(), interp.describeItem(i));
                float[] p = interp.probs(i);
                assertEquals(argmax(p), d[i]);
                assertEquals(-Math.log(p[t[i]]), losses[i], 1e-5, "per-item cross-entropy of item " + item);
                cm[t[i]][d[i]]++;
            }
            assertArrayEquals(cm[0], interp.confusionMatrix()[0]);
            assertArrayEquals(cm[1], interp.confusionMatrix()[1]);
            TopLoss worst = interp.topLosses(1).get(0);
            float max = Float.NEGATIVE_INFINITY;
            for (float l : losses) {
                max = Math.max(max, l);
            }
            assertEquals(max, worst.loss(), 0);
            assertEquals(items.get(N - VALID + worst.index()).toString(), worst.item());

            // a shuffled loader: every row still names its own item
            ClassificationInterpretation train = ClassificationInterpretation.fromLearner(rig.learn, rig.dls.train());
            assertTrue(train.size() > 0);
            for (int i = 0; i < train.size(); i++) {
                assertTrue(train.describeItem(i).endsWith(", " + train.vocab().get(train.targets()[i]) + ")"),
                        train.describeItem(i));
            }

            assertTrue(interp.canDrawItems());
            int live = TestData.liveArrays();
            Path png = interp.plotTopLosses(4, dir.resolve("top.png"));
            assertEquals(live, TestData.liveArrays(), "plotTopLosses leaves no arrays behind");
            BufferedImage img = ImageIO.read(png.toFile());
            assertEquals(10 + 2 * (128 + 10), img.getWidth(), "4 items in 2 columns of 128 px");
        }
    }

    @Test
    void fromLearnerRefusesANonCategoryTarget() {
        try (TestData.Rig rig = TestData.pointRig(16, 8, 8, 1)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ClassificationInterpretation.fromLearner(rig.learn));
            assertTrue(e.getMessage().contains("CategoryBlock"), e.getMessage());
        }
    }

    @Test
    void showResultsColoursRightGreenAndWrongRed(@TempDir Path dir) throws Exception {
        List<TestData.Sample> items = TestData.blobs(N, 21, 0.6);
        try (TestData.Rig rig = drawableRig(items, 4)) {
            int n = 6;
            boolean[] right = new boolean[n];
            try (Preds p = rig.learn.getPreds()) {
                long[] t = p.targets().toLongArray();
                long[] d = p.decoded().toLongArray();
                for (int i = 0; i < n; i++) {
                    right[i] = t[i] == d[i];
                }
            }
            Set<Boolean> kinds = new TreeSet<>();
            for (boolean r : right) {
                kinds.add(r);
            }
            assertEquals(2, kinds.size(), "the fixture should have right and wrong predictions among the first 6");

            int live = TestData.liveArrays();
            Path png = rig.learn.showResults(n, dir.resolve("results.png"));
            assertEquals(live, TestData.liveArrays(), "showResults leaves no arrays behind");
            BufferedImage img = ImageIO.read(png.toFile());
            int cols = 3;
            int rows = 2;
            for (int i = 0; i < n; i++) {
                int x0 = 10 + (i % cols) * (128 + 10);
                int y0 = (i / cols) * img.getHeight() / rows;
                int green = 0;
                int red = 0;
                for (int y = y0; y < y0 + img.getHeight() / rows; y++) {
                    for (int x = x0; x < x0 + 128; x++) {
                        int rgb = img.getRGB(x, y);
                        int r = rgb >> 16 & 0xff;
                        int g = rgb >> 8 & 0xff;
                        int b = rgb & 0xff;
                        green += g > r + 60 && g > b + 60 ? 1 : 0;
                        red += r > g + 100 && r > b + 100 ? 1 : 0;
                    }
                }
                if (right[i]) {
                    assertTrue(green > 0 && red == 0, "item " + i + " is right: green title, got green " + green + " red " + red);
                } else {
                    assertTrue(red > 0 && green == 0, "item " + i + " is wrong: red title, got green " + green + " red " + red);
                }
            }
        }
    }

    private static final Pattern SRC = Pattern.compile("src=\"([^\"]+)\"");

    private static List<String> images(String html) {
        List<String> out = new ArrayList<>();
        Matcher m = SRC.matcher(html);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    @Test
    void reportLinksEveryImageItWroteAndNothingExternal(@TempDir Path dir) throws Exception {
        List<TestData.Sample> items = TestData.blobs(N, 21, 1.5);
        try (TestData.Rig rig = drawableRig(items, 4)) {
            rig.learn.lrFind(1e-4, 1, 20, true);
            rig.learn.fit(2, 1e-2);
            Path page = TrainingReport.builder(rig.learn).title("Blobs <run 1>").build().write(dir.resolve("out"));
            assertEquals(dir.resolve("out").resolve("report.html"), page);
            String html = Files.readString(page);
            List<String> srcs = images(html);
            assertEquals(List.of("loss.png", "schedule.png", "lr_find.png", "confusion_matrix.png", "top_losses.png",
                    "results.png"), srcs);
            for (String s : srcs) {
                byte[] head = Files.readAllBytes(page.resolveSibling(s));
                assertEquals((byte) 0x89, head[0], s);
                assertEquals('P', head[1], s);
            }
            assertFalse(html.contains("<script"), "no scripts");
            assertFalse(html.contains("http"), "nothing external");
            assertTrue(html.contains("<title>Blobs &lt;run 1&gt;</title>"), "escaped title");
            assertTrue(html.contains("<th>train_loss</th><th>valid_loss</th><th>accuracy</th>"), "epoch table");
            assertEquals(2, html.split("<tr><td class=\"n\">[01]</td>", -1).length - 1, "two epoch rows");
            assertTrue(html.contains("f1-score"), "classification report");
            assertTrue(html.contains("Total params: 82"), "model summary of Linear(2,16) ReLU Linear(16,2)");
            assertTrue(html.contains("<th>suggestion</th>"), "lr_find suggestions");
        }
    }

    @Test
    void reportOnDataThatCannotBeDrawnKeepsTheTextParts(@TempDir Path dir) throws Exception {
        try (TestData.Rig rig = TestData.blobRig(32, 8, 8, 2)) {
            Path page = TrainingReport.builder(rig.learn).summary(false).topLosses(3).build().write(dir);
            String html = Files.readString(page);
            assertEquals(List.of("confusion_matrix.png"), images(html));
            assertTrue(html.contains("No training was recorded in this session."));
            assertTrue(html.contains("<h3>Top losses</h3>"));
            assertEquals(3, html.split("<td>Sample\\(", -1).length - 1, "three top-loss rows naming their items");
            assertFalse(html.contains("Total params"));
            assertFalse(Files.exists(dir.resolve("top_losses.png")));
        }
    }
}

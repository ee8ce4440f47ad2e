package ai.fastai4j.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.fastai4j.data.DataLoader;
import ai.fastai4j.data.DataLoaderOptions;
import ai.fastai4j.data.DataLoaders;
import ai.fastai4j.data.HostBatch;
import ai.fastai4j.learner.Callback;
import ai.fastai4j.learner.Learner;
import ai.fastai4j.vision.Image;
import ai.fastai4j.vision.ImageDataLoaders;
import ai.fastai4j.vision.Normalize;
import ai.fastai4j.vision.VisionLearners;
import ai.fastai4j.vision.augment.AugTransforms;
import ai.fastai4j.vision.augment.RandomResizedCrop;
import ai.fastai4j.vision.models.Arch;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * Does the data pipeline (JPEG decode + RandomResizedCrop + aug_transforms + collate) feed a ResNet-18 training
 * step? For each image size it prints:
 * <ol>
 *   <li>the pipeline's rate alone: loader threads decoding and augmenting JPEGs, plus the copy to the engine and
 *       the batch transforms on the calling thread, no model;</li>
 *   <li>the training rate on data that costs nothing (the same number of already-decoded images at the final
 *       size, no augmentation): the model's own speed;</li>
 *   <li>the training rate end to end on the JPEG pipeline: if it is close to 2, the pipeline keeps up.</li>
 * </ol>
 * The JPEGs are drawn here (gradients, shapes and noise at 500x375, the typical size of Oxford-IIIT Pets and
 * ImageNet photos) into {@code --dir}.
 */
public final class AugPipelineBench {
    private AugPipelineBench() {}

    static final String USAGE = """
            AugPipelineBench: data pipeline rate vs ResNet-18 training rate on JPEGs
              --sizes 128,224   image sizes (default 128,224)
              --images N        training JPEGs (default 192; 8 more validate)
              --bs N            batch size (default 32)
              --workers N       loader threads (default 2)
              --epochs N        pipeline-only epochs per size (default 3)
              --arch NAME       model (default RESNET18)
              --dir DIR         where to write the JPEGs (default bench/target/aug-jpegs)
            """;

    public static void main(String[] args) throws Exception {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("sizes", "128,224");
        d.put("images", "192");
        d.put("bs", "32");
        d.put("workers", "2");
        d.put("epochs", "3");
        d.put("arch", "RESNET18");
        d.put("dir", "bench/target/aug-jpegs");
        BenchArgs a = BenchArgs.parse(args, d, USAGE);
        int nImages = a.integer("images");
        Path dir = writeJpegs(Path.of(a.string("dir")), nImages, 8);
        Arch arch = Arch.valueOf(a.string("arch"));
        Image sample = Image.fromBufferedImage(ImageIO.read(dir.resolve("train/c0/0.jpg").toFile()), 3);
        System.out.println("augmentation grid: " + AugTransforms.defaults().preview(sample, 16, 1,
                dir.resolve("aug_grid.png")));
        System.out.printf(Locale.ROOT, "%d training JPEGs (500x375) in %s, batch %d, %d loader threads, %s, %d cores%n",
                nImages, dir, a.integer("bs"), a.integer("workers"), arch, Runtime.getRuntime().availableProcessors());
        System.out.printf("%-6s %16s %16s %16s %10s %10s%n", "size", "pipeline img/s", "train(free) img/s",
                "train(jpeg) img/s", "pipe/train", "e2e/free");
        for (String s : a.string("sizes").split(",")) {
            int size = Integer.parseInt(s.trim());
            DataLoaderOptions opts = DataLoaderOptions.defaults(a.integer("bs")).withWorkers(a.integer("workers"))
                    .withSeed(7);
            double pipeline;
            double trainJpeg;
            try (DataLoaders dls = ImageDataLoaders.fromFolder(dir).batchSize(a.integer("bs"))
                    .workers(a.integer("workers")).seed(7)
                    .itemTfms(RandomResizedCrop.of(size), AugTransforms.defaults()).batchTfms(Normalize.imagenet())
                    .build()) {
                pipeline = pipelineRate(dls.train(), a.integer("epochs"));
                trainJpeg = trainRate(dls, arch);
            }
            double trainFree;
            try (DataLoaders free = freeData(nImages, size, opts)) {
                trainFree = trainRate(free, arch);
            }
            System.out.printf(Locale.ROOT, "%-6d %16.1f %16.2f %16.2f %10.1f %10.2f%n", size, pipeline, trainFree,
                    trainJpeg, pipeline / trainFree, trainJpeg / trainFree);
        }
    }

    /** Images per second through the loader threads, the copy to the engine and the batch transforms. */
    static double pipelineRate(DataLoader dl, int epochs) {
        long items = 0;
        long t0 = System.nanoTime();
        for (int e = 0; e < epochs; e++) {
            try (DataLoader.EpochIterator it = dl.epoch(); NDManager m = NDManager.newBaseManager()) {
                while (it.hasNext()) {
                    HostBatch hb = it.next();
                    try (NDManager bm = m.newSubManager()) {
                        items += dl.toBatch(hb, bm).size();
                    }
                }
            }
        }
        return items / ((System.nanoTime() - t0) / 1e9);
    }

    /** Training images per second over one epoch (validation excluded), after one warm-up batch. */
    static double trainRate(DataLoaders dls, Arch arch) {
        Engine.getInstance().setRandomSeed(1);
        long[] t = new long[2];
        int[] seen = new int[1];
        Callback timer = new Callback() {
            @Override
            public void afterBatch(Learner learn) {
                if (!learn.isTraining()) {
                    return;
                }
                if (learn.iter() == 0) {
                    t[0] = System.nanoTime(); // skip the first batch: warm-up
                } else {
                    seen[0] += (int) learn.xb().get(0).getShape().get(0);
                    t[1] = System.nanoTime();
                }
            }
        };
        try (Learner learn = VisionLearners.builder(dls, arch).pretrained(false)
                .learner(b -> b.progress(false).callbacks(timer)).build()) {
            learn.fit(1, 1e-3);
        }
        return seen[0] / ((t[1] - t[0]) / 1e9);
    }

    /** Already-decoded images at the final size and no augmentation: the data costs next to nothing. */
    static DataLoaders freeData(int n, int size, DataLoaderOptions opts) {
        Random r = new Random(3);
        List<Image> tx = new ArrayList<>();
        List<String> ty = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] px = new byte[size * size * 3];
            r.nextBytes(px);
            tx.add(new Image(size, size, 3, px));
            ty.add("c" + (i % 4));
        }
        return ImageDataLoaders.fromImages(tx, ty, tx.subList(0, 8), ty.subList(0, 8), opts, List.of(),
                List.of(Normalize.imagenet()));
    }

    /** Writes {@code train} + {@code valid} JPEGs in four class folders (kept if already there). */
    static Path writeJpegs(Path dir, int train, int valid) throws Exception {
        Random r = new Random(11);
        for (String split : List.of("train", "valid")) {
            int n = split.equals("train") ? train : valid;
            for (int i = 0; i < n; i++) {
                String cls = "c" + (i % 4);
                Path f = dir.resolve(split).resolve(cls).resolve(i + ".jpg");
                if (Files.exists(f)) {
                    continue;
                }
                Files.createDirectories(f.getParent());
                ImageIO.write(drawing(500, 375, r), "jpg", f.toFile());
            }
        }
        return dir;
    }

    private static BufferedImage drawing(int w, int h, Random r) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setPaint(new GradientPaint(0, 0, new Color(r.nextInt(0xFFFFFF)), w, h, new Color(r.nextInt(0xFFFFFF))));
        g.fillRect(0, 0, w, h);
        for (int k = 0; k < 12; k++) {
            g.setColor(new Color(r.nextInt(256), r.nextInt(256), r.nextInt(256), 160));
            int x = r.nextInt(w);
            int y = r.nextInt(h);
            if (k % 2 == 0) {
                g.fillOval(x - 40, y - 30, 20 + r.nextInt(120), 20 + r.nextInt(90));
            } else {
                g.fillRect(x - 30, y - 30, 20 + r.nextInt(100), 20 + r.nextInt(80));
            }
        }
        g.dispose();
        for (int i = 0; i < w * h / 8; i++) { // texture, so that JPEG has real work to do
            int x = r.nextInt(w);
            int y = r.nextInt(h);
            int v = img.getRGB(x, y) ^ (r.nextInt(32) * 0x010101);
            img.setRGB(x, y, v);
        }
        return img;
    }
}

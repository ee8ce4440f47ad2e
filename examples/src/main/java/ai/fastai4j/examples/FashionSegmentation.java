package ai.fastai4j.examples;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.fastai4j.data.DataLoaderOptions;
import ai.fastai4j.data.DataLoaders;
import ai.fastai4j.data.Splitters;
import ai.fastai4j.learner.Learner;
import ai.fastai4j.learner.Preds;
import ai.fastai4j.metrics.Metrics;
import ai.fastai4j.nn.BatchNorm;
import ai.fastai4j.nn.Layers;
import ai.fastai4j.nn.Module;
import ai.fastai4j.nn.Sequential;
import ai.fastai4j.vision.Image;
import ai.fastai4j.vision.ImageDataLoaders;
import ai.fastai4j.vision.ImageFiles;
import ai.fastai4j.vision.Mask;
import ai.fastai4j.vision.Normalize;
import ai.fastai4j.vision.SegmentationDataLoaders;
import ai.fastai4j.vision.VisionLearners;
import ai.fastai4j.vision.data.FashionMnist;
import ai.fastai4j.vision.data.IdxImages;
import ai.fastai4j.vision.models.Arch;
import ai.fastai4j.vision.models.VisionModels;
import ai.fastai4j.vision.models.unet.PixelShuffleIcnr;
import ai.fastai4j.vision.models.unet.UnetLayers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * Segmentation on real images that exist here: canvases of 64x64 with 1 to 4 Fashion-MNIST garments at random
 * places (later garments on top), each pixel labelled with the class of the garment visible there (pixel value
 * above 30), background elsewhere; written as PNG image and mask folders (seeded). Training canvases use garments
 * of the training split, held-out canvases garments of the test split.
 *
 * <p>Three models, same data, same {@code fine_tune} budget, scored on the held-out canvases (mean IoU over the 11
 * codes, foreground accuracy):
 * <ol>
 *   <li>{@code unetLearner} whose encoder (fastai's simple CNN by default: four stride-2 convolutions, cheap on
 *       a shared CPU; {@code --arch SMALL_RESNET} for a ResNet) was pretrained on Fashion-MNIST classification here (as
 *       {@code TransferLearning} does: no downloads);
 *   <li>the same U-Net from random weights;
 *   <li>a plain fully-convolutional net, the same pretrained encoder and an upsampling decoder without skip
 *       connections.
 * </ol>
 *
 * <pre>
 * examples/run FashionSegmentation [--data DIR] [--arch SIMPLE_CNN] [--train 600] [--valid 200] [--epochs 4]
 *     [--lr 2e-3] [--pretrain-images 12000] [--seed 42] [--out fashion-seg]
 * </pre>
 *
 * Data: {@code --data DIR} holding the IDX files, else {@link FashionMnist#locate()}.
 */
public final class FashionSegmentation {
    private FashionSegmentation() {}

    static final int SIZE = 64;
    static final int VISIBLE = 30;

    /** "background" then the 10 Fashion-MNIST classes: code = class + 1. */
    static List<String> codes() {
        List<String> c = new ArrayList<>();
        c.add("background");
        c.addAll(FashionMnist.CLASSES);
        return c;
    }

    /** Writes {@code n} canvases from {@code idx} into {@code dir}/images and {@code dir}/labels; returns the images. */
    static List<Path> makeCanvases(IdxImages idx, int[] labels, int n, long seed, Path dir, String prefix)
            throws IOException {
        Files.createDirectories(dir.resolve("images"));
        Files.createDirectories(dir.resolve("labels"));
        Random r = new Random(seed);
        List<Path> files = new ArrayList<>();
        int g = idx.rows();
        for (int k = 0; k < n; k++) {
            byte[] px = new byte[SIZE * SIZE];
            byte[] codes = new byte[SIZE * SIZE];
            int garments = 1 + r.nextInt(4);
            for (int j = 0; j < garments; j++) {
                int i = r.nextInt(idx.count());
                int oy = r.nextInt(SIZE - g + 1);
                int ox = r.nextInt(SIZE - g + 1);
                byte[] src = idx.image(i);
                for (int y = 0; y < g; y++) {
                    for (int x = 0; x < g; x++) {
                        int v = src[y * g + x] & 0xff;
                        if (v > VISIBLE) {
                            px[(oy + y) * SIZE + ox + x] = (byte) v;
                            codes[(oy + y) * SIZE + ox + x] = (byte) (labels[i] + 1);
                        }
                    }
                }
            }
            String name = String.format(Locale.ROOT, "%s%05d.png", prefix, k);
            Path f = dir.resolve("images").resolve(name);
            ImageIO.write(new Image(SIZE, SIZE, 1, px).toBufferedImage(), "png", f.toFile());
            ImageIO.write(new Mask(SIZE, SIZE, codes).toBufferedImage(), "png", dir.resolve("labels").resolve(name)
                    .toFile());
            files.add(f);
        }
        return files;
    }

    /** The plain FCN: the encoder, then upsampling (pixel shuffle) convolutions back to the input size, no skips. */
    static Sequential plainFcn(NDManager m, Sequential encoder, int nf, int nOut, int downsample) {
        Sequential dec = new Sequential(new BatchNorm(m, nf), Layers.relu(), UnetLayers.convLayer(m, nf, nf, 3, true));
        int c = nf;
        for (int s = downsample; s > 1; s /= 2) {
            dec.add(new PixelShuffleIcnr(m, c, c / 2, 2, false));
            c /= 2;
            dec.add(UnetLayers.convLayer(m, c, c, 3, true));
        }
        dec.add(UnetLayers.convLayer(m, c, nOut, 1, false));
        return new Sequential(encoder, dec);
    }

    /** How much the encoder shrinks a canvas (a power of two). */
    static int downsampling(Sequential encoder) {
        try (ai.fastai4j.engine.NoGrad ng = ai.fastai4j.engine.NoGrad.enter();
                NDManager tmp = NDManager.newBaseManager()) {
            encoder.eval();
            long w = encoder.call(tmp.zeros(new ai.djl.ndarray.types.Shape(1, 1, SIZE, SIZE))).getShape().get(3);
            encoder.train(true);
            return (int) (SIZE / w);
        }
    }

    /** Mean IoU over the codes present in target or prediction, and foreground accuracy, of held-out canvases. */
    record Score(double meanIou, double foregroundAcc, double[] iou) {}

    static Score score(Preds p, int nCodes) {
        try (p) {
            long[] got = p.decoded().toType(DataType.INT64, false).toLongArray();
            long[] want = p.targets().toType(DataType.INT64, false).toLongArray();
            long[] inter = new long[nCodes];
            long[] union = new long[nCodes];
            long fg = 0;
            long fgRight = 0;
            for (int i = 0; i < got.length; i++) {
                int a = (int) got[i];
                int b = (int) want[i];
                if (a == b) {
                    inter[a]++;
                    union[a]++;
                } else {
                    union[a]++;
                    union[b]++;
                }
                if (b != 0) {
                    fg++;
                    fgRight += a == b ? 1 : 0;
                }
            }
            double[] iou = new double[nCodes];
            double sum = 0;
            int n = 0;
            for (int c = 0; c < nCodes; c++) {
                iou[c] = union[c] == 0 ? Double.NaN : (double) inter[c] / union[c];
                if (union[c] > 0) {
                    sum += iou[c];
                    n++;
                }
            }
            return new Score(sum / n, (double) fgRight / fg, iou);
        }
    }

    public static void main(String[] argv) throws Exception {
        Path dataDir = null;
        int nTrain = 600;
        int nValid = 200;
        int epochs = 4;
        double lr = 2e-3;
        int pretrainImages = 12000;
        long seed = 42;
        Arch arch = Arch.SIMPLE_CNN;
        Path out = Path.of("fashion-seg");
        for (int i = 0; i + 1 < argv.length; i += 2) {
            String v = argv[i + 1];
            switch (argv[i]) {
                case "--data" -> dataDir = Path.of(v);
                case "--train" -> nTrain = Integer.parseInt(v);
                case "--valid" -> nValid = Integer.parseInt(v);
                case "--epochs" -> epochs = Integer.parseInt(v);
                case "--lr" -> lr = Double.parseDouble(v);
                case "--pretrain-images" -> pretrainImages = Integer.parseInt(v);
                case "--seed" -> seed = Long.parseLong(v);
                case "--arch" -> arch = Arch.valueOf(v.toUpperCase(Locale.ROOT));
                case "--out" -> out = Path.of(v);
                default -> throw new IllegalArgumentException("unknown option " + argv[i]);
            }
        }
        FashionMnist fm = FashionMnist.load(dataDir != null ? dataDir : FashionMnist.locate());
        Path data = out.resolve("data");
        long t0 = System.nanoTime();
        List<Path> files = new ArrayList<>(makeCanvases(fm.trainImages(), fm.trainLabels(), nTrain, seed, data, "train"));
        files.addAll(makeCanvases(fm.testImages(), fm.testLabels(), nValid, seed + 1, data, "valid"));
        System.out.printf("%d training and %d held-out canvases written to %s (%.1f s)%n", nTrain, nValid, data,
                (System.nanoTime() - t0) / 1e9);

        // 1. Pretrain the encoder on Fashion-MNIST classification (28x28, all 10 classes) and keep its body.
        Path body = out.resolve("fashion-body.safetensors");
        Engine.getInstance().setRandomSeed((int) seed);
        t0 = System.nanoTime();
        List<Image> ti = new ArrayList<>();
        List<String> tl = new ArrayList<>();
        List<Image> vi = new ArrayList<>();
        List<String> vl = new ArrayList<>();
        for (int i = 0; i < pretrainImages; i++) {
            ti.add(new Image(28, 28, 1, fm.trainImages().image(i)));
            tl.add(FashionMnist.CLASSES.get(fm.trainLabels()[i]));
        }
        for (int i = 0; i < 1000; i++) {
            vi.add(new Image(28, 28, 1, fm.testImages().image(i)));
            vl.add(FashionMnist.CLASSES.get(fm.testLabels()[i]));
        }
        try (DataLoaders dls = ImageDataLoaders.fromImages(ti, tl, vi, vl,
                        DataLoaderOptions.defaults(128).withSeed(seed), List.of(), List.of(Normalize.mnist()));
                Learner learn = VisionLearners.builder(dls, arch).pretrained(false)
                        .metrics(Metrics.accuracy()).build()) {
            learn.fitOneCycle(1, 5e-3);
            VisionModels.saveBody(learn.model(), body);
        }
        double pretrainSeconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("encoder pretrained on %d Fashion-MNIST images in %.0f s%n", pretrainImages, pretrainSeconds);

        List<String> codes = codes();
        String[] names = {"unet_learner, pretrained encoder", "same U-Net, random weights",
            "plain FCN (no skips), pretrained encoder"};
        Score[] scores = new Score[3];
        double[] seconds = new double[3];
        for (int k = 0; k < 3; k++) {
            Engine.getInstance().setRandomSeed((int) seed);
            try (DataLoaders dls = SegmentationDataLoaders.fromLabelFunc(data, files,
                            f -> data.resolve("labels").resolve(f.getFileName()), codes)
                    .grey().batchSize(16).seed(seed)
                    .splitter(Splitters.byPredicate(f -> f.getFileName().toString().startsWith("valid")))
                    .batchTfms(Normalize.mnist()).build();
                    NDManager m = NDManager.newBaseManager()) {
                Learner learn;
                if (k == 0) {
                    learn = VisionLearners.unetBuilder(dls, arch).weightsFile(body)
                            .normalize(false).metrics(Metrics.foregroundAcc(), Metrics.diceMulti()).build();
                } else if (k == 1) {
                    learn = VisionLearners.unetBuilder(dls, arch).pretrained(false)
                            .metrics(Metrics.foregroundAcc(), Metrics.diceMulti()).build();
                } else {
                    Sequential encoder = arch.createBody(m, 1);
                    encoder.loadStateDict(ai.fastai4j.io.Safetensors.read(body, m), true);
                    Module fcn = plainFcn(m, encoder, arch.numFeatures(), codes.size(), downsampling(encoder));
                    learn = ai.fastai4j.learner.Learner.builder(dls, fcn).splitter(VisionModels::paramGroups)
                            .lossFunction(ai.fastai4j.losses.Losses.crossEntropy())
                            .metrics(Metrics.foregroundAcc(), Metrics.diceMulti()).build();
                    learn.freeze();
                }
                try (learn) {
                    System.out.println("\n" + names[k] + ": fine_tune(" + epochs + ", " + lr + ")");
                    t0 = System.nanoTime();
                    learn.fineTune(epochs, lr);
                    seconds[k] = (System.nanoTime() - t0) / 1e9;
                    scores[k] = score(learn.getPreds(), codes.size());
                    if (k == 0) {
                        System.out.println("results: " + learn.showResults(8, out.resolve("unet_results.png")));
                        ai.fastai4j.interpret.TrainingReport.builder(learn).build().write(out.resolve("unet_report"));
                    }
                }
            }
        }
        System.out.printf("%nheld-out canvases: %d (64x64, garments of the test split)%n", nValid);
        for (int k = 0; k < 3; k++) {
            System.out.printf(Locale.ROOT, "  %-42s mean IoU %.4f  foreground acc %.4f  (%.0f s)%n", names[k],
                    scores[k].meanIou(), scores[k].foregroundAcc(), seconds[k]);
        }
        System.out.print("  per-code IoU of the U-Net:");
        for (int c = 0; c < codes.size(); c++) {
            System.out.printf(Locale.ROOT, " %s %.2f;", codes.get(c), scores[0].iou()[c]);
        }
        System.out.println();
    }
}

package ai.fastai4j.examples;

import ai.djl.engine.Engine;
import ai.fastai4j.data.DataLoaderOptions;
import ai.fastai4j.data.DataLoaders;
import ai.fastai4j.learner.Learner;
import ai.fastai4j.learner.Preds;
import ai.fastai4j.metrics.Metrics;
import ai.fastai4j.vision.Image;
import ai.fastai4j.vision.ImageDataLoaders;
import ai.fastai4j.vision.Normalize;
import ai.fastai4j.vision.VisionLearners;
import ai.fastai4j.vision.augment.AugTransforms;
import ai.fastai4j.vision.data.FashionMnist;
import ai.fastai4j.vision.data.IdxImages;
import ai.fastai4j.vision.models.Arch;
import ai.fastai4j.vision.models.VisionModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Transfer learning for real, with no model hub: pretrain a ResNet on Fashion-MNIST classes 0-4 (T-shirt, trouser,
 * pullover, dress, coat; all 30,000 training images), keep its body, then {@code fineTune} on classes 5-9 (sandal,
 * shirt, sneaker, bag, ankle boot) from only 20 labelled images per class. The baseline is the same learner from
 * random weights with the same training budget. Both are scored on the full test split of classes 5-9 (5,000
 * images), also with test-time augmentation.
 *
 * <pre>
 * examples/run TransferLearning [--data DIR] [--arch SMALL_RESNET] [--pretrain-epochs 2] [--shots 20]
 *     [--epochs 10] [--lr 2e-3] [--seed 42] [--pretrain-images N] [--reuse-body true]
 * </pre>
 *
 * {@code --reuse-body true} skips the pretraining when {@code transfer/fashion04-body.safetensors} exists.
 *
 * Data: {@code --data DIR} holding the four IDX files, else {@link FashionMnist#locate()} (data folder, cache,
 * Debian's dataset-fashion-mnist package).
 */
public final class TransferLearning {
    private TransferLearning() {}

    /** Images of {@code classes} from an IDX set, as (image, label) lists; {@code perClass} 0 = all. */
    record Subset(List<Image> images, List<String> labels) {
        static Subset of(IdxImages idx, int[] labels, int fromClass, int toClass, int perClass, long seed) {
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < labels.length; i++) {
                order.add(i);
            }
            if (perClass > 0) {
                Collections.shuffle(order, new Random(seed));
            }
            int[] taken = new int[10];
            List<Image> images = new ArrayList<>();
            List<String> names = new ArrayList<>();
            for (int i : order) {
                int c = labels[i];
                if (c < fromClass || c > toClass || (perClass > 0 && taken[c] >= perClass)) {
                    continue;
                }
                taken[c]++;
                images.add(new Image(idx.rows(), idx.cols(), 1, idx.image(i)));
                names.add(FashionMnist.CLASSES.get(c));
            }
            return new Subset(images, names);
        }

        Subset limit(int n) {
            return n <= 0 || n >= images.size() ? this : new Subset(images.subList(0, n), labels.subList(0, n));
        }
    }

    static final class Args {
        Path data;
        Arch arch = Arch.SMALL_RESNET;
        int pretrainEpochs = 2;
        int pretrainImages = 0;
        int shots = 20;
        int epochs = 10;
        double lr = 2e-3;
        long seed = 42;
        boolean reuseBody;

        static Args parse(String[] a) {
            Args r = new Args();
            for (int i = 0; i < a.length; i += 2) {
                if (i + 1 >= a.length) {
                    throw new IllegalArgumentException("option " + a[i] + " needs a value");
                }
                String v = a[i + 1];
                switch (a[i]) {
                    case "--data" -> r.data = Path.of(v);
                    case "--arch" -> r.arch = Arch.valueOf(v.toUpperCase(java.util.Locale.ROOT));
                    case "--pretrain-epochs" -> r.pretrainEpochs = Integer.parseInt(v);
                    case "--pretrain-images" -> r.pretrainImages = Integer.parseInt(v);
                    case "--shots" -> r.shots = Integer.parseInt(v);
                    case "--epochs" -> r.epochs = Integer.parseInt(v);
                    case "--lr" -> r.lr = Double.parseDouble(v);
                    case "--seed" -> r.seed = Long.parseLong(v);
                    case "--reuse-body" -> r.reuseBody = Boolean.parseBoolean(v);
                    default -> throw new IllegalArgumentException("unknown option " + a[i]);
                }
            }
            return r;
        }
    }

    public static void main(String[] argv) throws Exception {
        Args a = Args.parse(argv);
        FashionMnist fm = FashionMnist.load(a.data != null ? a.data : FashionMnist.locate());
        Subset source = Subset.of(fm.trainImages(), fm.trainLabels(), 0, 4, 0, a.seed).limit(a.pretrainImages);
        Subset sourceValid = Subset.of(fm.testImages(), fm.testLabels(), 0, 4, 0, a.seed);
        Subset target = Subset.of(fm.trainImages(), fm.trainLabels(), 5, 9, a.shots, a.seed);
        Subset targetTest = Subset.of(fm.testImages(), fm.testLabels(), 5, 9, 0, a.seed);
        System.out.printf("pretraining: %d images of classes 0-4; target: %d images (%d per class) of classes 5-9,"
                + " scored on %d test images%n", source.images().size(), target.images().size(), a.shots,
                targetTest.images().size());
        Path out = Files.createDirectories(Path.of("transfer"));
        Path body = out.resolve("fashion04-body.safetensors");

        // 1. Pretrain on classes 0-4 and keep the body (torchvision names, no head).
        Engine.getInstance().setRandomSeed((int) a.seed);
        long t0 = System.nanoTime();
        if (a.reuseBody && Files.exists(body)) {
            System.out.println("reusing the pretrained body " + body);
        } else try (DataLoaders dls = ImageDataLoaders.fromImages(source.images(), source.labels(), sourceValid.images(),
                        sourceValid.labels(), DataLoaderOptions.defaults(128).withSeed(a.seed), List.of(),
                        List.of(Normalize.mnist()));
                Learner learn = VisionLearners.builder(dls, a.arch).pretrained(false).metrics(Metrics.accuracy())
                        .build()) {
            learn.fitOneCycle(a.pretrainEpochs, 5e-3);
            VisionModels.saveBody(learn.model(), body);
            System.out.printf("pretrained body saved to %s (%.0f s)%n", body, (System.nanoTime() - t0) / 1e9);
        }

        // 2. Fine-tune on 20 images per class of 5-9, against the same learner from random weights; with so few
        //    images, augmentation matters (its grid: transfer/augmentations.png).
        AugTransforms aug = AugTransforms.builder().doFlip(true).maxRotate(10).maxWarp(0.1).build();
        aug.preview(target.images().get(0), 16, a.seed, out.resolve("augmentations.png"));
        double pretrained = 0;
        double pretrainedTta = 0;
        double scratch = 0;
        double scratchTta = 0;
        for (boolean fromPretrained : new boolean[] {true, false}) {
            Engine.getInstance().setRandomSeed((int) a.seed);
            try (DataLoaders dls = ImageDataLoaders.fromImages(target.images(), target.labels(),
                            targetTest.images(), targetTest.labels(),
                            DataLoaderOptions.defaults(16).withSeed(a.seed),
                            List.of(aug),
                            List.of(Normalize.mnist()));
                    Learner learn = (fromPretrained
                            ? VisionLearners.builder(dls, a.arch).weightsFile(body)
                            : VisionLearners.builder(dls, a.arch).pretrained(false)).metrics(Metrics.accuracy())
                            .build()) {
                System.out.println(fromPretrained ? "\nfine_tune from the pretrained body:"
                        : "\nthe same learner from random weights, same budget:");
                learn.fineTune(a.epochs, a.lr);
                double acc = accuracy(learn.getPreds());
                double accTta = accuracy(learn.tta());
                if (fromPretrained) {
                    pretrained = acc;
                    pretrainedTta = accTta;
                } else {
                    scratch = acc;
                    scratchTta = accTta;
                }
            }
        }
        System.out.printf("%naccuracy on the %d test images of classes 5-9 (%d training images):%n",
                targetTest.images().size(), target.images().size());
        System.out.printf("  pretrained on classes 0-4, fine_tune(%d, %.0e): %.2f%%  (with TTA %.2f%%)%n", a.epochs, a.lr,
                100 * pretrained, 100 * pretrainedTta);
        System.out.printf("  random weights, same fine_tune:            %.2f%%  (with TTA %.2f%%)%n", 100 * scratch,
                100 * scratchTta);
    }

    private static double accuracy(Preds p) {
        try (p) {
            long[] got = p.decoded().toType(ai.djl.ndarray.types.DataType.INT64, false).toLongArray();
            long[] want = p.targets().toType(ai.djl.ndarray.types.DataType.INT64, false).toLongArray();
            int right = 0;
            for (int i = 0; i < got.length; i++) {
                right += got[i] == want[i] ? 1 : 0;
            }
            return (double) right / got.length;
        }
    }
}

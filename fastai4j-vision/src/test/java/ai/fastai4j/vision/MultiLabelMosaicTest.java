package ai.fastai4j.vision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.fastai4j.data.DataBlock;
import ai.fastai4j.data.DataLoaderOptions;
import ai.fastai4j.data.DataLoaders;
import ai.fastai4j.data.MultiCategoryBlock;
import ai.fastai4j.data.SplitIndices;
import ai.fastai4j.data.external.ExternalData;
import ai.fastai4j.data.external.URLs;
import ai.fastai4j.learner.Learner;
import ai.fastai4j.learner.Prediction;
import ai.fastai4j.losses.Losses;
import ai.fastai4j.metrics.Metrics;
import ai.fastai4j.vision.models.Arch;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Multi-label classification on real images: side-by-side mosaics of two Fashion-MNIST items of different
 * classes, labelled with both classes.
 */
class MultiLabelMosaicTest {
    record Mosaic(Image image, List<String> labels) {}

    private static List<Mosaic> mosaics(Path folder, int n, long seed) {
        List<Path> files = ImageFiles.recursive(folder);
        Random r = new Random(seed);
        List<Mosaic> out = new ArrayList<>();
        while (out.size() < n) {
            Path a = files.get(r.nextInt(files.size()));
            Path b = files.get(r.nextInt(files.size()));
            String la = a.getParent().getFileName().toString();
            String lb = b.getParent().getFileName().toString();
            if (la.equals(lb)) {
                continue;
            }
            Image ia = ImageFiles.read(a, 1);
            Image ib = ImageFiles.read(b, 1);
            byte[] px = new byte[28 * 56];
            for (int y = 0; y < 28; y++) {
                System.arraycopy(ia.pixels(), y * 28, px, y * 56, 28);
                System.arraycopy(ib.pixels(), y * 28, px, y * 56 + 28, 28);
            }
            out.add(new Mosaic(new Image(28, 56, 1, px), List.of(la, lb)));
        }
        return out;
    }

    @Test
    void learnsBothLabelsOfMosaics() {
        Engine.getInstance().setRandomSeed(7);
        Path data = ExternalData.untarData(URLs.FASHION_MNIST_SAMPLE);
        List<Mosaic> items = new ArrayList<>(mosaics(data.resolve("train"), 1500, 1));
        List<Mosaic> valid = mosaics(data.resolve("valid"), 300, 2);
        int nTrain = items.size();
        items.addAll(valid);
        DataBlock<Mosaic> block = DataBlock.<Mosaic>builder(ImageBlock.grey(), MultiCategoryBlock.create())
                .getX(Mosaic::image).getY(Mosaic::labels)
                .splitter(its -> new SplitIndices(java.util.stream.IntStream.range(0, nTrain).toArray(),
                        java.util.stream.IntStream.range(nTrain, its.size()).toArray()))
                .build();
        try (DataLoaders dls = block.dataLoaders(items, DataLoaderOptions.defaults(64));
                Learner learn = VisionLearners.create(dls, Arch.SMALL_RESNET, b -> b.progress(false),
                        Metrics.accuracyMulti())) {
            assertEquals(10, dls.c());
            assertEquals(Losses.bceWithLogits().name(), learn.lossFunction().name());
            learn.fitOneCycle(4, 5e-3);
            double acc = learn.recorder().values().get(3).get(2);
            // predicting "no label" everywhere scores 0.8 (2 of 10 labels are on)
            assertTrue(acc > 0.85, "accuracy_multi " + acc);
            int exact = 0;
            for (Mosaic m : valid.subList(0, 50)) {
                Prediction p = learn.predict(m.image());
                @SuppressWarnings("unchecked")
                List<String> labels = (List<String>) p.label();
                if (labels.size() == 2 && labels.containsAll(m.labels())) {
                    exact++;
                }
            }
            assertTrue(exact >= 10, "exact label sets " + exact + "/50");
        }
    }
}

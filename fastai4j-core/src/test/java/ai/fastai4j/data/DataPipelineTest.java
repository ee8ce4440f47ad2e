package ai.fastai4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataPipelineTest {

    record Item(int id, float[] x, String label) {
        @Override
        public String toString() {
            return "Item#" + id + "(" + label + ")";
        }
    }

    private static List<Item> items(int n) {
        List<Item> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new Item(i, new float[] {i, -i, 0.5f * i}, i % 3 == 0 ? "c" : i % 2 == 0 ? "a" : "b"));
        }
        return out;
    }

    private static DataBlock.Builder<Item> builder(Splitter<Item> splitter) {
        return DataBlock.<Item>builder(VectorBlock.of(3), CategoryBlock.create()).getX(Item::x).getY(Item::label)
                .splitter(splitter);
    }

    private static <I> Splitter<I> lastAsValid(int n, int nValid) {
        return Splitters.byIndex(IntStream.range(n - nValid, n).toArray());
    }

    @Test
    void summaryOnGoodItemsEndsWithOk() {
        String s = builder(lastAsValid(20, 5)).build().summary(items(20));
        assertTrue(s.startsWith("Found 20 items"), s);
        assertTrue(s.contains("2 datasets of sizes 15,5"), s);
        assertTrue(s.contains("Categorize -> "), s);
        assertTrue(s.contains("Collated batch: CONTINUOUS (4, 3) float32, CATEGORY (4) int64"), s);
        assertTrue(s.strip().endsWith("OK: every step ran"), s);
    }

    @Test
    void summaryNamesTheFailingStep() {
        DataBlock<Item> badX = DataBlock.<Item>builder(VectorBlock.of(3), CategoryBlock.create())
                .getX(it -> {
                    throw new IllegalStateException("no vector for " + it);
                }).getY(Item::label).splitter(lastAsValid(20, 5)).build();
        String s = badX.summary(items(20));
        assertTrue(s.contains("FAILED at block VectorBlock: no vector for Item#0(c)"), s);
        assertTrue(!s.contains("OK"), s);

        DataBlock<Item> badY = DataBlock.<Item>builder(VectorBlock.of(3), CategoryBlock.create()).getX(Item::x)
                .getY(it -> it.id() == 3 ? null : it.label()).splitter(lastAsValid(20, 5)).build();
        String s2 = badY.summary(items(20));
        assertTrue(s2.contains("FAILED at setting up the pipelines"), s2);
        assertTrue(s2.contains("missing label"), s2);

        // a vector of the wrong length fails when collating, and the summary says so
        DataBlock<Item> badLen = DataBlock.<Item>builder(VectorBlock.of(4), CategoryBlock.create()).getX(Item::x)
                .getY(Item::label).splitter(lastAsValid(20, 5)).build();
        String s3 = badLen.summary(items(20));
        assertTrue(s3.contains("FAILED at collating a batch of 4"), s3);
        assertTrue(s3.contains("vector of length 3, expected 4"), s3);
    }

    @Test
    void unseenValidationLabelFailsAtDatasetsNamingLabelAndItem() {
        List<Item> its = new ArrayList<>(items(12));
        its.set(11, new Item(11, new float[] {1, 2, 3}, "zebra"));
        DataException e = assertThrows(DataException.class, () -> builder(lastAsValid(12, 3)).build().datasets(its));
        assertTrue(e.getMessage().contains("'zebra'"), e.getMessage());
        assertTrue(e.getMessage().contains("Item#11(zebra)"), e.getMessage());
        assertTrue(e.getMessage().contains("[a, b, c]"), "the vocabulary is shown: " + e.getMessage());
    }

    @Test
    void batchSizeLargerThanTrainingSetIsAClearError() {
        DataBlock<Item> block = builder(lastAsValid(20, 4)).build();
        DataException e = assertThrows(DataException.class,
                () -> block.dataLoaders(items(20), DataLoaderOptions.defaults(64).withWorkers(2)));
        assertTrue(e.getMessage().contains("batch size 64") && e.getMessage().contains("16 items"), e.getMessage());
        // exactly the training set size is fine
        try (DataLoaders dls = block.dataLoaders(items(20), DataLoaderOptions.defaults(16).withWorkers(0))) {
            assertEquals(1, dls.train().numBatches());
        }
    }

    private static List<String> epochDump(DataLoader dl) {
        List<String> out = new ArrayList<>();
        try (DataLoader.EpochIterator it = dl.epoch()) {
            while (it.hasNext()) {
                HostBatch b = it.next();
                StringBuilder sb = new StringBuilder(Arrays.toString(b.indices()));
                for (HostTensor t : b.inputs()) {
                    sb.append(' ').append(t.shape()).append(bytes(t));
                }
                for (HostTensor t : b.targets()) {
                    sb.append(' ').append(t.shape()).append(bytes(t));
                }
                out.add(sb.toString());
            }
        }
        return out;
    }

    private static String bytes(HostTensor t) {
        ByteBuffer d = t.data().duplicate();
        d.rewind();
        byte[] b = new byte[d.remaining()];
        d.get(b);
        return Arrays.toString(b);
    }

    @Test
    void workersGiveTheSameBatchesAsTheTrainingThread() {
        DataBlock<Item> block = builder(lastAsValid(50, 10)).build();
        List<Item> its = items(50);
        try (DataLoaders serial = block.dataLoaders(its, DataLoaderOptions.defaults(6).withWorkers(0));
                DataLoaders parallel = block.dataLoaders(its, DataLoaderOptions.defaults(6).withWorkers(3))) {
            for (int epoch = 0; epoch < 3; epoch++) {
                List<String> a = epochDump(serial.train());
                List<String> b = epochDump(parallel.train());
                assertEquals(6, a.size());
                assertEquals(a, b, "train epoch " + epoch);
                assertEquals(epochDump(serial.valid()), epochDump(parallel.valid()), "valid epoch " + epoch);
            }
        }
    }

    @Test
    void dropLastAndShuffling() {
        // 10 training items, 7 validation items, batch size 4
        DataBlock<Item> block = builder(lastAsValid(17, 7)).build();
        List<Item> its = items(17);
        try (DataLoaders dls = block.dataLoaders(its, DataLoaderOptions.defaults(4).withWorkers(2))) {
            DataLoader train = dls.train();
            assertEquals(2, train.numBatches(), "the last partial training batch is dropped");
            List<int[]> orders = new ArrayList<>();
            for (int epoch = 0; epoch < 4; epoch++) {
                List<Integer> seen = new ArrayList<>();
                try (DataLoader.EpochIterator it = train.epoch()) {
                    while (it.hasNext()) {
                        HostBatch b = it.next();
                        assertEquals(4, b.size());
                        for (int k = 0; k < b.size(); k++) {
                            int pos = b.indices()[k];
                            seen.add(pos);
                            // the row holds the item at that position of the training split
                            float[] x = new float[3];
                            ByteBuffer d = b.inputs().get(0).data().duplicate().order(java.nio.ByteOrder.nativeOrder());
                            d.rewind();
                            d.asFloatBuffer().position(3 * k).get(x);
                            assertArrayEquals(its.get(dls.datasets().split().train()[pos]).x(), x);
                        }
                    }
                }
                assertEquals(8, seen.size());
                assertEquals(8, seen.stream().distinct().count(), "no item twice in an epoch");
                assertTrue(seen.stream().allMatch(p -> p >= 0 && p < 10));
                orders.add(seen.stream().mapToInt(Integer::intValue).toArray());
            }
            assertTrue(!Arrays.equals(orders.get(0), orders.get(1)) || !Arrays.equals(orders.get(1), orders.get(2)),
                    "each epoch is shuffled anew");
            assertNotEquals(Arrays.toString(IntStream.range(0, 8).toArray()), Arrays.toString(orders.get(0)));

            DataLoader valid = dls.valid();
            assertEquals(2, valid.numBatches(), "validation keeps the last partial batch");
            List<Integer> validOrder = new ArrayList<>();
            List<Integer> sizes = new ArrayList<>();
            try (DataLoader.EpochIterator it = valid.epoch()) {
                while (it.hasNext()) {
                    HostBatch b = it.next();
                    sizes.add(b.size());
                    Arrays.stream(b.indices()).forEach(validOrder::add);
                }
            }
            assertEquals(List.of(4, 3), sizes);
            assertEquals(List.of(0, 1, 2, 3, 4, 5, 6), validOrder, "validation in item order");
        }
        // the same seed gives the same epochs in a new loader; another seed another order
        try (DataLoaders a = block.dataLoaders(its, DataLoaderOptions.defaults(4).withWorkers(0));
                DataLoaders b = block.dataLoaders(its, DataLoaderOptions.defaults(4).withWorkers(0));
                DataLoaders c = block.dataLoaders(its, DataLoaderOptions.defaults(4).withWorkers(0).withSeed(7))) {
            assertEquals(epochDump(a.train()), epochDump(b.train()));
            assertNotEquals(epochDump(a.train()), epochDump(c.train()));
        }
        // without shuffling or dropping: items in order, last batch partial
        try (DataLoaders plain = block.dataLoaders(its, new DataLoaderOptions(4, 0, 42L, false, false, 2))) {
            assertEquals(3, plain.train().numBatches());
            List<Integer> order = new ArrayList<>();
            try (DataLoader.EpochIterator it = plain.train().epoch()) {
                while (it.hasNext()) {
                    Arrays.stream(it.next().indices()).forEach(order::add);
                }
            }
            assertEquals(IntStream.range(0, 10).boxed().toList(), order);
        }
    }

    @Test
    void loaderErrorsNameTheItem() {
        List<Item> its = new ArrayList<>(items(12));
        its.set(2, new Item(2, new float[] {1, 2}, "a")); // too short a vector
        DataBlock<Item> block = builder(lastAsValid(12, 4)).build();
        try (DataLoaders dls = block.dataLoaders(its, new DataLoaderOptions(4, 2, 42L, false, true, 2))) {
            DataException e = assertThrows(DataException.class, () -> epochDump(dls.train()));
            assertTrue(e.getMessage().contains("Item#0(c)") && e.getMessage().contains("vector of length 2"),
                    e.getMessage());
        }
    }

    @Test
    void regressionTargetsMustBeNumbers() {
        List<Item> its = items(8);
        DataBlock<Item> block = DataBlock.<Item>builder(VectorBlock.of(3), RegressionBlock.create()).getX(Item::x)
                .getY(it -> it.id() == 5 ? "n/a" : String.valueOf(it.id())).splitter(lastAsValid(8, 2)).build();
        DataException e = assertThrows(DataException.class, () -> block.datasets(its));
        assertTrue(e.getMessage().contains("'n/a'") && e.getMessage().contains("Item#5"), e.getMessage());
    }

    @Test
    void csvTableErrorsNameFileColumnAndLine(@TempDir Path dir) throws IOException {
        Path csv = dir.resolve("labels.csv");
        Files.writeString(csv, "name,label\na.png,cat\nb.png,dog\n");
        CsvTable t = CsvTable.read(csv);
        assertEquals(2, t.rows().size());
        assertEquals("dog", t.rows().get(1).get("label"));
        DataException e = assertThrows(DataException.class, () -> t.requireColumn("species"));
        assertTrue(e.getMessage().contains(csv.toString()) && e.getMessage().contains("'species'")
                && e.getMessage().contains("[name, label]"), e.getMessage());
        DataException e2 = assertThrows(DataException.class, () -> t.rows().get(0).get("species"));
        assertTrue(e2.getMessage().contains(csv.toString()) && e2.getMessage().contains("'species'"), e2.getMessage());
        // a label column that is missing fails when the datasets are built, naming the file and the column
        DataBlock<CsvTable.Row> block = DataBlock.<CsvTable.Row>builder(CategoryBlock.create(), CategoryBlock.create())
                .getX(Labellers.column("name")).getY(Labellers.column("species")).splitter(Splitters.byIndex(1))
                .build();
        DataException e3 = assertThrows(DataException.class, () -> block.datasets(t.rows()));
        assertTrue(e3.getMessage().contains(csv.toString()) && e3.getMessage().contains("'species'"), e3.getMessage());

        Path bad = dir.resolve("bad.csv");
        Files.writeString(bad, "a,b\n1,2\n3\n");
        DataException e4 = assertThrows(DataException.class, () -> CsvTable.read(bad));
        assertTrue(e4.getMessage().contains(bad.toString()) && e4.getMessage().contains("line 3"), e4.getMessage());
        DataException e5 = assertThrows(DataException.class, () -> CsvTable.read(dir.resolve("absent.csv")));
        assertTrue(e5.getMessage().contains("absent.csv"), e5.getMessage());
    }

    @Test
    void testDlTakesRawInputsAndHasNoTargets() {
        DataBlock<Item> block = builder(lastAsValid(12, 4)).build();
        try (DataLoaders dls = block.dataLoaders(items(12), DataLoaderOptions.defaults(4).withWorkers(0))) {
            assertEquals(List.of("a", "b", "c"), dls.vocab());
            assertEquals(3, dls.c());
            DataLoader test = dls.testDl(List.of(new float[] {7, 8, 9}, new float[] {1, 2, 3}));
            HostBatch b = test.oneBatch();
            assertEquals(0, b.targets().size());
            assertEquals(1, b.inputs().size());
            assertEquals(new ai.djl.ndarray.types.Shape(2, 3), b.inputs().get(0).shape());
            float[] got = new float[6];
            ByteBuffer d = b.inputs().get(0).data().duplicate().order(java.nio.ByteOrder.nativeOrder());
            d.rewind();
            d.asFloatBuffer().get(got);
            assertArrayEquals(new float[] {7, 8, 9, 1, 2, 3}, got, "raw inputs, in order");
        }
    }
}

package ai.fastai4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SplittersTest {

    private static List<Integer> items(int n) {
        return IntStream.range(0, n).boxed().toList();
    }

    /** Both halves are sorted, disjoint and together cover 0..n-1. */
    private static void assertPartition(SplitIndices s, int n) {
        BitSet seen = new BitSet(n);
        for (int[] part : List.of(s.train(), s.valid())) {
            for (int k = 0; k < part.length; k++) {
                assertFalse(seen.get(part[k]), "index " + part[k] + " appears twice");
                seen.set(part[k]);
                if (k > 0) {
                    assertTrue(part[k - 1] < part[k], "indices in item order");
                }
            }
        }
        assertEquals(n, seen.cardinality());
    }

    @Test
    void randomSplitterIsSeededSizedAndDisjoint() {
        List<Integer> its = items(100);
        SplitIndices a = Splitters.<Integer>random(0.2, 42).split(its);
        SplitIndices b = Splitters.<Integer>random(0.2, 42).split(its);
        SplitIndices c = Splitters.<Integer>random(0.2, 43).split(its);
        assertEquals(20, a.valid().length);
        assertEquals(80, a.train().length);
        assertPartition(a, 100);
        assertPartition(c, 100);
        assertArrayEquals(a.valid(), b.valid());
        assertArrayEquals(a.train(), b.train());
        assertFalse(Arrays.equals(a.valid(), c.valid()), "another seed gives another split");
        // int(valid_pct * n), as in fastai
        assertEquals(2, Splitters.<Integer>random(0.25, 1).split(items(11)).valid().length);
        assertThrows(IllegalArgumentException.class, () -> Splitters.random(0, 1));
        assertThrows(IllegalArgumentException.class, () -> Splitters.random(1, 1));
    }

    @Test
    void grandparentSplitsOnFolderNamesAndDropsOthers() {
        List<Path> paths = List.of(Path.of("/data/train/cat/1.jpg"), Path.of("/data/valid/cat/2.jpg"),
                Path.of("/data/train/dog/3.jpg"), Path.of("/data/test/dog/4.jpg"), Path.of("/data/valid/dog/5.jpg"));
        SplitIndices s = Splitters.grandparent().split(paths);
        assertArrayEquals(new int[] {0, 2}, s.train());
        assertArrayEquals(new int[] {1, 4}, s.valid());
        SplitIndices custom = Splitters.grandparent("train", "test").split(paths);
        assertArrayEquals(new int[] {3}, custom.valid());
        DataException e = assertThrows(DataException.class,
                () -> Splitters.grandparent().split(List.of(Path.of("/data/train/cat/1.jpg"))));
        assertTrue(e.getMessage().contains("'valid'"), e.getMessage());
    }

    @Test
    void byIndexAndByPredicate() {
        SplitIndices s = Splitters.<Integer>byIndex(4, 1, 7).split(items(8));
        assertArrayEquals(new int[] {1, 4, 7}, s.valid());
        assertArrayEquals(new int[] {0, 2, 3, 5, 6}, s.train());
        DataException e = assertThrows(DataException.class, () -> Splitters.<Integer>byIndex(8).split(items(8)));
        assertTrue(e.getMessage().contains("8") && e.getMessage().contains("out of range"), e.getMessage());
        SplitIndices p = Splitters.<Integer>byPredicate(i -> i % 3 == 0).split(items(7));
        assertArrayEquals(new int[] {0, 3, 6}, p.valid());
    }

    @Test
    void byColumnOnACsvTable(@TempDir Path dir) throws IOException {
        Path csv = dir.resolve("table.csv");
        Files.writeString(csv, "x,label,is_valid\n1.0,a,False\n2.0,b,True\n3.0,a,0\n4.0,b,1\n5.0,a,yes\n6.0,b,no\n");
        CsvTable t = CsvTable.read(csv);
        assertEquals(List.of("x", "label", "is_valid"), t.columns());
        SplitIndices s = Splitters.byColumn("is_valid").split(t.rows());
        assertArrayEquals(new int[] {1, 3, 4}, s.valid());
        assertArrayEquals(new int[] {0, 2, 5}, s.train());
        DataException e = assertThrows(DataException.class, () -> Splitters.byColumn("valid_col").split(t.rows()));
        assertTrue(e.getMessage().contains("valid_col") && e.getMessage().contains(csv.toString()), e.getMessage());
        // and it drives a DataBlock over the rows
        List<CsvTable.Row> rows = new ArrayList<>(t.rows());
        DataBlock<CsvTable.Row> block = DataBlock.<CsvTable.Row>builder(RegressionBlock.create(), CategoryBlock.create())
                .getX(r -> Float.parseFloat(r.get("x"))).getY(Labellers.column("label"))
                .splitter(Splitters.byColumn("is_valid")).build();
        Datasets<CsvTable.Row> ds = block.datasets(rows);
        assertArrayEquals(new int[] {1, 3, 4}, ds.split().valid());
        assertEquals(List.of("a", "b"), ds.vocab());
    }
}

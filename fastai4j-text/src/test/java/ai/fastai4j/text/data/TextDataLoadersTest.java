package ai.fastai4j.text.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.fastai4j.data.DataException;
import ai.fastai4j.data.HostBatch;
import ai.fastai4j.text.SpecialTokens;
import ai.fastai4j.text.tokenize.TokenCache;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextDataLoadersTest {

    private static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    @Test
    void fromFolderLearnsTheVocabularyOnTrainOnlyAndLabelsByFolder(@TempDir Path dir) throws IOException {
        for (int i = 0; i < 6; i++) {
            write(dir.resolve("train/pos/p" + i + ".txt"), "A great movie , truly great . " + i);
            write(dir.resolve("train/neg/n" + i + ".txt"), "A bad movie , truly bad . " + i);
        }
        write(dir.resolve("valid/pos/v.txt"), "great great great zebra zebra zebra zebra");
        write(dir.resolve("valid/neg/w.txt"), "bad");
        write(dir.resolve("notes.md"), "ignored");
        try (TextDataLoaders tdl = TextDataLoaders.fromFolder(dir).bs(4).cache(new TokenCache(dir.resolve("cache")))
                .numWorkers(0).build()) {
            assertEquals(List.of("neg", "pos"), tdl.classes());
            assertEquals(12, tdl.dls().train().numItems());
            assertEquals(2, tdl.dls().valid().numItems());
            Vocab v = tdl.vocab();
            assertTrue(v.itos().contains("great"));
            assertTrue(!v.itos().contains("zebra"), "a word seen only in validation is not in the vocabulary");
            assertTrue(!v.itos().contains("0"), "a word seen once in training is under min_freq 3");
            HostBatch hb = tdl.dls().valid().oneBatch();
            long[][] x = LMDataLoaderTest.rows(hb.inputs().get(0));
            // longest first: xxbos great great great zebra x4 -> zebra is xxunk
            int zebra = 0;
            for (long id : x[0]) {
                zebra += id == SpecialTokens.UNK_INDEX ? 1 : 0;
            }
            assertEquals(4, zebra);
            assertEquals(SpecialTokens.BOS_INDEX, x[0][0]);
            assertEquals(SpecialTokens.PAD_INDEX, x[1][2], "the short text is padded after it (less than a chunk)");
        }
        assertTrue(Files.list(dir.resolve("cache")).anyMatch(p -> p.toString().endsWith(".tok")));
    }

    @Test
    void fromCsvLanguageModelAndClassification(@TempDir Path dir) throws IOException {
        StringBuilder csv = new StringBuilder("label,text,is_valid\n");
        for (int i = 0; i < 30; i++) {
            csv.append(i % 3 == 0 ? "b" : "a").append(",\"Row ").append(i).append(" says: hello, \"\"world\"\"!\",")
                    .append(i >= 24).append('\n');
        }
        Path file = dir.resolve("texts.csv");
        Files.writeString(file, csv);
        TokenCache cache = new TokenCache(dir.resolve("cache"));
        try (TextDataLoaders lm = TextDataLoaders.fromCsv(file).isLm(true).bs(2).seqLen(5).validCol("is_valid")
                .cache(cache).numWorkers(0).build()) {
            assertTrue(lm.isLm());
            assertEquals(lm.vocab().size(), lm.c());
            HostBatch hb = lm.dls().train().oneBatch();
            assertEquals(List.of(2L, 5L), List.of(hb.inputs().get(0).shape().get(0), hb.inputs().get(0).shape().get(1)));
            assertEquals(1, hb.targets().size());
            try (TextDataLoaders clas = TextDataLoaders.fromCsv(file).textVocab(lm.vocab()).bs(4)
                    .validCol("is_valid").cache(cache).numWorkers(0).build()) {
                assertEquals(lm.vocab(), clas.vocab(), "the classifier uses the language model's vocabulary");
                assertEquals(List.of("a", "b"), clas.classes());
                assertEquals(24, clas.dls().train().numItems());
                assertEquals(6, clas.dls().valid().numItems());
            }
        }
        DataException e = assertThrows(DataException.class,
                () -> TextDataLoaders.fromCsv(file).textCol("review").cache(null).build());
        assertTrue(e.getMessage().contains("review") && e.getMessage().contains("texts.csv"), e.getMessage());
    }

    @Test
    void aFileThatIsNotUtf8IsNamed(@TempDir Path dir) throws IOException {
        write(dir.resolve("train/a/ok.txt"), "fine text");
        Files.createDirectories(dir.resolve("valid/a"));
        Files.write(dir.resolve("valid/a/bad.txt"), new byte[] {'o', 'k', (byte) 0xff, (byte) 0xfe});
        DataException e = assertThrows(DataException.class,
                () -> TextDataLoaders.fromFolder(dir).bs(1).cache(null).numWorkers(0).build());
        assertTrue(e.getMessage().contains("bad.txt"), e.getMessage());
    }
}

package ai.fastai4j.text.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.fastai4j.text.SpecialTokens;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NumericalizeTest {

    private static List<String> words(String s) {
        return List.of(s.split(" "));
    }

    @Test
    void fastaisDocumentedExamples() {
        // nbs/31_text.data: Numericalize(min_freq=1) on "This is an example of text" / "this is another text"
        Numericalize num = new Numericalize(1, 60000);
        num.setup(List.of(words("This is an example of text"), words("this is another text")));
        assertEquals(0, num.vocab().size() % 8);
        int[] t = num.encode(words("This is an example of text"));
        assertArrayEquals(new int[] {11, 9, 12, 13, 14, 10}, t);
        assertEquals(words("This is an example of text"), num.decode(t));

        Numericalize two = new Numericalize(2, 60000);
        two.setup(List.of(words("This is an example of text"), words("this is another text")));
        assertEquals(Set.copyOf(concat(SpecialTokens.ALL, List.of("is", "text"))), nonFake(two.vocab()));
        int[] u = two.encode(words("This is an example of text"));
        assertArrayEquals(new int[] {0, 9, 0, 0, 0, 10}, u);
        assertEquals(words("xxunk is xxunk xxunk xxunk text"), two.decode(u));
    }

    @Test
    void makeVocabMinFreqMaxVocabAndMultipleOfEight() {
        Map<String, Long> count = Vocab.count(List.of(words("a a a a b b c c d")));
        assertEquals(Set.copyOf(concat(SpecialTokens.ALL, List.of("a"))), nonFake(Vocab.make(count, 3, 60000).itos()));
        assertEquals(Set.copyOf(concat(SpecialTokens.ALL, words("a b c d"))), nonFake(Vocab.make(count, 1, 60000).itos()));
        assertEquals(Set.copyOf(concat(SpecialTokens.ALL, words("a b c"))), nonFake(Vocab.make(count, 1, 12).itos()));
        for (int minFreq = 1; minFreq <= 4; minFreq++) {
            Vocab v = Vocab.make(count, minFreq, 60000);
            assertEquals(0, v.size() % 8);
            assertEquals(SpecialTokens.ALL, v.itos().subList(0, 9));
        }
        // 16 real entries (9 special + 7 words): fastai still appends 8 xxfake (range(0, 8 - 16 % 8))
        Map<String, Long> seven = Vocab.count(List.of(words("p q r s t u v")));
        assertEquals(24, Vocab.make(seven, 1, 60000).size());
    }

    @Test
    void vocabMatchesFastaisMakeVocabOnCounter(@TempDir Path dir) throws IOException, InterruptedException {
        Random rng = new Random(7);
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            tokens.add("w" + (int) Math.floor(Math.abs(rng.nextGaussian()) * 40));
        }
        tokens.add(3, "xxmaj");
        Path in = Files.writeString(dir.resolve("tokens.txt"), String.join(" ", tokens));
        String py = """
                import sys
                from collections import Counter
                def make_vocab(count, min_freq=3, max_vocab=60000, special_toks=None):
                    vocab = [o for o,c in count.most_common(max_vocab) if c >= min_freq]
                    for o in reversed(special_toks):
                        if o in vocab: vocab.remove(o)
                        vocab.insert(0, o)
                    vocab = vocab[:max_vocab]
                    return vocab + ['xxfake' for i in range(0, 8-len(vocab)%8)]
                spec = 'xxunk xxpad xxbos xxeos xxfld xxrep xxwrep xxup xxmaj'.split()
                count = Counter(open(sys.argv[1]).read().split(' '))
                for mf, mv in [(3, 60000), (1, 60000), (5, 30), (2, 17)]:
                    print(' '.join(make_vocab(count, mf, mv, spec)))
                """;
        Path script = Files.writeString(dir.resolve("vocab.py"), py);
        Process p = new ProcessBuilder("python3", script.toString(), in.toString()).redirectErrorStream(true).start();
        List<String> lines = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        assertEquals(0, p.waitFor(), String.join("\n", lines));
        Map<String, Long> count = Vocab.count(List.of(tokens));
        int[][] settings = {{3, 60000}, {1, 60000}, {5, 30}, {2, 17}};
        for (int i = 0; i < settings.length; i++) {
            assertEquals(words(lines.get(i)), Vocab.make(count, settings[i][0], settings[i][1]).itos(),
                    "min_freq " + settings[i][0] + ", max_vocab " + settings[i][1]);
        }
    }

    @Test
    void roundTripAndUnknowns() {
        Numericalize num = new Numericalize(1, 60000);
        List<String> doc = words("xxbos xxmaj the cat sat on the mat .");
        num.setup(List.of(doc));
        assertEquals(doc, num.decode(num.encode(doc)));
        int[] ids = num.encode(words("the dog"));
        assertEquals(SpecialTokens.UNK_INDEX, ids[1]);
        assertEquals(SpecialTokens.PAD_INDEX, num.vocabulary().stoi().get(SpecialTokens.PAD));
        assertTrue(num.vocabulary().itos().contains(SpecialTokens.FAKE));
        assertEquals(SpecialTokens.UNK_INDEX, num.encode(List.of(SpecialTokens.FAKE))[0]);
        assertThrows(RuntimeException.class, () -> num.decode(new int[] {num.vocab().size()}));
    }

    @Test
    void givenVocabIsKeptAndChecked() {
        Vocab v = Vocab.make(Vocab.count(List.of(words("a b"))), 1, 100);
        Numericalize num = new Numericalize(v);
        num.setup(List.of(words("c c c c")));
        assertEquals(v, num.vocabulary());
        assertThrows(IllegalArgumentException.class, () -> new Vocab(List.of("a", "b")));
    }

    private static Set<String> nonFake(List<String> vocab) {
        Set<String> s = new HashSet<>(vocab);
        s.remove(SpecialTokens.FAKE);
        return s;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}

package ai.fastai4j.text.learner;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.fastai4j.export.InferenceModel;
import ai.fastai4j.export.ModelExport;
import ai.fastai4j.learner.Callback;
import ai.fastai4j.learner.Learner;
import ai.fastai4j.nn.Parameter;
import ai.fastai4j.text.data.TextDataLoaders;
import ai.fastai4j.text.models.AwdLstmConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ULMFiT learners end to end on a tiny corpus: LM fit, metrics, generation, encoder hand-over, unfreezing. */
class TextLearnersTest {
    static final AwdLstmConfig TINY = AwdLstmConfig.languageModel().withSizes(8, 12, 2);

    @TempDir
    Path dir;

    static final String[] TEMPLATES = {"the cat sat on a mat and then slept", "a dog ran on the log and then sat",
        "the dog slept on a mat and then ran"};

    /** Predictable text: one of three fixed sentences after the topic word. */
    static String sentence(Random r, String topic) {
        return topic + " " + TEMPLATES[r.nextInt(TEMPLATES.length)] + ". ";
    }

    void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    TextDataLoaders lmData() throws IOException {
        Random r = new Random(0);
        for (String split : List.of("train", "valid")) {
            for (int f = 0; f < (split.equals("train") ? 6 : 2); f++) {
                StringBuilder sb = new StringBuilder();
                for (int s = 0; s < 10; s++) {
                    sb.append(sentence(r, f % 2 == 0 ? "Alpha" : "Beta"));
                }
                write(dir.resolve("lm").resolve(split).resolve("texts").resolve("doc" + f + ".txt"), sb.toString());
            }
        }
        return TextDataLoaders.fromFolder(dir.resolve("lm")).isLm(true).seqLen(10).bs(4).minFreq(1)
                .cache(null).numWorkers(0).build();
    }

    @Test
    void languageModelTrainsGeneratesAndHandsItsEncoderToAClassifier() throws IOException {
        Engine.getInstance().setRandomSeed(42);
        try (TextDataLoaders lmDls = lmData();
             LanguageModelLearner lm = TextLearners.languageModel(lmDls).config(TINY)
                     .learner(b -> b.progress(false).path(dir)).build()) {
            assertEquals(TINY.nLayers() + 1, lm.paramGroups().size(), "one group per LSTM layer + embedding/decoder");
            assertArrayEquals(new double[] {0.8, 0.7, 0.8}, lm.moms());
            assertTrue(lm.hasCallback(ModelResetter.class) && lm.hasCallback(RNNRegularizer.class));
            assertEquals(2.0, lm.callback(RNNRegularizer.class).alpha());
            assertTrue(lm.languageModel().decoder().isTied());
            assertEquals(lm.languageModel().encoder().encoder().weight(), lm.languageModel().decoder().weight());

            List<Boolean> resets = new ArrayList<>();
            lm.addCallbacks(new Callback() {
                @Override
                public void beforeBatch(Learner learn) {
                    if (learn.iter() == 0) {
                        resets.add(lm.languageModel().encoder().hidden() == null);
                    }
                }
            });
            lm.fitOneCycle(2, 3e-2);
            assertEquals(List.of(true, true, true, true), resets,
                    "the hidden state is reset at the start of every training and validation pass");
            List<Double> last = lm.recorder().values().get(1);
            assertEquals(List.of("epoch", "train_loss", "valid_loss", "accuracy", "perplexity", "time"),
                    lm.recorder().metricNames(lm));
            List<Double> first = lm.recorder().values().get(0);
            assertTrue(last.get(0) < first.get(0) && last.get(1) < first.get(1), "train and valid loss go down: "
                    + lm.recorder().values());
            assertTrue(last.get(3) > 1 && last.get(3) < lmDls.vocab().size(), "perplexity below the vocabulary size");

            String text = lm.predict("the cat", 6, 0.75, new Random(1));
            assertTrue(text.startsWith("The cat") || text.startsWith("the cat"), text);
            List<String> prompt = lmDls.tokenizer().tokenize("the cat");
            List<String> tokens = lm.generate("the cat", 6, 0.75, new Random(1));
            assertEquals(prompt, tokens.subList(0, prompt.size()));
            assertEquals(prompt.size() + 6, tokens.size());
            assertFalse(tokens.contains("xxunk"));
            assertEquals(lm.predict("the cat", 6, 0.75, new Random(3)), lm.predict("the cat", 6, 0.75, new Random(3)));

            Path enc = lm.saveEncoder("fine_tuned");
            assertTrue(Files.isRegularFile(enc));

            Random r = new Random(5);
            for (String split : List.of("train", "valid")) {
                for (String label : List.of("Alpha", "Beta")) {
                    for (int i = 0; i < (split.equals("train") ? 8 : 4); i++) {
                        write(dir.resolve("clas").resolve(split).resolve(label).resolve(i + ".txt"), sentence(r, label));
                    }
                }
            }
            try (TextDataLoaders clasDls = TextDataLoaders.fromFolder(dir.resolve("clas")).bs(4)
                    .textVocab(lmDls.vocab()).cache(null).numWorkers(0).build();
                 TextClassifierLearner clas = TextLearners.classifier(clasDls)
                         .config(AwdLstmConfig.classifier().withSizes(8, 12, 2))
                         .learner(b -> b.progress(false).path(dir)).build()) {
                assertEquals(TINY.nLayers() + 2, clas.paramGroups().size(), "embedding, LSTM layers, head");
                clas.loadEncoder("fine_tuned");
                Map<String, Parameter> lmEnc = lm.languageModel().encoder().namedParameters();
                clas.classifierModel().encoder().module().namedParameters().forEach((n, p) ->
                        assertEquals(lmEnc.get(n).data(), p.data(), n + " is the language model's"));
                assertTrainable(clas, false, false, false, true);
                clas.freezeTo(-2);
                assertTrainable(clas, false, false, true, true);
                clas.freezeTo(-3);
                assertTrainable(clas, false, true, true, true);
                clas.unfreeze();
                assertTrainable(clas, true, true, true, true);
                clas.fitOneCycle(1, TextLearners.discriminativeLrs(1e-3));
                assertTrue(Double.isFinite(clas.recorder().values().get(0).get(1)));

                // export: the AWD-LSTM classifier rebuilds from its spec and predicts raw text as the learner does
                Path fai = ModelExport.export(clas, dir.resolve("clas.fai"));
                List<String> probes = List.of("Alpha the cat sat on a mat", "Beta a dog ran on the log and then sat");
                try (InferenceModel im = InferenceModel.load(fai)) {
                    for (String probe : probes) {
                        assertArrayEquals(clas.predict(probe).probs(), im.predict(probe).probs(), 1e-6f, probe);
                    }
                }
            }
        }
    }

    static void assertTrainable(Learner learn, boolean... groups) {
        for (int g = 0; g < groups.length; g++) {
            for (Parameter p : learn.paramGroups().get(g)) {
                if (p.kind() != Parameter.Kind.NORM) {
                    assertEquals(groups[g], p.isTrainable(), "group " + g + " " + p);
                }
            }
        }
    }
}

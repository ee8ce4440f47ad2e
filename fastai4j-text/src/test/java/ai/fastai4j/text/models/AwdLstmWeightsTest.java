package ai.fastai4j.text.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.fastai4j.io.torch.TorchStateDictReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * fastai's wt103-fwd layout ({@code lstm_fwd.pth} with fastai 1's names, and the pickled
 * vocabulary), made small by python3-torch ({@code models/wt103_layout.py}), loads by name onto a
 * {@link LanguageModel} with the target vocabulary mapped as fastai's match_embeds: every file tensor is used or
 * is a known alias, and the model then gives python's logits.
 */
class AwdLstmWeightsTest {
    @TempDir
    Path dir;

    @Test
    void mapsEveryTensorByNameAndMatchesTheReferenceLogits() throws Exception {
        PythonReference.run("/models/wt103_layout.py", dir, dir.toString());
        List<String> target = Files.readAllLines(dir.resolve("target_vocab.txt"));
        try (NDManager m = NDManager.newBaseManager()) {
            LanguageModel lm = new LanguageModel(m, target.size(), AwdLstmConfig.languageModel().withSizes(6, 10, 3));
            AwdLstmWeights.Report r = AwdLstmWeights.load(dir.resolve("lstm_fwd.pth"), dir.resolve("itos_wt103.pkl"),
                    lm, target);
            // every model tensor loaded, every file tensor accounted for
            assertEquals(lm.namedParameters().keySet(), new java.util.HashSet<>(r.loaded()));
            assertEquals(List.of("0.encoder_dp.emb.weight", "0.rnns.0.module.weight_hh_l0",
                    "0.rnns.1.module.weight_hh_l0", "0.rnns.2.module.weight_hh_l0", "1.decoder.weight"),
                    r.aliases().stream().sorted().toList());
            assertEquals(19, r.loaded().size() + r.aliases().size(), "the file's 19 tensors");
            // the 9 special tokens and "the , . of and in"; new: elizabeth, darcy, pride
            assertEquals(15, r.wordsFound(), "words of the target vocabulary that the file has");
            assertEquals(3, r.wordsNew());

            Map<String, NDArray> raw = TorchStateDictReader.read(dir.resolve("lstm_fwd.pth"), m);
            for (int l = 0; l < 3; l++) {
                assertEquals(raw.get("0.rnns." + l + ".weight_hh_l0_raw"),
                        lm.namedParameters().get("0.rnns." + l + ".module.weight_hh_l0").data(),
                        "the raw hidden weight, not fastai 1's dropped copy");
                assertEquals(raw.get("0.rnns." + l + ".module.weight_ih_l0"),
                        lm.namedParameters().get("0.rnns." + l + ".module.weight_ih_l0").data());
            }
            Map<String, NDArray> expected = TorchStateDictReader.read(dir.resolve("expected.pth"), m);
            assertClose(expected.get("new_w"), lm.encoder().encoder().weight().data(), "match_embeds rows");
            assertClose(expected.get("new_b"), lm.decoder().bias().data(), "match_embeds bias");
            lm.eval();
            lm.reset();
            assertClose(expected.get("logits"), lm.forward(expected.get("tokens")), "logits");
        }
    }

    @Test
    void refusesAFileThatIsNotAnAwdLstmOfThisShape() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            LanguageModel lm = new LanguageModel(m, 4, AwdLstmConfig.languageModel().withSizes(6, 10, 3));
            Map<String, NDArray> state = new HashMap<>(lm.stateDict());
            state.put("0.encoder.weight", m.zeros(new ai.djl.ndarray.types.Shape(3, 6)));
            float before = lm.decoder().bias().data().sum().getFloat();
            state.put("1.decoder.bias", m.ones(new ai.djl.ndarray.types.Shape(3)));
            state.put("0.rnns.0.module.weight_ih_l0", m.zeros(new ai.djl.ndarray.types.Shape(40, 7)));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> AwdLstmWeights.load(state, List.of("a", "b", "c"), lm, List.of("a", "b", "c", "d")));
            assertTrue(e.getMessage().contains("0.rnns.0.module.weight_ih_l0"), e.getMessage());
            assertEquals(before, lm.decoder().bias().data().sum().getFloat(), "nothing changed");
            assertThrows(IllegalArgumentException.class,
                    () -> AwdLstmWeights.load(Map.of("x", m.zeros(new ai.djl.ndarray.types.Shape(1))), List.of("a"), lm,
                            List.of("a", "b", "c", "d")));
        }
    }

    static void assertClose(NDArray expected, NDArray actual, String what) {
        assertEquals(expected.getShape(), actual.getShape(), what);
        float d = expected.sub(actual).abs().max().getFloat();
        assertTrue(d < 1e-5f, what + " differs by " + d);
    }
}

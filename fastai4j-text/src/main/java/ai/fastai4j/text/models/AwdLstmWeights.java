package ai.fastai4j.text.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.fastai4j.io.torch.PickledStrings;
import ai.fastai4j.io.torch.TorchStateDictReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Loads fastai's AWD-LSTM language-model weights ({@code wt103-fwd}: {@code lstm_fwd.pth} and
 * {@code itos_wt103.pkl}) onto a {@link LanguageModel}, by name, with the target vocabulary mapped onto the
 * file's as fastai's {@code match_embeds} does: a word known to both gets its row of the embedding (and of the
 * decoder bias), an unseen word gets the mean row.
 *
 * <p>fastai's names are this model's names except the raw hidden-to-hidden matrix, {@code 0.rnns.L.weight_hh_l0_raw}
 * here {@code 0.rnns.L.module.weight_hh_l0}; fastai 1's files also hold the last dropped copy under that name,
 * which is discarded (fastai's {@code clean_raw_keys}). {@code 0.encoder_dp.emb.weight} and, for a tied model,
 * {@code 1.decoder.weight} are the embedding again and are checked to be so. Every other tensor must map onto
 * a parameter of the model with its shape, and every parameter must be given: anything else is an error that
 * names the tensors, raised before the model is changed.
 */
public final class AwdLstmWeights {
    private AwdLstmWeights() {}

    /** What a load did: tensors loaded by their (model) name, file tensors recognised as aliases and skipped. */
    public record Report(List<String> loaded, List<String> aliases, int wordsFound, int wordsNew) {}

    /** Reads the two files with the restricted readers and loads them; see the class comment. */
    public static Report load(Path pth, Path itosPkl, LanguageModel model, List<String> targetVocab)
            throws IOException {
        List<String> itos = PickledStrings.read(itosPkl);
        try (NDManager tmp = NDManager.newBaseManager()) {
            Map<String, NDArray> state = TorchStateDictReader.read(pth, tmp);
            return load(state, itos, model, targetVocab);
        }
    }

    /** Maps a fastai AWD-LSTM language-model state dict with vocabulary {@code fileVocab} onto {@code model}. */
    public static Report load(Map<String, NDArray> state, List<String> fileVocab, LanguageModel model,
            List<String> targetVocab) {
        NDArray enc = require(state, "0.encoder.weight");
        if (enc.getShape().dimension() != 2 || enc.getShape().get(0) != fileVocab.size()) {
            throw new IllegalArgumentException("0.encoder.weight is " + enc.getShape() + " but the vocabulary has "
                    + fileVocab.size() + " words");
        }
        if (targetVocab.size() != model.vocabSize()) {
            throw new IllegalArgumentException("the model has " + model.vocabSize() + " words, the target vocabulary "
                    + targetVocab.size());
        }
        Map<String, NDArray> mapped = new LinkedHashMap<>();
        List<String> aliases = new ArrayList<>();
        for (Map.Entry<String, NDArray> e : state.entrySet()) {
            String k = e.getKey();
            if (k.endsWith("_raw")) {
                mapped.put(k.substring(0, k.lastIndexOf('.')) + ".module." + stripRaw(k), e.getValue());
            }
        }
        for (Map.Entry<String, NDArray> e : state.entrySet()) {
            String k = e.getKey();
            if (k.endsWith("_raw")) {
                continue;
            }
            if (mapped.containsKey(k)) { // fastai 1's dropped copy of a raw weight
                aliases.add(k);
                continue;
            }
            if (k.equals("0.encoder_dp.emb.weight") || (k.equals("1.decoder.weight") && model.decoder().isTied())) {
                if (!e.getValue().getShape().equals(enc.getShape())) {
                    throw new IllegalArgumentException(k + " should be the embedding " + enc.getShape() + ", is "
                            + e.getValue().getShape());
                }
                aliases.add(k);
                continue;
            }
            mapped.put(k, e.getValue());
        }
        // match_embeds
        Map<String, Integer> fileIndex = new HashMap<>();
        for (int i = 0; i < fileVocab.size(); i++) {
            fileIndex.putIfAbsent(fileVocab.get(i), i);
        }
        long[] rows = new long[targetVocab.size()];
        float[] found = new float[targetVocab.size()];
        int nFound = 0;
        for (int i = 0; i < rows.length; i++) {
            Integer j = fileIndex.get(targetVocab.get(i));
            rows[i] = j == null ? 0 : j;
            found[i] = j == null ? 0f : 1f;
            nFound += j == null ? 0 : 1;
        }
        NDManager m = enc.getManager();
        NDArray idx = m.create(rows);
        NDArray hit = m.create(found, new Shape(rows.length, 1));
        NDArray miss = hit.neg().add(1f);
        NDArray encF = enc.toType(DataType.FLOAT32, false);
        NDArray newEnc = encF.get(idx).mul(hit).add(encF.mean(new int[] {0}, true).mul(miss));
        mapped.put("0.encoder.weight", newEnc);
        if (!model.decoder().isTied() && state.containsKey("1.decoder.weight")) {
            mapped.put("1.decoder.weight", newEnc);
        }
        NDArray bias = state.get("1.decoder.bias");
        if (bias != null) {
            NDArray b = bias.toType(DataType.FLOAT32, false).reshape(-1, 1);
            mapped.put("1.decoder.bias", b.get(idx).mul(hit).add(b.mean().mul(miss)).reshape(-1));
        }
        model.loadStateDict(mapped, true); // strict: throws before changing anything
        return new Report(new ArrayList<>(mapped.keySet()), aliases, nFound, rows.length - nFound);
    }

    private static String stripRaw(String key) {
        String last = key.substring(key.lastIndexOf('.') + 1);
        return last.substring(0, last.length() - "_raw".length());
    }

    private static NDArray require(Map<String, NDArray> state, String key) {
        NDArray a = state.get(key);
        if (a == null) {
            throw new IllegalArgumentException("not a fastai AWD-LSTM language model: no " + key + " among "
                    + state.keySet());
        }
        return a;
    }
}

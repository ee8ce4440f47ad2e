package ai.fastai4j.text.models;

import ai.djl.ndarray.NDManager;
import ai.fastai4j.export.ExportExtension;
import ai.fastai4j.export.ExportRegistry;
import ai.fastai4j.export.ModelFactory;
import ai.fastai4j.export.Params;
import ai.fastai4j.nn.Module;
import ai.fastai4j.nn.ModelSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The AWD-LSTM model factories of {@code .fai} files, found through {@link java.util.ServiceLoader}:
 * {@value #CLASSIFIER} ({@link TextClassifierModel}) and {@value #LANGUAGE_MODEL} ({@link LanguageModel}), with
 * the sizes, dropouts, padding index, bptt and max_len as parameters ({@link #classifierSpec}, {@link #lmSpec}).
 */
public final class AwdLstmExport implements ExportExtension {
    public static final String CLASSIFIER = "awd_lstm_classifier";
    public static final String LANGUAGE_MODEL = "awd_lstm_lm";

    @Override
    public void register(ExportRegistry r) {
        r.registerModel(CLASSIFIER, new ModelFactory() {
            @Override
            public Module create(NDManager m, Map<String, Object> p) {
                return new TextClassifierModel(m, Params.getInt(p, "vocab", 1), Params.getInt(p, "classes", 2),
                        config(p), Params.getInt(p, "bptt", 1), Params.getInt(p, "max_len", 0),
                        List.of(Params.getInt(p, "lin_ftrs", 1)), List.of(Params.getFloat(p, "lin_p")));
            }

            @Override
            public OptionalInt outputs(Map<String, Object> p) {
                return OptionalInt.of(Params.getInt(p, "classes", 2));
            }
        });
        r.registerModel(LANGUAGE_MODEL, ModelFactory.of((m, p) -> new LanguageModel(m, Params.getInt(p, "vocab", 1),
                config(p)), p -> Params.getInt(p, "vocab", 1)));
    }

    /** The spec of a classifier built with these settings. */
    public static ModelSpec classifierSpec(int vocab, int classes, AwdLstmConfig c, int bptt, int maxLen, int linFtrs,
            float linP) {
        Map<String, Object> p = params(vocab, c);
        p.put("classes", classes);
        p.put("bptt", bptt);
        p.put("max_len", maxLen);
        p.put("lin_ftrs", linFtrs);
        p.put("lin_p", (double) linP);
        return new ModelSpec(CLASSIFIER, p);
    }

    /** The spec of a language model. */
    public static ModelSpec lmSpec(int vocab, AwdLstmConfig c) {
        return new ModelSpec(LANGUAGE_MODEL, params(vocab, c));
    }

    private static Map<String, Object> params(int vocab, AwdLstmConfig c) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("vocab", vocab);
        p.put("emb_sz", c.embSz());
        p.put("n_hid", c.nHid());
        p.put("n_layers", c.nLayers());
        p.put("pad_token", c.padToken());
        p.put("output_p", (double) c.outputP());
        p.put("hidden_p", (double) c.hiddenP());
        p.put("input_p", (double) c.inputP());
        p.put("embed_p", (double) c.embedP());
        p.put("weight_p", (double) c.weightP());
        p.put("tie_weights", c.tieWeights());
        p.put("out_bias", c.outBias());
        return p;
    }

    private static AwdLstmConfig config(Map<String, Object> p) {
        return new AwdLstmConfig(Params.getInt(p, "emb_sz", 1), Params.getInt(p, "n_hid", 1),
                Params.getInt(p, "n_layers", 1), Params.getInt(p, "pad_token"), Params.getFloat(p, "output_p"),
                Params.getFloat(p, "hidden_p"), Params.getFloat(p, "input_p"), Params.getFloat(p, "embed_p"),
                Params.getFloat(p, "weight_p"), Params.getBoolean(p, "tie_weights"), Params.getBoolean(p, "out_bias"));
    }
}

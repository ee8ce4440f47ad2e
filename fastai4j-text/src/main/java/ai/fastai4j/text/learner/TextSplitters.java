package ai.fastai4j.text.learner;

import ai.fastai4j.nn.Module;
import ai.fastai4j.nn.Parameter;
import ai.fastai4j.text.models.AwdLstm;
import ai.fastai4j.text.models.LanguageModel;
import ai.fastai4j.text.models.TextClassifierModel;
import java.util.ArrayList;
import java.util.List;

/** fastai's parameter groups for the AWD-LSTM (discriminative learning rates, gradual unfreezing). */
public final class TextSplitters {
    private TextSplitters() {}

    /** {@code awd_lstm_lm_split}: one group per LSTM layer, then embedding + decoder (tied weight once). */
    public static List<List<Parameter>> languageModel(Module model) {
        LanguageModel lm = (LanguageModel) model;
        List<List<Parameter>> groups = new ArrayList<>(rnnGroups(lm.encoder()));
        List<Parameter> last = new ArrayList<>(lm.encoder().encoder().parameters());
        for (Parameter p : lm.decoder().parameters()) {
            if (!last.contains(p)) {
                last.add(p);
            }
        }
        groups.add(last);
        return groups;
    }

    /** {@code awd_lstm_clas_split}: embedding, one group per LSTM layer, then the head. */
    public static List<List<Parameter>> classifier(Module model) {
        TextClassifierModel c = (TextClassifierModel) model;
        AwdLstm awd = c.encoder().module();
        List<List<Parameter>> groups = new ArrayList<>();
        groups.add(new ArrayList<>(awd.encoder().parameters()));
        groups.addAll(rnnGroups(awd));
        groups.add(new ArrayList<>(c.head().parameters()));
        return groups;
    }

    private static List<List<Parameter>> rnnGroups(AwdLstm awd) {
        List<List<Parameter>> groups = new ArrayList<>();
        awd.rnns().forEach(r -> groups.add(new ArrayList<>(r.parameters())));
        return groups;
    }
}

package ai.fastai4j.text.learner;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.fastai4j.learner.Learner;
import ai.fastai4j.io.Safetensors;
import ai.fastai4j.text.data.TextDataLoaders;
import ai.fastai4j.text.models.TextClassifierModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * fastai's text classifier learner: a {@link Learner} for a {@link TextClassifierModel} that loads a fine-tuned
 * language model's encoder ({@link #loadEncoder}) for ULMFiT's gradual unfreezing: {@code freezeTo(-2)},
 * {@code freezeTo(-3)}, {@code unfreeze()} with {@link TextLearners#discriminativeLrs}.
 */
public final class TextClassifierLearner extends Learner {
    private final TextDataLoaders textDls;
    private final TextClassifierModel classifier;

    TextClassifierLearner(Learner.Builder b, TextDataLoaders textDls, TextClassifierModel classifier) {
        super(b);
        this.textDls = textDls;
        this.classifier = classifier;
    }

    public TextClassifierModel classifierModel() {
        return classifier;
    }

    public TextDataLoaders textDls() {
        return textDls;
    }

    /**
     * fastai's {@code load_encoder}: the weights {@link LanguageModelLearner#saveEncoder} wrote to
     * {@code path/models/name.safetensors} (every tensor, same shapes: the classifier's data must use the
     * language model's vocabulary), then freezes all but the head.
     */
    public void loadEncoder(String name) {
        loadEncoder(path().resolve("models").resolve(name + ".safetensors"));
    }

    public void loadEncoder(Path file) {
        try (NDManager tmp = NDManager.newBaseManager()) {
            Map<String, NDArray> state = Safetensors.read(file, tmp);
            try {
                classifier.encoder().module().loadStateDict(state, true);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + " does not fit this classifier's encoder (was the"
                        + " classifier built with the language model's vocabulary?): " + e.getMessage(), e);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the encoder " + file, e);
        }
        freeze();
    }

    /** Whether {@code name} was saved by a language model learner under this learner's path. */
    public boolean hasEncoder(String name) {
        return Files.isRegularFile(path().resolve("models").resolve(name + ".safetensors"));
    }
}

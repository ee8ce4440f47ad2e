package ai.fastai4j.text.models;

/** A model that carries state between calls (an RNN's hidden state) and can start afresh, as fastai's {@code reset}. */
public interface Resettable {
    /** Forgets the carried state. */
    void reset();
}

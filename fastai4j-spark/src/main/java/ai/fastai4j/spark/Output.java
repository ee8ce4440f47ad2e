package ai.fastai4j.spark;

import ai.fastai4j.export.Manifest;

/** What scoring appends to a row, by what the model predicts. */
enum Output {
    /** A class (or classes): {@code prediction}, {@code probability}, {@code top_k}. */
    CLASSIFICATION,
    /** A number: {@code value}. */
    REGRESSION,
    /** A class per pixel: {@code mask}, the mask as a PNG whose pixel values are the class codes. */
    SEGMENTATION;

    static Output of(Manifest m) {
        if (m.target().name().equals("mask")) {
            return SEGMENTATION;
        }
        return m.vocab().isEmpty() ? REGRESSION : CLASSIFICATION;
    }
}

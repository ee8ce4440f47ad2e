package ai.fastai4j.data;

/** Indices of the training and validation items. */
public record SplitIndices(int[] train, int[] valid) {}

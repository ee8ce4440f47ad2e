package ai.fastai4j.data;

/** What a batch tensor holds, so batch transforms know what to touch (fastai dispatches on tensor types). */
public enum TensorKind {
    /** (N, C, H, W) images: uint8 until converted, then float. */
    IMAGE,
    /** (N, H, W) integer segmentation masks. */
    MASK,
    /** (N) class indices. */
    CATEGORY,
    /** (N, C) 0/1 multi-label targets. */
    MULTI_CATEGORY,
    /** Float values (regression targets, continuous features). */
    CONTINUOUS,
    /** Anything else (token ids, categorical feature codes). */
    OTHER
}

package ai.fastai4j.data;

/** Which part of the data a transform runs on: random augmentation happens on {@link #TRAIN} only. */
public enum Split {
    TRAIN,
    VALID
}

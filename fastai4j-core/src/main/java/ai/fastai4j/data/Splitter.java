package ai.fastai4j.data;

import java.util.List;

/** Divides items into a training and a validation split. */
@FunctionalInterface
public interface Splitter<I> {
    SplitIndices split(List<I> items);
}

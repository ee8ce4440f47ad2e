package ai.fastai4j.data;

import java.util.List;

/** A transform that owns a class vocabulary (multi-label categorizer, etc.). */
public interface VocabHolder {
    List<String> vocab();
}

package ai.fastai4j.spark;

import java.io.Serializable;

/**
 * How {@link FastaiSpark#predict} scores a data set.
 *
 * @param imageColumn the binary column that holds an image model's encoded images ({@code content}, as Spark's
 *                    {@code binaryFile} source names it)
 * @param textColumn  the string column that holds a text classifier's texts
 * @param topK        how many classes the {@code top_k} column lists
 * @param batchSize   how many rows of a partition go through the model at once
 * @param shipModel   whether the driver sends the model file's bytes to the executors (a broadcast); when false,
 *                    every executor reads the model from the same path (shared storage)
 * @param idleSeconds how long an executor keeps a model loaded after its last task, before freeing its memory
 */
public record ScoringOptions(String imageColumn, String textColumn, int topK, int batchSize, boolean shipModel, int idleSeconds)
        implements Serializable {

    public ScoringOptions {
        if (imageColumn == null || imageColumn.isBlank() || textColumn == null || textColumn.isBlank()) {
            throw new IllegalArgumentException("imageColumn and textColumn must name a column");
        }
        if (topK < 1 || batchSize < 1 || idleSeconds < 0) {
            throw new IllegalArgumentException("topK and batchSize must be at least 1 and idleSeconds at least 0, got "
                    + topK + ", " + batchSize + ", " + idleSeconds);
        }
    }

    /**
     * The defaults: images in column {@code content}, texts in {@code text}, top 3, batches of 64, the model
     * shipped, freed after 60 s idle.
     */
    public static ScoringOptions defaults() {
        return new ScoringOptions("content", "text", 3, 64, true, 60);
    }

    public ScoringOptions withImageColumn(String column) {
        return new ScoringOptions(column, textColumn, topK, batchSize, shipModel, idleSeconds);
    }

    public ScoringOptions withTextColumn(String column) {
        return new ScoringOptions(imageColumn, column, topK, batchSize, shipModel, idleSeconds);
    }

    public ScoringOptions withTopK(int k) {
        return new ScoringOptions(imageColumn, textColumn, k, batchSize, shipModel, idleSeconds);
    }

    public ScoringOptions withBatchSize(int size) {
        return new ScoringOptions(imageColumn, textColumn, topK, size, shipModel, idleSeconds);
    }

    public ScoringOptions withShipModel(boolean ship) {
        return new ScoringOptions(imageColumn, textColumn, topK, batchSize, ship, idleSeconds);
    }

    public ScoringOptions withIdleSeconds(int seconds) {
        return new ScoringOptions(imageColumn, textColumn, topK, batchSize, shipModel, seconds);
    }
}

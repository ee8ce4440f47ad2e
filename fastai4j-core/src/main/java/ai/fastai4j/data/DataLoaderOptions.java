package ai.fastai4j.data;

/**
 * How batches are made. fastai's defaults: batch size 64, training batches shuffled with the last partial
 * batch dropped, validation in order with every item.
 */
public record DataLoaderOptions(int batchSize, int numWorkers, long seed, boolean shuffleTrain, boolean dropLastTrain,
        int prefetchBatches) {

    public DataLoaderOptions {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        }
        if (numWorkers < 0) {
            throw new IllegalArgumentException("numWorkers must be >= 0, got " + numWorkers);
        }
        if (prefetchBatches < 1) {
            throw new IllegalArgumentException("prefetchBatches must be >= 1, got " + prefetchBatches);
        }
    }

    /** Defaults with the given batch size: one worker per core, seed 42. */
    public static DataLoaderOptions defaults(int batchSize) {
        int workers = Runtime.getRuntime().availableProcessors();
        return new DataLoaderOptions(batchSize, workers, 42L, true, true, Math.max(2, 2 * workers));
    }

    public DataLoaderOptions withBatchSize(int bs) {
        return new DataLoaderOptions(bs, numWorkers, seed, shuffleTrain, dropLastTrain, prefetchBatches);
    }

    public DataLoaderOptions withWorkers(int workers) {
        return new DataLoaderOptions(batchSize, workers, seed, shuffleTrain, dropLastTrain, prefetchBatches);
    }

    public DataLoaderOptions withSeed(long s) {
        return new DataLoaderOptions(batchSize, numWorkers, s, shuffleTrain, dropLastTrain, prefetchBatches);
    }
}

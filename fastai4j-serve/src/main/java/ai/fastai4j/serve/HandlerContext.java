package ai.fastai4j.serve;

import ai.fastai4j.data.DataException;
import ai.fastai4j.export.InferenceModel;
import ai.fastai4j.learner.Prediction;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * What a {@link ModelHandler} gets from the server: the model, the request decoder and the server's settings,
 * with the two steps every handler shares (a queue with the server's batching settings, and waiting for a result).
 *
 * @param model the served model
 * @param decoder reads request bodies within the upload limit
 * @param maxPixels largest image decoded, in pixels
 * @param maxModelPixels largest image given to a model without a fixed input size, in pixels
 * @param decodeThreads images decoded at once
 * @param maxRows most rows in one request of a row model
 * @param workers inference threads
 * @param maxBatch most inputs per batch
 * @param batchWindowNanos how long a worker waits for more inputs
 * @param maxQueue most inputs waiting
 * @param timeoutMillis how long a request waits for the model before a 503
 */
record HandlerContext(InferenceModel model, RequestDecoder decoder, long maxPixels, long maxModelPixels,
        int decodeThreads, int maxRows,
        int workers, int maxBatch, long batchWindowNanos, int maxQueue, long timeoutMillis) {

    /** An inference queue with the server's settings: {@code single} runs one input, {@code batch} several. */
    <I, O> InferenceQueue<I, O> queue(Function<I, O> single, Function<List<I>, List<O>> batch) {
        return new InferenceQueue<>(single, batch, workers, maxBatch, batchWindowNanos, maxQueue,
                "fastai4j-inference");
    }

    /**
     * A queue whose entries are the inputs of one request each (rows, texts): a lone request with one input is
     * predicted alone (exactly {@link InferenceModel#predict}), several waiting requests run as one batch.
     */
    InferenceQueue<List<Object>, List<Prediction>> requestQueue() {
        return queue(inputs -> inputs.size() == 1 ? List.of(model.predict(inputs.get(0))) : model.predictBatch(inputs),
                requests -> {
                    List<Object> all = new java.util.ArrayList<>();
                    requests.forEach(all::addAll);
                    List<Prediction> ps = model.predictBatch(all);
                    List<List<Prediction>> out = new java.util.ArrayList<>(requests.size());
                    int from = 0;
                    for (List<Object> r : requests) {
                        out.add(ps.subList(from, from + r.size()));
                        from += r.size();
                    }
                    return out;
                });
    }

    /**
     * The result of a queued input, waiting at most the server's timeout.
     *
     * @param what the input in messages ("this image")
     * @throws ApiException 503 on timeout, 422 when the model cannot use the input ({@link DataException})
     */
    <T> T await(CompletableFuture<T> f, String what) {
        try {
            return f.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(false);
            throw new ApiException(503, "the model did not answer within " + timeoutMillis + " ms; try again shortly");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "interrupted while waiting for the model");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof ApiException a) {
                throw a;
            }
            if (c instanceof DataException d) {
                throw new ApiException(422, "the model cannot use " + what + ": " + d.getMessage());
            }
            if (c instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException("inference failed: " + c, c);
        }
    }
}

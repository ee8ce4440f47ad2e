package ai.fastai4j.serve;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * A bounded queue of inference jobs served by a few dedicated worker threads. Each worker takes the first waiting
 * job, then whatever else is waiting (up to {@code maxBatch}), waiting up to {@code window} for more, and runs
 * them as one batch: {@code maxBatch = 1} is plain parallel inference on {@code workers} threads, {@code workers
 * = 1, maxBatch > 1} a micro-batcher. Only these threads call into the model, so the number of native thread
 * teams and malloc arenas stays bounded whatever the number of HTTP threads.
 *
 * <p>A batch that fails is retried item by item, so that one bad input fails only its own job.
 *
 * @param <I> an input
 * @param <O> its result
 */
final class InferenceQueue<I, O> implements AutoCloseable {
    private record Job<I, O>(I input, CompletableFuture<O> result) {}

    private final Function<I, O> single;
    private final Function<List<I>, List<O>> batch;
    private final int maxBatch;
    private final long windowNanos;
    private final BlockingQueue<Job<I, O>> queue;
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong items = new AtomicLong();
    private volatile boolean accepting = true;
    private volatile boolean stopped;

    /**
     * @param single runs one input
     * @param batch runs several inputs, results in the same order
     * @param workers worker threads (at least 1)
     * @param maxBatch most inputs per batch (1: no batching)
     * @param windowNanos how long a worker waits for more inputs after the first (0: takes only what waits)
     * @param maxQueue most jobs waiting; {@link #submit} refuses more
     * @param name thread name prefix
     */
    InferenceQueue(Function<I, O> single, Function<List<I>, List<O>> batch, int workers, int maxBatch,
            long windowNanos, int maxQueue, String name) {
        if (workers < 1 || maxBatch < 1 || windowNanos < 0 || maxQueue < 1) {
            throw new IllegalArgumentException("workers, maxBatch and maxQueue must be at least 1, the window >= 0");
        }
        this.single = single;
        this.batch = batch;
        this.maxBatch = maxBatch;
        this.windowNanos = windowNanos;
        this.queue = new ArrayBlockingQueue<>(maxQueue);
        for (int i = 0; i < workers; i++) {
            Thread t = new Thread(this::work, name + "-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    /**
     * Queues one input.
     *
     * @return its result, completed by a worker (exceptionally with what the model threw)
     * @throws ApiException 503 when the queue is full or the queue is shutting down
     */
    CompletableFuture<O> submit(I input) {
        if (!accepting) {
            throw new ApiException(503, "the server is shutting down");
        }
        Job<I, O> job = new Job<>(input, new CompletableFuture<>());
        if (!queue.offer(job)) {
            throw new ApiException(503, "the server is busy: " + queue.size() + " requests are waiting for the model;"
                    + " try again shortly");
        }
        return job.result();
    }

    /** Jobs waiting now. */
    int waiting() {
        return queue.size();
    }

    /** Batches run so far (a single job counts as a batch of 1). */
    long batches() {
        return batches.get();
    }

    /** Jobs run so far. */
    long items() {
        return items.get();
    }

    private void work() {
        List<Job<I, O>> jobs = new ArrayList<>(maxBatch);
        while (true) {
            Job<I, O> first;
            try {
                first = queue.poll(50, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                if (stopped) {
                    return;
                }
                continue;
            }
            if (first == null) {
                if (stopped || (!accepting && queue.isEmpty())) {
                    return;
                }
                continue;
            }
            jobs.clear();
            jobs.add(first);
            if (maxBatch > 1) {
                queue.drainTo(jobs, maxBatch - jobs.size());
                long deadline = System.nanoTime() + windowNanos;
                long left;
                while (jobs.size() < maxBatch && (left = deadline - System.nanoTime()) > 0) {
                    Job<I, O> next;
                    try {
                        next = queue.poll(left, TimeUnit.NANOSECONDS);
                    } catch (InterruptedException e) {
                        break;
                    }
                    if (next == null) {
                        break;
                    }
                    jobs.add(next);
                    queue.drainTo(jobs, maxBatch - jobs.size());
                }
            }
            jobs.removeIf(j -> j.result().isDone()); // given up on by their requests
            if (!jobs.isEmpty()) {
                run(jobs);
            }
        }
    }

    private void run(List<Job<I, O>> jobs) {
        batches.incrementAndGet();
        items.addAndGet(jobs.size());
        if (jobs.size() == 1) {
            runOne(jobs.get(0));
            return;
        }
        List<I> inputs = new ArrayList<>(jobs.size());
        jobs.forEach(j -> inputs.add(j.input()));
        List<O> out;
        try {
            out = batch.apply(inputs);
        } catch (Throwable t) {
            jobs.forEach(this::runOne); // find which one failed; the others still get their answers
            return;
        }
        for (int i = 0; i < jobs.size(); i++) {
            jobs.get(i).result().complete(out.get(i));
        }
    }

    private void runOne(Job<I, O> job) {
        try {
            job.result().complete(single.apply(job.input()));
        } catch (Throwable t) {
            job.result().completeExceptionally(t);
        }
    }

    /**
     * Stops taking jobs, lets the workers finish what is queued for up to {@code drainMillis}, then stops them;
     * jobs still waiting after that fail with a 503.
     */
    void close(long drainMillis) {
        accepting = false;
        long deadline = System.currentTimeMillis() + drainMillis;
        for (Thread t : threads) {
            try {
                t.join(Math.max(1, deadline - System.currentTimeMillis()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        stopped = true;
        threads.forEach(Thread::interrupt);
        for (Thread t : threads) {
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        Job<I, O> j;
        while ((j = queue.poll()) != null) {
            j.result().completeExceptionally(new ApiException(503, "the server is shutting down"));
        }
    }

    @Override
    public void close() {
        close(10_000);
    }
}

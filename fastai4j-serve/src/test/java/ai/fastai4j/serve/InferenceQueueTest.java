package ai.fastai4j.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The worker queue with a fake model whose first call blocks until released, so batches are predictable. */
class InferenceQueueTest {

    /** Squares numbers; fails on negatives; records every call's size; the first call waits for {@code gate}. */
    static final class FakeModel {
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch gate = new CountDownLatch(1);
        final List<Integer> calls = Collections.synchronizedList(new ArrayList<>());

        int one(int x) {
            block();
            calls.add(1);
            if (x < 0) {
                throw new IllegalArgumentException("negative input " + x);
            }
            return x * x;
        }

        List<Integer> batch(List<Integer> xs) {
            block();
            calls.add(xs.size());
            List<Integer> out = new ArrayList<>();
            for (int x : xs) {
                if (x < 0) {
                    throw new IllegalArgumentException("negative input " + x);
                }
                out.add(x * x);
            }
            return out;
        }

        private void block() {
            started.countDown();
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Test
    void jobsWaitingWhileTheModelIsBusyRunAsBatchesAndABadOneFailsAlone() throws Exception {
        FakeModel m = new FakeModel();
        try (InferenceQueue<Integer, Integer> q = new InferenceQueue<>(m::one, m::batch, 1, 4, 0, 100, "test")) {
            CompletableFuture<Integer> first = q.submit(1);
            assertTrue(m.started.await(5, TimeUnit.SECONDS));
            // the worker is busy with job 1: these wait, then go as batches of up to 4
            List<CompletableFuture<Integer>> rest = new ArrayList<>();
            for (int x : new int[] {2, 3, -4, 5, 6, 7}) {
                rest.add(q.submit(x));
            }
            assertEquals(6, q.waiting());
            m.gate.countDown();
            assertEquals(1, first.get(5, TimeUnit.SECONDS));
            assertEquals(4, rest.get(0).get(5, TimeUnit.SECONDS));
            assertEquals(9, rest.get(1).get(5, TimeUnit.SECONDS));
            ExecutionException e = assertThrows(ExecutionException.class, () -> rest.get(2).get(5, TimeUnit.SECONDS));
            assertTrue(e.getCause().getMessage().contains("negative input -4"));
            assertEquals(25, rest.get(3).get(5, TimeUnit.SECONDS));
            assertEquals(36, rest.get(4).get(5, TimeUnit.SECONDS));
            assertEquals(49, rest.get(5).get(5, TimeUnit.SECONDS));
            // [1], then the batch [2,3,-4,5] fails and is retried one by one (4 singles), then [6,7]
            assertEquals(List.of(1, 4, 1, 1, 1, 1, 2), m.calls);
            assertEquals(3, q.batches());
            assertEquals(7, q.items());
        }
    }

    @Test
    void aFullQueueIsRefusedWith503AndCloseDrainsWhatWaits() throws Exception {
        FakeModel m = new FakeModel();
        InferenceQueue<Integer, Integer> q = new InferenceQueue<>(m::one, m::batch, 1, 1, 0, 2, "test");
        CompletableFuture<Integer> running = q.submit(1);
        assertTrue(m.started.await(5, TimeUnit.SECONDS));
        CompletableFuture<Integer> a = q.submit(2);
        CompletableFuture<Integer> b = q.submit(3);
        ApiException full = assertThrows(ApiException.class, () -> q.submit(4));
        assertEquals(503, full.status());
        assertTrue(full.getMessage().contains("2 requests are waiting"), full.getMessage());
        Thread releaser = new Thread(() -> {
            try {
                Thread.sleep(100);
            } catch (InterruptedException ignored) {
                // just release
            }
            m.gate.countDown();
        });
        releaser.start();
        q.close(5_000); // waits for the queued jobs
        assertEquals(1, running.get());
        assertEquals(4, a.get());
        assertEquals(9, b.get());
        assertEquals(503, assertThrows(ApiException.class, () -> q.submit(5)).status());
        releaser.join();
    }

    @Test
    void theWindowGathersJobsArrivingJustAfterTheFirst() throws Exception {
        List<Integer> sizes = Collections.synchronizedList(new ArrayList<>());
        try (InferenceQueue<Integer, Integer> q = new InferenceQueue<>(x -> {
            sizes.add(1);
            return x;
        }, xs -> {
            sizes.add(xs.size());
            return xs;
        }, 1, 8, TimeUnit.MILLISECONDS.toNanos(500), 100, "test")) {
            List<CompletableFuture<Integer>> fs = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                fs.add(q.submit(i));
                Thread.sleep(20); // arrivals spread over 40 ms, well inside the 500 ms window
            }
            for (int i = 0; i < 3; i++) {
                assertEquals(i, fs.get(i).get(10, TimeUnit.SECONDS));
            }
            assertEquals(List.of(3), sizes);
        }
    }
}

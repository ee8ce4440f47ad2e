package ai.fastai4j.spark;

import ai.fastai4j.export.InferenceModel;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The models loaded in this JVM (an executor, or the driver in local mode): one {@link InferenceModel} per model
 * file, shared by every task that scores with it (an InferenceModel is thread-safe), and closed, freeing its
 * native memory, once no task has used it for the idle time.
 */
final class ExecutorModels {
    private static final Map<String, Entry> MODELS = new HashMap<>();
    private static ScheduledExecutorService reaper;

    private ExecutorModels() {}

    private static final class Entry {
        final InferenceModel model;
        int users;
        long idleSince;
        long idleMillis;

        Entry(InferenceModel model) {
            this.model = model;
        }
    }

    /** A task's hold on a loaded model; closing it (once or more) lets the model go when idle. */
    static final class Lease implements AutoCloseable {
        private final String key;
        private final InferenceModel model;
        private boolean closed;

        private Lease(String key, InferenceModel model) {
            this.key = key;
            this.model = model;
        }

        InferenceModel model() {
            return model;
        }

        @Override
        public void close() {
            synchronized (MODELS) {
                if (closed) {
                    return;
                }
                closed = true;
                Entry e = MODELS.get(key);
                if (e != null && --e.users == 0) {
                    e.idleSince = System.nanoTime();
                }
            }
        }
    }

    /** The model of {@code source}, loaded on first use in this JVM. */
    static Lease acquire(ModelSource source, int idleSeconds) {
        synchronized (MODELS) {
            Entry e = MODELS.get(source.sha256());
            if (e == null) {
                e = new Entry(InferenceModel.load(source.localFile()));
                MODELS.put(source.sha256(), e);
                startReaper();
            }
            e.users++;
            e.idleMillis = TimeUnit.SECONDS.toMillis(idleSeconds);
            return new Lease(source.sha256(), e.model);
        }
    }

    /** How many models this JVM holds now. */
    static int loaded() {
        synchronized (MODELS) {
            return MODELS.size();
        }
    }

    /** Closes the models no task uses and that have been idle for their idle time (all idle ones when forced). */
    static void evictIdle(boolean force) {
        synchronized (MODELS) {
            long now = System.nanoTime();
            MODELS.entrySet().removeIf(en -> {
                Entry e = en.getValue();
                boolean idle = e.users == 0 && (force || TimeUnit.NANOSECONDS.toMillis(now - e.idleSince) >= e.idleMillis);
                if (idle) {
                    e.model.close();
                }
                return idle;
            });
        }
    }

    private static void startReaper() {
        if (reaper == null) {
            reaper = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "fastai4j-spark-model-reaper");
                t.setDaemon(true);
                return t;
            });
            reaper.scheduleWithFixedDelay(() -> evictIdle(false), 1, 1, TimeUnit.SECONDS);
        }
    }
}

package ai.fastai4j.learner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.fastai4j.engine.Gradients;
import ai.fastai4j.nn.Parameter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.BiPredicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class CallbackEventsTest {

    /** Logs every event it sees, then runs the matching hook. */
    static class Log implements Callback {
        final List<String> events;
        final String tag;
        final int order;

        Log(List<String> events, String tag, int order) {
            this.events = events;
            this.tag = tag;
            this.order = order;
        }

        Log() {
            this(new ArrayList<>(), "", 0);
        }

        @Override
        public int order() {
            return order;
        }

        @Override
        public void handle(Event event, Learner learn) {
            events.add(tag + event.name().toLowerCase());
            Callback.super.handle(event, learn);
        }
    }

    /** Throws the exception when the predicate holds for (event, learner). */
    static final class Thrower extends Log {
        private final BiPredicate<Event, Learner> when;
        private final Supplier<CancelException> ex;
        int thrown;

        Thrower(BiPredicate<Event, Learner> when, Supplier<CancelException> ex) {
            this.when = when;
            this.ex = ex;
        }

        @Override
        public void handle(Event event, Learner learn) {
            super.handle(event, learn);
            if (when.test(event, learn)) {
                thrown++;
                throw ex.get();
            }
        }
    }

    private static final List<String> TRAIN_BATCH = List.of("before_batch", "after_pred", "after_loss",
            "before_backward", "after_backward", "before_step", "after_step", "after_batch");
    private static final List<String> VALID_BATCH = List.of("before_batch", "after_pred", "after_loss", "after_batch");

    private static List<String> concat(Object... parts) {
        List<String> out = new ArrayList<>();
        for (Object p : parts) {
            if (p instanceof String s) {
                out.add(s);
            } else {
                for (Object o : (List<?>) p) {
                    out.add((String) o);
                }
            }
        }
        return out;
    }

    /** 16 training items and 8 validation items, batch size 8: two training batches and one validation batch. */
    private static TestData.Rig rig() {
        return TestData.blobRig(16, 8, 8, 21);
    }

    @Test
    void eventsOfOneEpochInFastaiOrder() {
        try (TestData.Rig rig = rig()) {
            assertEquals(2, rig.dls.train().numBatches());
            assertEquals(1, rig.dls.valid().numBatches());
            Log log = new Log();
            rig.learn.fit(1, 1e-3, log);
            List<String> expected = concat("before_fit", "before_epoch", "before_train", TRAIN_BATCH, TRAIN_BATCH,
                    "after_train", "before_validate", VALID_BATCH, "after_validate", "after_epoch", "after_fit");
            assertEquals(expected, log.events);
            assertFalse(rig.learn.callbacks().contains(log), "a fit's extra callbacks are removed after it");
        }
    }

    @Test
    void lowerOrderRunsFirst() {
        try (TestData.Rig rig = rig()) {
            List<String> shared = Collections.synchronizedList(new ArrayList<>());
            Log late = new Log(shared, "late:", 55);
            Log early = new Log(shared, "early:", -5);
            Log mid = new Log(shared, "mid:", 5);
            rig.learn.addCallbacks(late, early, mid);
            List<Class<?>> types = rig.learn.callbacks().stream().<Class<?>>map(Object::getClass).toList();
            assertEquals(List.of(TrainEvalCallback.class, Log.class, TerminateOnNaNCallback.class, Log.class,
                    Recorder.class, Log.class), types);
            List<Double> recordedAtAfterBatch = new ArrayList<>();
            Callback probe = new Callback() {
                @Override
                public int order() {
                    return 51; // after the Recorder (50)
                }

                @Override
                public void afterBatch(Learner learn) {
                    if (learn.isTraining()) {
                        recordedAtAfterBatch.add((double) learn.recorder().losses().size());
                    }
                }
            };
            rig.learn.fit(1, 1e-3, probe);
            for (int i = 0; i < shared.size(); i += 3) {
                String ev = shared.get(i).substring("early:".length());
                assertEquals(List.of("early:" + ev, "mid:" + ev, "late:" + ev), shared.subList(i, i + 3));
            }
            assertEquals(List.of(1.0, 2.0), recordedAtAfterBatch, "the recorder already ran in after_batch");
        }
    }

    @Test
    void cancelStepInBeforeStepKeepsWeights() {
        try (TestData.Rig rig = rig()) {
            Map<String, String> before = TestData.weights(rig.model);
            Thrower t = new Thrower((e, l) -> e == Event.BEFORE_STEP, CancelStepException::new);
            rig.learn.fit(1, 1e-1, t);
            assertEquals(2, t.thrown);
            assertEquals(before, TestData.weights(rig.model), "no optimizer step ran");
            List<String> batch = List.of("before_batch", "after_pred", "after_loss", "before_backward",
                    "after_backward", "before_step", "after_cancel_step", "after_step", "after_batch");
            assertEquals(concat("before_fit", "before_epoch", "before_train", batch, batch, "after_train",
                    "before_validate", VALID_BATCH, "after_validate", "after_epoch", "after_fit"), t.events);
        }
    }

    @Test
    void cancelBackwardLeavesNoGradientAndNoChange() {
        try (TestData.Rig rig = rig()) {
            Map<String, String> before = TestData.weights(rig.model);
            List<String> gradSeen = new ArrayList<>();
            Callback gradProbe = new Callback() {
                @Override
                public void beforeStep(Learner learn) {
                    for (Parameter p : learn.model().parameters()) {
                        NDArray g = Gradients.of(p.data());
                        if (g != null) {
                            float sum = g.abs().sum().getFloat();
                            if (sum != 0) {
                                gradSeen.add(p.name() + " " + sum);
                            }
                        }
                    }
                }
            };
            Thrower t = new Thrower((e, l) -> e == Event.BEFORE_BACKWARD, CancelBackwardException::new);
            rig.learn.fit(1, 1e-1, t, gradProbe);
            assertEquals(2, t.thrown);
            assertEquals(List.of(), gradSeen, "no gradient after a cancelled backward");
            assertEquals(before, TestData.weights(rig.model), "no change to the weights");
            List<String> batch = List.of("before_batch", "after_pred", "after_loss", "before_backward",
                    "after_cancel_backward", "after_backward", "before_step", "after_step", "after_batch");
            assertEquals(concat("before_fit", "before_epoch", "before_train", batch, batch, "after_train",
                    "before_validate", VALID_BATCH, "after_validate", "after_epoch", "after_fit"), t.events);
        }
    }

    @Test
    void cancelBatchInBeforeBatchSkipsTheForward() {
        try (TestData.Rig rig = rig()) {
            int[] forwards = new int[1];
            Callback countPreds = new Callback() {
                @Override
                public void afterPred(Learner learn) {
                    forwards[0]++;
                }
            };
            Thrower t = new Thrower((e, l) -> e == Event.BEFORE_BATCH && l.isTraining() && l.iter() == 0
                    && l.epoch() == 0, CancelBatchException::new);
            rig.learn.fit(1, 1e-3, t, countPreds);
            assertEquals(1, t.thrown);
            assertEquals(concat("before_fit", "before_epoch", "before_train",
                    "before_batch", "after_cancel_batch", "after_batch", TRAIN_BATCH, "after_train",
                    "before_validate", VALID_BATCH, "after_validate", "after_epoch", "after_fit"), t.events);
            assertEquals(2, forwards[0], "one training forward and one validation forward");
            // a skipped batch has no loss: it is not recorded and does not count as NaN
            assertNull(rig.learn.callback(TerminateOnNaNCallback.class).message());
            assertEquals(1, rig.learn.recorder().losses().size());
            assertTrue(Double.isFinite(rig.learn.recorder().losses().get(0)));
            assertEquals(1, rig.learn.recorder().values().size());
        }
    }

    @Test
    void cancelBatchAfterPredSkipsLossAndStep() {
        try (TestData.Rig rig = rig()) {
            Map<String, String> before = TestData.weights(rig.model);
            Thrower t = new Thrower((e, l) -> e == Event.AFTER_PRED && l.isTraining(), CancelBatchException::new);
            rig.learn.fit(1, 1e-1, t);
            assertEquals(before, TestData.weights(rig.model));
            List<String> batch = List.of("before_batch", "after_pred", "after_cancel_batch", "after_batch");
            assertEquals(concat("before_fit", "before_epoch", "before_train", batch, batch, "after_train",
                    "before_validate", VALID_BATCH, "after_validate", "after_epoch", "after_fit"), t.events);
        }
    }

    @Test
    void cancelTrainStillValidates() {
        try (TestData.Rig rig = rig()) {
            Thrower t = new Thrower((e, l) -> e == Event.AFTER_BATCH && l.isTraining(), CancelTrainException::new);
            rig.learn.fit(1, 1e-3, t);
            assertEquals(1, t.thrown);
            assertEquals(concat("before_fit", "before_epoch", "before_train", TRAIN_BATCH, "after_cancel_train",
                    "after_train", "before_validate", VALID_BATCH, "after_validate", "after_epoch", "after_fit"),
                    t.events);
            assertTrue(Double.isFinite(rig.learn.recorder().values().get(0).get(1)), "valid loss computed");
        }
    }

    @Test
    void cancelValidRunsNoValidBatch() {
        try (TestData.Rig rig = rig()) {
            Thrower t = new Thrower((e, l) -> e == Event.BEFORE_VALIDATE && l.epoch() == 1, CancelValidException::new);
            rig.learn.fit(2, 1e-3, t);
            List<String> epoch0 = concat("before_epoch", "before_train", TRAIN_BATCH, TRAIN_BATCH, "after_train",
                    "before_validate", VALID_BATCH, "after_validate", "after_epoch");
            List<String> epoch1 = concat("before_epoch", "before_train", TRAIN_BATCH, TRAIN_BATCH, "after_train",
                    "before_validate", "after_cancel_validate", "after_validate", "after_epoch");
            assertEquals(concat("before_fit", epoch0, epoch1, "after_fit"), t.events);
            List<List<Double>> values = rig.learn.recorder().values();
            assertTrue(Double.isFinite(values.get(0).get(1)));
            assertTrue(Double.isNaN(values.get(1).get(1)),
                    "epoch 1 was not validated, its valid loss must not be epoch 0's: " + values);
        }
    }

    @Test
    void cancelEpochGoesOnWithTheNextEpoch() {
        try (TestData.Rig rig = rig()) {
            Thrower t = new Thrower((e, l) -> e == Event.AFTER_BATCH && l.isTraining() && l.epoch() == 0,
                    CancelEpochException::new);
            rig.learn.fit(2, 1e-3, t);
            assertEquals(1, t.thrown);
            assertEquals(concat("before_fit",
                    "before_epoch", "before_train", TRAIN_BATCH, "after_cancel_epoch", "after_epoch",
                    "before_epoch", "before_train", TRAIN_BATCH, TRAIN_BATCH, "after_train", "before_validate",
                    VALID_BATCH, "after_validate", "after_epoch", "after_fit"), t.events);
            // the thrower (order 0) ran before the Recorder (50): the cancelled batch was not recorded
            assertEquals(2, rig.learn.recorder().losses().size());
            assertEquals(2, rig.learn.recorder().values().size(), "a row for each epoch, the cancelled one too");
        }
    }

    @Test
    void cancelFitRunsOnlyTheFitEnd() {
        try (TestData.Rig rig = rig()) {
            Thrower t = new Thrower((e, l) -> e == Event.BEFORE_FIT, CancelFitException::new);
            Map<String, String> before = TestData.weights(rig.model);
            rig.learn.fit(3, 1e-3, t);
            assertEquals(List.of("before_fit", "after_cancel_fit", "after_fit"), t.events);
            assertEquals(before, TestData.weights(rig.model));
        }
        try (TestData.Rig rig = rig()) {
            Thrower t = new Thrower((e, l) -> e == Event.AFTER_BATCH && l.isTraining() && l.iter() == 1,
                    CancelFitException::new);
            rig.learn.fit(3, 1e-3, t);
            assertEquals(concat("before_fit", "before_epoch", "before_train", TRAIN_BATCH, TRAIN_BATCH,
                    "after_cancel_fit", "after_fit"), t.events);
            assertFalse(rig.learn.isTraining(), "after_fit leaves evaluation mode");
        }
    }

    @Test
    void otherExceptionsPropagateWithoutAfterEvents() {
        try (TestData.Rig rig = rig()) {
            Thrower t = new Thrower((e, l) -> e == Event.AFTER_LOSS, CancelValidException::new);
            // a CancelValidException during training is not caught by the batch, train or epoch stages
            // (only by validate): it escapes fit
            org.junit.jupiter.api.Assertions.assertThrows(CancelValidException.class, () -> rig.learn.fit(1, 1e-3, t));
            assertEquals(List.of("before_fit", "before_epoch", "before_train", "before_batch", "after_pred",
                    "after_loss"), t.events);
            assertFalse(rig.learn.callbacks().contains(t));
            // the learner is still usable
            rig.learn.fit(1, 1e-3);
            assertEquals(2, rig.learn.recorder().losses().size());
        }
    }
}

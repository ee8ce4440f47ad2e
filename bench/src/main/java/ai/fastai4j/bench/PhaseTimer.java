package ai.fastai4j.bench;

import ai.fastai4j.engine.NativeMemory;
import ai.fastai4j.learner.Callback;
import ai.fastai4j.learner.Learner;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Times the training phase of every epoch apart from validation, every training iteration, and the parts of a
 * training step between the Learner's events, from its real loop (on CPU every op runs synchronously, so wall
 * time between events is the time of the work between them):
 *
 * <ul>
 *   <li>data: after the previous batch to beforeBatch: closing the previous step's NDScope, waiting for the loader
 *       threads, {@code toBatch} (copy to the engine, uint8 to float / 255) and the schedulers' beforeBatch;</li>
 *   <li>forward: beforeBatch to afterPred;</li>
 *   <li>loss: afterPred to afterLoss (cross-entropy and reading the loss value);</li>
 *   <li>backward: beforeBackward to afterBackward;</li>
 *   <li>gc-close: afterBackward to beforeStep (closing the GradientCollector);</li>
 *   <li>opt.step: beforeStep to afterStep;</li>
 *   <li>zeroGrad+cbs: afterStep to afterBatch (zeroGrad and the other callbacks' afterBatch).</li>
 * </ul>
 * Also the resident memory after each epoch's validation and after the epoch: the Learner gives glibc's free
 * memory back in between ({@code NativeMemory.trim()}, with {@code -Dfastai4j.malloc.tune=true}). Order 1000:
 * it runs after the built-in callbacks.
 */
final class PhaseTimer implements Callback {
    static final String[] PHASES = {"data", "forward", "loss", "backward", "gc-close", "opt.step", "zeroGrad+cbs"};

    final List<Double> trainSeconds = new ArrayList<>();
    final List<Integer> trainImages = new ArrayList<>();
    final List<Long> rssAfterEpoch = new ArrayList<>();
    /** RSS after each epoch's validation, before the Learner's trim. */
    final List<Long> rssBeforeTrim = new ArrayList<>();
    /** glibc's view after each epoch's validation, before the trim (see {@link MallocInfo}). */
    final List<String> mallocAfterEpoch = new ArrayList<>();
    /** Seconds of every training iteration (afterBatch to afterBatch), all epochs. */
    final List<Double> iterSeconds = new ArrayList<>();
    /** Nanoseconds per phase, summed over all training iterations. */
    final long[] phaseNanos = new long[PHASES.length];
    int steps;
    /** Minor page faults during the training phases. */
    long trainFaults;
    private long faultsAtTrainStart;

    private long trainStart;
    private long mark;
    private long tBatch;
    private long tPred;
    private long tLoss;
    private long tBackward;
    private long tAfterBackward;
    private long tStep;
    private long tAfterStep;
    private int imagesThisEpoch;

    @Override
    public int order() {
        return 1000;
    }

    @Override
    public void beforeTrain(Learner learn) {
        faultsAtTrainStart = MallocTuningBench.minorFaults();
        trainStart = System.nanoTime();
        mark = trainStart;
        imagesThisEpoch = 0;
    }

    @Override
    public void beforeBatch(Learner learn) {
        if (learn.isTraining()) {
            tBatch = System.nanoTime();
        }
    }

    @Override
    public void afterPred(Learner learn) {
        if (learn.isTraining()) {
            tPred = System.nanoTime();
        }
    }

    @Override
    public void afterLoss(Learner learn) {
        if (learn.isTraining()) {
            tLoss = System.nanoTime();
        }
    }

    @Override
    public void beforeBackward(Learner learn) {
        tBackward = System.nanoTime();
    }

    @Override
    public void afterBackward(Learner learn) {
        tAfterBackward = System.nanoTime();
    }

    @Override
    public void beforeStep(Learner learn) {
        tStep = System.nanoTime();
    }

    @Override
    public void afterStep(Learner learn) {
        tAfterStep = System.nanoTime();
    }

    @Override
    public void afterBatch(Learner learn) {
        if (!learn.isTraining()) {
            return;
        }
        long now = System.nanoTime();
        phaseNanos[0] += tBatch - mark;
        phaseNanos[1] += tPred - tBatch;
        phaseNanos[2] += tLoss - tPred;
        phaseNanos[3] += tAfterBackward - tBackward;
        phaseNanos[4] += tStep - tAfterBackward;
        phaseNanos[5] += tAfterStep - tStep;
        phaseNanos[6] += now - tAfterStep;
        iterSeconds.add((now - mark) / 1e9);
        mark = now;
        steps++;
        imagesThisEpoch += (int) learn.xb().get(0).getShape().get(0);
    }

    @Override
    public void afterTrain(Learner learn) {
        trainSeconds.add((System.nanoTime() - trainStart) / 1e9);
        trainImages.add(imagesThisEpoch);
        trainFaults += MallocTuningBench.minorFaults() - faultsAtTrainStart;
    }

    @Override
    public void afterValidate(Learner learn) {
        rssBeforeTrim.add(NativeMemory.residentBytes());
        mallocAfterEpoch.add(MallocInfo.summary());
    }

    @Override
    public void afterEpoch(Learner learn) {
        rssAfterEpoch.add(NativeMemory.residentBytes());
    }

    /** Median of the iteration times after the first {@code skip}. */
    double medianIterSeconds(int skip) {
        double[] v = iterSeconds.stream().skip(Math.min(skip, Math.max(0, iterSeconds.size() - 1)))
                .mapToDouble(Double::doubleValue).sorted().toArray();
        return v.length == 0 ? Double.NaN : v[v.length / 2];
    }

    String phaseTable() {
        long total = Arrays.stream(phaseNanos).sum();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < PHASES.length; i++) {
            sb.append(String.format(Locale.ROOT, "  %-13s %8.2f ms/step  %5.1f%%%n", PHASES[i],
                    phaseNanos[i] / 1e6 / Math.max(1, steps), 100.0 * phaseNanos[i] / Math.max(1, total)));
        }
        sb.append(String.format(Locale.ROOT, "  %-13s %8.2f ms/step  (%d steps)%n", "total",
                total / 1e6 / Math.max(1, steps), steps));
        return sb.toString();
    }
}

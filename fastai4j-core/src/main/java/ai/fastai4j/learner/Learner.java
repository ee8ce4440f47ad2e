package ai.fastai4j.learner;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import ai.fastai4j.data.Batch;
import ai.fastai4j.data.DataLoader;
import ai.fastai4j.data.DataLoaders;
import ai.fastai4j.data.HostBatch;
import ai.fastai4j.data.TransformBlock;
import ai.fastai4j.engine.Devices;
import ai.fastai4j.engine.NativeMemory;
import ai.fastai4j.engine.NoGrad;
import ai.fastai4j.io.Safetensors;
import ai.fastai4j.losses.LossFunction;
import ai.fastai4j.metrics.Metric;
import ai.fastai4j.nn.ModelSpec;
import ai.fastai4j.nn.Module;
import ai.fastai4j.nn.Parameter;
import ai.fastai4j.optim.Optimizer;
import ai.fastai4j.optim.OptimizerFactory;
import ai.fastai4j.optim.Optimizers;
import ai.fastai4j.optim.Slice;
import ai.fastai4j.schedule.Schedule;
import ai.fastai4j.schedule.Schedules;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Trains a model on data, like fastai's {@code Learner}: it owns the model, the loss, the optimizer and the
 * callbacks, and runs the training loop as a sequence of named {@link Event}s. State that callbacks read and
 * change (the batch, predictions, loss, progress) is exposed through getters and setters.
 *
 * <pre>{@code
 * try (Learner learn = Learner.builder(dls, model).metrics(Metrics.accuracy()).build()) {
 *     learn.fitOneCycle(3, 1e-3);
 * }
 * }</pre>
 */
public class Learner implements AutoCloseable {
    private DataLoaders dls;
    private final Module model;
    private final LossFunction lossFunction;
    private final OptimizerFactory optimizerFactory;
    private final List<Metric> metrics;
    private final List<Callback> callbacks = new ArrayList<>();
    private final List<List<Parameter>> paramGroups;
    private final Double wd;
    private final boolean trainBn;
    private final double[] moms;
    private final double defaultLr;
    private final Path path;
    private final NDManager manager;
    private final Device device;
    private final boolean tuneNativeMemory;
    private final Map<String, Object> provenance = new LinkedHashMap<>();
    private ModelSpec modelSpec;
    private final List<AutoCloseable> owned;
    private Optimizer opt;
    private SuggestedLrs lastLrFind;

    // training state, read and written by callbacks
    private int epoch;
    private int nEpoch;
    private int iter;
    private int nIter;
    private int trainIter;
    private double pctTrain;
    private boolean training;
    private DataLoader dl;
    private NDList xb;
    private NDList yb;
    private NDArray pred;
    private NDArray lossGrad;
    private double loss = Double.NaN;
    // clean stop and exact resume (ShutdownGuard, Checkpoint)
    private long seed = ai.fastai4j.Fastai4j.seedOr(42);
    private long batchesTrained;
    private long batchIndex;
    private int startEpoch;
    private int startIter;
    private boolean startAfterTrain;
    private TrainingInterruptedException interruption;

    protected Learner(Builder b) {
        this.dls = b.dls;
        this.model = b.model;
        this.lossFunction = b.lossFunction != null ? b.lossFunction : defaultLoss(b.dls);
        this.optimizerFactory = b.optimizerFactory;
        this.metrics = List.copyOf(b.metrics);
        this.paramGroups = List.copyOf(b.splitter.apply(b.model));
        checkGroups();
        this.wd = b.wd;
        this.trainBn = b.trainBn;
        this.moms = b.moms.clone();
        this.defaultLr = b.lr;
        this.path = b.path;
        this.device = placeModel(b.model, b.device);
        this.tuneNativeMemory = b.tuneNativeMemory;
        if (tuneNativeMemory) {
            NativeMemory.tuneMalloc();
        }
        this.manager = NDManager.newBaseManager(device);
        this.owned = List.copyOf(b.owned);
        ShutdownGuard.install();
        callbacks.add(new TrainEvalCallback());
        callbacks.add(new Recorder());
        callbacks.add(new TerminateOnNaNCallback());
        if (b.progress) {
            callbacks.add(new ProgressCallback());
        }
        callbacks.addAll(b.callbacks);
        sortCallbacks();
    }

    /** Starts building a learner for {@code model} on {@code dls}. */
    public static Builder builder(DataLoaders dls, Module model) {
        return new Builder(dls, model);
    }

    private static LossFunction defaultLoss(DataLoaders dls) {
        List<TransformBlock> blocks = dls.datasets().blocks();
        TransformBlock target = blocks.get(dls.datasets().nInputs());
        return target.defaultLoss().orElseThrow(() -> new IllegalArgumentException(
                "no default loss for target block " + target.name() + ": pass lossFunction(...)"));
    }

    private void checkGroups() {
        java.util.Set<Parameter> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (List<Parameter> g : paramGroups) {
            for (Parameter p : g) {
                if (!seen.add(p)) {
                    throw new IllegalArgumentException("parameter " + p + " is in more than one parameter group");
                }
            }
        }
        for (Parameter p : model.parameters()) {
            if (!seen.contains(p)) {
                throw new IllegalArgumentException("parameter " + p + " is in no parameter group");
            }
        }
    }

    // ---------------------------------------------------------------- callbacks

    private void sortCallbacks() {
        callbacks.sort(Comparator.comparingInt(Callback::order));
    }

    /** Adds callbacks for the rest of this learner's life. */
    public Learner addCallbacks(Callback... cbs) {
        callbacks.addAll(List.of(cbs));
        sortCallbacks();
        return this;
    }

    /** Removes every callback of the given type. */
    public Learner removeCallback(Class<? extends Callback> type) {
        callbacks.removeIf(type::isInstance);
        return this;
    }

    /** The first callback of the given type; fails if there is none. */
    public <C extends Callback> C callback(Class<C> type) {
        for (Callback c : callbacks) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
        }
        throw new IllegalArgumentException("no callback of type " + type.getSimpleName());
    }

    /** Whether a callback of the given type is installed. */
    public boolean hasCallback(Class<? extends Callback> type) {
        return callbacks.stream().anyMatch(type::isInstance);
    }

    /** The installed callbacks, in running order. */
    public List<Callback> callbacks() {
        return List.copyOf(callbacks);
    }

    /** The recorder of losses, learning rates and metrics. */
    public Recorder recorder() {
        return callback(Recorder.class);
    }

    /** Runs {@code event} on every callback, in order. */
    public void event(Event e) {
        if (ShutdownGuard.stopNowRequested() && interruption == null && dl != null) {
            interruption = new TrainingInterruptedException("training stopped at once at epoch " + epoch + ", batch "
                    + iter + " (second signal): no checkpoint of this batch");
            throw interruption;
        }
        for (Callback c : List.copyOf(callbacks)) {
            c.handle(e, this);
        }
    }

    private void withEvents(Runnable body, Event before, Event afterCancel, Event after,
            Class<? extends CancelException> cancel) {
        try {
            if (before != null) {
                event(before);
            }
            body.run();
        } catch (CancelException e) {
            if (!cancel.isInstance(e)) {
                throw e;
            }
            event(afterCancel);
        }
        event(after);
    }

    // ---------------------------------------------------------------- optimizer and freezing

    /** Creates the optimizer over the parameter groups (done by fit when needed). */
    public Optimizer createOptimizer() {
        if (opt != null) {
            opt.close();
        }
        opt = optimizerFactory.create(paramGroups);
        opt.setHyper("lr", defaultLr);
        if (wd != null) {
            opt.setHyper("wd", wd);
        }
        return opt;
    }

    /** The optimizer, created on first use. */
    public Optimizer opt() {
        return opt == null ? createOptimizer() : opt;
    }

    /** Parameter groups used for discriminative learning rates and freezing. */
    public List<List<Parameter>> paramGroups() {
        return paramGroups;
    }

    /**
     * Freezes the first {@code n} parameter groups (negative counts from the end, as in Python); normalisation
     * layers keep training when {@code trainBn} is on.
     */
    public void freezeTo(int n) {
        int groups = paramGroups.size();
        int cut = n >= 0 ? Math.min(n, groups) : Math.max(0, groups + n);
        for (int g = 0; g < groups; g++) {
            boolean frozen = g < cut;
            for (Parameter p : paramGroups.get(g)) {
                p.setTrainable(!frozen || (trainBn && p.kind() == Parameter.Kind.NORM));
            }
        }
    }

    /** Freezes every group but the last (the head). */
    public void freeze() {
        freezeTo(-1);
    }

    /** Makes every group trainable. */
    public void unfreeze() {
        freezeTo(0);
    }

    // ---------------------------------------------------------------- fitting

    /** Trains for {@code nEpoch} epochs at a constant learning rate. */
    public void fit(int nEpoch, double lr, Callback... extra) {
        fit(nEpoch, Slice.all(lr), extra);
    }

    /** Trains for {@code nEpoch} epochs, learning rates spread over the parameter groups by {@code lr}. */
    public void fit(int nEpoch, Slice lr, Callback... extra) {
        if (nEpoch < 1) {
            throw new IllegalArgumentException("nEpoch must be at least 1, got " + nEpoch);
        }
        Optimizer o = opt();
        if (lr != null) {
            o.setHyper("lr", lr.spread(o.groupCount()));
        }
        List<Callback> added = List.of(extra);
        callbacks.addAll(added);
        sortCallbacks();
        this.nEpoch = nEpoch;
        interruption = null;
        startEpoch = 0;
        startIter = 0;
        startAfterTrain = false;
        try (ShutdownGuard.Region work = ShutdownGuard.work("fit")) {
            withEvents(this::doFit, Event.BEFORE_FIT, Event.AFTER_CANCEL_FIT, Event.AFTER_FIT, CancelFitException.class);
            if (interruption != null) {
                ShutdownGuard.stopped(this);
                throw interruption;
            }
        } finally {
            callbacks.removeAll(added);
            dl = null;
            if (tuneNativeMemory) {
                NativeMemory.trim();
            }
        }
    }

    /** Set by a resume in beforeFit: the fit starts at {@code epoch}, its training at batch {@code iter}. */
    void startAt(int epoch, int iter, boolean afterTrain) {
        startEpoch = epoch;
        startIter = iter;
        startAfterTrain = afterTrain;
    }

    /** Why the running (or last) fit stopped because the process is shutting down, or null. */
    public TrainingInterruptedException interruption() {
        return interruption;
    }

    /** Seed of the per-batch generators (dropout, MixUp): {@link ai.fastai4j.Fastai4j#setSeed}'s, else 42. */
    public long seed() {
        return seed;
    }

    void setSeed(long v) {
        seed = v;
    }

    /**
     * Training batches this learner has started in its life (the running one included); with the seed it decides
     * each batch's random draws.
     */
    public long batchesTrained() {
        return batchesTrained;
    }

    void setBatchesTrained(long v) {
        batchesTrained = v;
    }

    /**
     * A generator for the running training batch's random draws (MixUp, CutMix...), the same for the same seed,
     * batch and {@code stream} whatever happened before: a resumed training draws what the uninterrupted one did.
     */
    public java.util.Random batchRandom(int stream) {
        return new java.util.Random(ai.fastai4j.Fastai4j.mix(seed, batchIndex, 1000L + stream));
    }

    /** fastai's fit_one_cycle with its defaults (div 25, div_final 1e5, pct_start 0.25). */
    public void fitOneCycle(int nEpoch, double lrMax) {
        fitOneCycle(nEpoch, Slice.all(lrMax), 25, 1e5, 0.25);
    }

    /** fastai's fit_one_cycle with a per-group learning-rate spec. */
    public void fitOneCycle(int nEpoch, Slice lrMax) {
        fitOneCycle(nEpoch, lrMax, 25, 1e5, 0.25);
    }

    /**
     * One cycle: per group, lr rises on a cosine from lrMax/div to lrMax over {@code pctStart} of the iterations,
     * then falls on a cosine to lrMax/divFinal; momentum goes the opposite way (moms[0] to moms[1] and back).
     */
    public void fitOneCycle(int nEpoch, Slice lrMax, double div, double divFinal, double pctStart, Callback... extra) {
        double[] maxes = lrMax.spread(opt().groupCount());
        List<Schedule> lr = new ArrayList<>();
        for (double m : maxes) {
            lr.add(Schedules.oneCycleLr(m, div, divFinal, pctStart));
        }
        Map<String, List<Schedule>> scheds = new LinkedHashMap<>();
        scheds.put("lr", lr);
        if (opt.hasHyper("mom")) {
            scheds.put("mom", List.of(Schedules.oneCycleMom(moms[0], moms[1], moms[2], pctStart)));
        }
        Callback[] all = append(extra, new ParamScheduler(scheds));
        fit(nEpoch, (Slice) null, all);
    }

    /**
     * fastai's fit_sgdr (warm restarts): {@code nCycles} cosine annealings from {@code lrMax} to 0, the i-th
     * {@code cycleLen * cycleMult^i} epochs long.
     */
    public void fitSgdr(int nCycles, int cycleLen, double lrMax, int cycleMult, Callback... extra) {
        long n = Schedules.sgdrEpochs(nCycles, cycleLen, cycleMult);
        Schedule s = Schedules.sgdr(lrMax, nCycles, cycleLen, cycleMult);
        fit(Math.toIntExact(n), (Slice) null, append(extra, new ParamScheduler(Map.of("lr", List.of(s)))));
    }

    /** fastai's fit_flat_cos: flat at {@code lr} for {@code pctStart}, then cosine down to lr/1e5. */
    public void fitFlatCos(int nEpoch, double lr) {
        fitFlatCos(nEpoch, Slice.all(lr), 0.75, 1e5);
    }

    public void fitFlatCos(int nEpoch, Slice lr, double pctStart, double divFinal, Callback... extra) {
        double[] lrs = lr.spread(opt().groupCount());
        List<Schedule> s = new ArrayList<>();
        for (double v : lrs) {
            s.add(Schedules.flatCos(v, pctStart, divFinal));
        }
        fit(nEpoch, (Slice) null, append(extra, new ParamScheduler(Map.of("lr", s))));
    }

    /**
     * fastai's fine_tune: train the head with the body frozen for {@code freezeEpochs} (one cycle, pct_start
     * 0.99), halve the base rate, unfreeze, then {@code epochs} of one cycle with rates from base/lrMult to base
     * (pct_start 0.3, div 5).
     */
    public void fineTune(int epochs, double baseLr, int freezeEpochs, double lrMult, double pctStart, double div) {
        freeze();
        fitOneCycle(freezeEpochs, Slice.of(baseLr), 25, 1e5, 0.99);
        double base = baseLr / 2;
        unfreeze();
        fitOneCycle(epochs, Slice.of(base / lrMult, base), div, 1e5, pctStart);
    }

    /** fine_tune with fastai's defaults: base_lr 2e-3, freeze_epochs 1, lr_mult 100, pct_start 0.3, div 5. */
    public void fineTune(int epochs) {
        fineTune(epochs, 2e-3, 1, 100, 0.3, 5.0);
    }

    public void fineTune(int epochs, double baseLr) {
        fineTune(epochs, baseLr, 1, 100, 0.3, 5.0);
    }

    private static Callback[] append(Callback[] a, Callback c) {
        Callback[] out = java.util.Arrays.copyOf(a, a.length + 1);
        out[a.length] = c;
        return out;
    }

    private void doFit() {
        for (epoch = startEpoch; epoch < nEpoch; epoch++) {
            withEvents(this::doEpoch, Event.BEFORE_EPOCH, Event.AFTER_CANCEL_EPOCH, Event.AFTER_EPOCH,
                    CancelEpochException.class);
        }
    }

    private void doEpoch() {
        dl = dls.train();
        if (startAfterTrain) {
            startAfterTrain = false; // resumed after this epoch's training: only its validation is left
        } else {
            withEvents(this::allBatches, Event.BEFORE_TRAIN, Event.AFTER_CANCEL_TRAIN, Event.AFTER_TRAIN,
                    CancelTrainException.class);
        }
        dl = dls.valid();
        NoGrad.run(() -> withEvents(this::allBatches, Event.BEFORE_VALIDATE, Event.AFTER_CANCEL_VALIDATE,
                Event.AFTER_VALIDATE, CancelValidException.class));
        if (tuneNativeMemory) {
            NativeMemory.trim(); // give back what glibc kept from the epoch
        }
    }

    private void allBatches() {
        int first = training ? startIter : 0;
        startIter = 0;
        try (DataLoader.EpochIterator it = dl.epoch(first)) {
            nIter = it.numBatches();
            int i = first;
            while (it.hasNext()) {
                oneBatch(i++, it.next());
            }
        }
    }

    /** Runs one batch with its events; every array made during the step is freed when it ends. */
    private void oneBatch(int i, HostBatch hostBatch) {
        iter = i;
        if (training) {
            // dropout draws depend on the seed and the batch only: a resumed training repeats them
            batchIndex = batchesTrained++;
            Engine.getInstance().setRandomSeed((int) ai.fastai4j.Fastai4j.mix(seed, batchIndex, 0));
        }
        try (NDScope scope = new NDScope()) {
            Batch b = dl.toBatch(hostBatch, manager);
            xb = b.xb();
            yb = b.yb();
            withEvents(this::doOneBatch, Event.BEFORE_BATCH, Event.AFTER_CANCEL_BATCH, Event.AFTER_BATCH,
                    CancelBatchException.class);
        } finally {
            xb = null;
            yb = null;
            pred = null;
            lossGrad = null;
        }
        if (ShutdownGuard.stopRequested() && interruption == null) {
            interruption = new TrainingInterruptedException("training stopped in epoch " + epoch + " after "
                    + (training ? "training" : "validation") + " batch " + i + ": the process is shutting down");
            throw interruption;
        }
    }

    private void doOneBatch() {
        GradientCollector gc = training ? Engine.getInstance().newGradientCollector() : null;
        try {
            pred = model.call(xb);
            event(Event.AFTER_PRED);
            if (!yb.isEmpty()) {
                lossGrad = lossFunction.compute(pred, yb.get(0));
                loss = lossGrad.getFloat();
            }
            event(Event.AFTER_LOSS);
            if (!training || yb.isEmpty()) {
                return;
            }
            withEvents(() -> gc.backward(lossGrad), Event.BEFORE_BACKWARD, Event.AFTER_CANCEL_BACKWARD,
                    Event.AFTER_BACKWARD, CancelBackwardException.class);
        } finally {
            if (gc != null) {
                gc.close();
            }
        }
        if (!training) {
            return;
        }
        withEvents(opt::step, Event.BEFORE_STEP, Event.AFTER_CANCEL_STEP, Event.AFTER_STEP, CancelStepException.class);
        opt.zeroGrad();
    }

    // ---------------------------------------------------------------- lr_find

    /** fastai's lr_find with its defaults (1e-7 to 10 over 100 iterations, stop on divergence). */
    public SuggestedLrs lrFind() {
        return lrFind(1e-7, 10, 100, true);
    }

    /**
     * Trains with an exponentially growing learning rate, records the smoothed loss, restores the weights and
     * optimizer state, and suggests learning rates (valley, minimum, steep, slide).
     */
    public SuggestedLrs lrFind(double startLr, double endLr, int numIt, boolean stopDiv) {
        Path tmp;
        try {
            tmp = Files.createTempFile("fastai4j-lrfind", ".safetensors");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        List<Callback> progress = new ArrayList<>();
        callbacks.stream().filter(ProgressCallback.class::isInstance).forEach(progress::add);
        callbacks.removeAll(progress);
        try (ShutdownGuard.Region work = ShutdownGuard.work("lr_find")) {
            opt(); // like fastai, the optimizer exists before the sweep, so its (possibly empty) state is restored
            saveTo(tmp, true);
            int epochs = numIt / Math.max(1, dls.train().numBatches()) + 1;
            fit(epochs, (Slice) null, new LRFinder(startLr, endLr, numIt, stopDiv));
            opt.zeroGrad();
            loadFrom(tmp, true);
        } finally {
            callbacks.addAll(progress);
            sortCallbacks();
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // temp file, nothing lost
            }
        }
        Recorder r = recorder();
        lastLrFind = SuggestedLrs.compute(r.lrs(), r.losses(), numIt);
        return lastLrFind;
    }

    /** The result of the last {@link #lrFind} on this learner, if one ran (for reports). */
    public java.util.Optional<SuggestedLrs> lrFindResult() {
        return java.util.Optional.ofNullable(lastLrFind);
    }

    // ---------------------------------------------------------------- looking at the model

    /**
     * fastai's {@code summary()}: every layer with its output shape, parameter count and whether it trains, the
     * parameter totals, the optimizer, the loss and the callbacks; print it for fastai's text. Runs one item of a
     * training batch through the model (nothing changes) and creates the optimizer if there is none yet.
     */
    public ModelSummary summary() {
        return ModelSummary.of(this);
    }

    /**
     * fastai's {@code show_results}: the first {@code n} validation items in a PNG grid, each titled with its
     * target and, below, the prediction; titles are green when the prediction is right and red when wrong.
     *
     * @throws UnsupportedOperationException when the input block cannot be drawn (not an image)
     */
    public Path showResults(int n, Path png) {
        return ResultsView.write(this, dls.valid(), n, png);
    }

    // ---------------------------------------------------------------- predictions

    /**
     * Predictions over a whole loader (the validation set by default): activated outputs, targets, per-item
     * losses and decoded outputs, owned by the returned object.
     */
    public Preds getPreds() {
        return getPreds(dls.valid());
    }

    public Preds getPreds(DataLoader loader) {
        NDManager out = NDManager.newBaseManager();
        List<NDArray> probs = new ArrayList<>();
        List<NDArray> targets = new ArrayList<>();
        List<NDArray> losses = new ArrayList<>();
        List<int[]> indices = new ArrayList<>();
        boolean wasTraining = model.isTraining();
        NoGrad noGrad = NoGrad.enter();
        model.eval();
        try (ShutdownGuard.Region work = ShutdownGuard.work("predicting"); DataLoader.EpochIterator it = loader.epoch()) {
            while (it.hasNext()) {
                if (ShutdownGuard.stopRequested()) {
                    throw new TrainingInterruptedException("predictions stopped: the process is shutting down");
                }
                HostBatch hb = it.next();
                indices.add(hb.indices());
                try (NDScope scope = new NDScope()) {
                    Batch b = loader.toBatch(hb, manager);
                    NDArray p = model.call(b.xb());
                    NDArray act = lossFunction.activation(p);
                    probs.add(keep(act, out, scope));
                    if (!b.targets().isEmpty()) {
                        targets.add(keep(b.targets().get(0), out, scope));
                        losses.add(keep(lossFunction.perItem(p, b.targets().get(0)), out, scope));
                    }
                }
            }
        } catch (RuntimeException e) {
            out.close();
            throw e;
        } finally {
            model.train(wasTraining);
            noGrad.close();
        }
        NDArray probsAll = concat(probs, out);
        NDArray decoded = lossFunction.decode(probsAll);
        return new Preds(out, probsAll, targets.isEmpty() ? null : concat(targets, out),
                losses.isEmpty() ? null : concat(losses, out), decoded,
                indices.stream().flatMapToInt(java.util.Arrays::stream).toArray());
    }

    /** Test-time augmentation with fastai's defaults: 4 augmented passes, beta 0.25. */
    public Preds tta() {
        return tta(dls.valid(), 4, 0.25);
    }

    /**
     * fastai's {@code tta}: predicts {@code loader}'s items {@code n} times with the training split's random
     * augmentations, averages those probabilities, and mixes them with the plain (validation-transform)
     * prediction: {@code aug * (1 - beta) + plain * beta}. Returns the mixed probabilities, the targets and the
     * decoded decisions; per-item losses are not defined for mixed probabilities and are null.
     */
    public Preds tta(DataLoader loader, int n, double beta) {
        if (n < 1) {
            throw new IllegalArgumentException("tta needs at least one augmented pass, got n=" + n);
        }
        if (!(beta >= 0 && beta <= 1)) {
            throw new IllegalArgumentException("beta must be in [0, 1], got " + beta);
        }
        DataLoader augmented = loader.withSplitMode(ai.fastai4j.data.Split.TRAIN);
        // same items in the same (unshuffled) order as the augmented passes, even for a shuffling loader
        DataLoader plain = loader.withSplitMode(loader.split());
        NDManager out = NDManager.newBaseManager();
        try {
            NDArray mixed = null;
            for (int i = 0; i < n; i++) {
                try (Preds p = getPreds(augmented)) {
                    if (mixed == null) {
                        mixed = p.probs().duplicate();
                        mixed.attach(out);
                    } else {
                        mixed.addi(p.probs());
                    }
                }
            }
            try (Preds p = getPreds(plain)) {
                mixed.divi(n).muli(1 - beta).addi(p.probs().mul(beta));
                NDArray targets = null;
                if (p.targets() != null) {
                    targets = p.targets().duplicate();
                    targets.attach(out);
                }
                NDArray decoded = lossFunction.decode(mixed);
                decoded.attach(out);
                return new Preds(out, mixed, targets, null, decoded, p.itemIndices());
            }
        } catch (RuntimeException e) {
            out.close();
            throw e;
        }
    }

    private static NDArray keep(NDArray a, NDManager out, NDScope scope) {
        NDArray c = a.duplicate();
        NDScope.unregister(c);
        c.attach(out);
        return c;
    }

    private static NDArray concat(List<NDArray> parts, NDManager out) {
        if (parts.isEmpty()) {
            return out.create(new float[0]);
        }
        NDArray r = ai.djl.ndarray.NDArrays.concat(new NDList(parts), 0);
        r.attach(out);
        return r;
    }

    /** Predicts one item: its decoded label (or value), the class index and the probabilities. */
    public Prediction predict(Object item) {
        DataLoader test = dls.testDl(List.of(item));
        try (Preds p = getPreds(test)) {
            TransformBlock yBlock = dls.datasets().blocks().get(dls.datasets().nInputs());
            Object raw = yBlock.fromTensor(p.decoded(), 0);
            Object label = dls.datasets().decode(dls.datasets().nInputs(), raw);
            float[] probs = p.probs().get(0).toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
            return new Prediction(label, raw, probs);
        }
    }

    // ---------------------------------------------------------------- save and load

    /** Saves the weights (and optimizer state) to {@code path/models/name.safetensors}; returns the file. */
    public Path save(String name, boolean withOpt) {
        Path f = path.resolve("models").resolve(name + ".safetensors");
        saveTo(f, withOpt);
        return f;
    }

    /** Loads what {@link #save} wrote. */
    public void load(String name, boolean withOpt) {
        loadFrom(path.resolve("models").resolve(name + ".safetensors"), withOpt);
    }

    /**
     * Writes the model's state dict, prefixed {@code model.}, and the optimizer's, prefixed {@code opt.}, to a
     * safetensors file that appears only once complete.
     */
    public void saveTo(Path file, boolean withOpt) {
        try (NDManager tmp = NDManager.newBaseManager()) {
            Map<String, NDArray> state = new LinkedHashMap<>();
            model.stateDict().forEach((k, v) -> state.put("model." + k, v)); // live views, only read
            if (withOpt && opt != null) {
                // stateDict() returns fresh copies owned by the caller: hand them to tmp so they are freed with it
                opt.stateDict().forEach((k, v) -> {
                    v.attach(tmp);
                    state.put("opt." + k, v);
                });
            }
            Safetensors.write(state, file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** Reads a file written by {@link #saveTo}; every model tensor must match by name and shape. */
    public void loadFrom(Path file, boolean withOpt) {
        try (NDManager tmp = NDManager.newBaseManager()) {
            Map<String, NDArray> modelState = new LinkedHashMap<>();
            Map<String, NDArray> optState = new LinkedHashMap<>();
            Safetensors.read(file, tmp).forEach((n, a) -> {
                if (n.startsWith("model.")) {
                    modelState.put(n.substring(6), a);
                } else if (n.startsWith("opt.")) {
                    optState.put(n.substring(4), a);
                }
            });
            model.loadStateDict(modelState, true);
            if (withOpt && !optState.isEmpty()) {
                opt().loadStateDict(optState);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------- state for callbacks

    public DataLoaders dls() {
        return dls;
    }

    /**
     * Swaps the data (fastai's {@code learn.dls = ...}), for progressive resizing: the same model and optimizer
     * state continue on data of another image size. The new data must have the same targets.
     */
    public void setDls(DataLoaders newDls) {
        if (!newDls.vocab().equals(dls.vocab()) || newDls.c() != dls.c()) {
            throw new IllegalArgumentException("the new data's targets differ: vocab " + newDls.vocab()
                    + " (c=" + newDls.c() + ") instead of " + dls.vocab() + " (c=" + dls.c() + ")");
        }
        this.dls = newDls;
    }

    public Module model() {
        return model;
    }

    public LossFunction lossFunction() {
        return lossFunction;
    }

    public List<Metric> metrics() {
        return metrics;
    }

    /** Folder for saved models and plots. */
    public Path path() {
        return path;
    }

    /**
     * The device the model is on, chosen by {@link Builder#device}, else {@link Devices#configured()}
     * ({@code FASTAI4J_DEVICE}), else where the model was built. Batches move there once each.
     */
    public Device device() {
        return device;
    }

    /** Moves the model to the requested or configured device, if any; returns the device it is on. */
    private static Device placeModel(Module model, Device requested) {
        Device d = requested != null ? requested : Devices.configured();
        if (d != null) {
            model.to(Devices.check(d));
            return d;
        }
        Device at = model.device();
        return at != null ? at : Engine.getInstance().defaultDevice();
    }

    /**
     * Mixed-precision training (fastai's {@code to_fp16}): adds the {@link MixedPrecision} callback, FLOAT16
     * forward passes with a dynamic loss scale. CUDA only.
     *
     * @throws UnsupportedOperationException on the CPU, where half-precision kernels abort the JVM
     */
    public Learner toFp16() {
        if (!device.isGpu()) {
            throw new UnsupportedOperationException("mixed precision (toFp16) needs a CUDA GPU; this learner runs on "
                    + device + ", where half-precision kernels are unsupported (they abort the JVM). Train in FP32 on"
                    + " the CPU, or choose a GPU: Learner.Builder.device(Device.gpu(0)), FASTAI4J_DEVICE=gpu or --device"
                    + " gpu");
        }
        if (!hasCallback(MixedPrecision.class)) {
            callbacks.add(new MixedPrecision());
            sortCallbacks();
        }
        return this;
    }

    /** Whether this learner tunes and trims glibc's allocator (see {@link Builder#tuneNativeMemory}). */
    public boolean tunesNativeMemory() {
        return tuneNativeMemory;
    }

    /** The manager that owns batch arrays outside steps (arrays made inside a step are scoped to it). */
    public NDManager manager() {
        return manager;
    }

    public int epoch() {
        return epoch;
    }

    public int nEpoch() {
        return nEpoch;
    }

    public int iter() {
        return iter;
    }

    public int nIter() {
        return nIter;
    }

    public int trainIter() {
        return trainIter;
    }

    void setTrainIter(int v) {
        trainIter = v;
    }

    /** Share of the training iterations of this fit done so far, in [0, 1]. */
    public double pctTrain() {
        return pctTrain;
    }

    void setPctTrain(double v) {
        pctTrain = v;
    }

    public boolean isTraining() {
        return training;
    }

    void setTraining(boolean t) {
        training = t;
    }

    /** The loader of the running phase (train or valid). */
    public DataLoader dl() {
        return dl;
    }

    public NDList xb() {
        return xb;
    }

    public void setXb(NDList v) {
        xb = v;
    }

    public NDList yb() {
        return yb;
    }

    public void setYb(NDList v) {
        yb = v;
    }

    public NDArray pred() {
        return pred;
    }

    public void setPred(NDArray v) {
        pred = v;
    }

    /** The loss tensor that backward runs on; callbacks may replace it in afterLoss (e.g. regularizers). */
    public NDArray lossGrad() {
        return lossGrad;
    }

    public void setLossGrad(NDArray v) {
        lossGrad = v;
    }

    /** The current batch's loss as a number. */
    public double loss() {
        return loss;
    }

    /** Replaces the recorded loss of this batch (a callback that replaced {@link #lossGrad}, e.g. MixUp). */
    public void setLoss(double v) {
        loss = v;
    }

    public double[] moms() {
        return moms.clone();
    }

    /** Free-form facts about how this model was trained, kept for export. */
    public Map<String, Object> provenance() {
        return provenance;
    }

    /**
     * How to rebuild this learner's model for export ({@code ModelExport.export(learn, file)}), or null when it was
     * never said (learners of the applications set it; for a hand-made model, register a factory and set it).
     */
    public ModelSpec modelSpec() {
        return modelSpec;
    }

    public void setModelSpec(ModelSpec spec) {
        this.modelSpec = spec;
    }

    /** Closes the optimizer state, the model's parameters and the batch manager. */
    @Override
    public void close() {
        try (ShutdownGuard.Region freeing = ShutdownGuard.closing()) {
            if (opt != null) {
                opt.close();
            }
            model.close();
            manager.close();
            for (AutoCloseable c : owned) {
                try {
                    c.close();
                } catch (Exception e) {
                    throw new IllegalStateException("closing " + c + " failed", e);
                }
            }
        } finally {
            ShutdownGuard.closed(this);
        }
    }

    /** Configures a {@link Learner}. */
    public static class Builder {
        protected final DataLoaders dls;
        protected final Module model;
        protected LossFunction lossFunction;
        protected OptimizerFactory optimizerFactory = Optimizers.adam();
        protected final List<Metric> metrics = new ArrayList<>();
        protected final List<Callback> callbacks = new ArrayList<>();
        protected Function<Module, List<List<Parameter>>> splitter = m -> List.of(m.parameters());
        protected Double wd;
        protected boolean trainBn = true;
        protected double[] moms = {0.95, 0.85, 0.95};
        protected double lr = 1e-3;
        protected Path path = Path.of(".");
        protected boolean progress = true;
        protected final List<AutoCloseable> owned = new ArrayList<>();
        protected Device device;
        protected boolean tuneNativeMemory = NativeMemory.requested();

        protected Builder(DataLoaders dls, Module model) {
            this.dls = Objects.requireNonNull(dls);
            this.model = Objects.requireNonNull(model);
        }

        /** Loss; by default the target block's. */
        public Builder lossFunction(LossFunction f) {
            this.lossFunction = f;
            return this;
        }

        /** Optimizer; Adam with fastai's defaults if not set. */
        public Builder optimizer(OptimizerFactory f) {
            this.optimizerFactory = Objects.requireNonNull(f);
            return this;
        }

        public Builder metrics(Metric... ms) {
            metrics.addAll(List.of(ms));
            return this;
        }

        public Builder callbacks(Callback... cbs) {
            callbacks.addAll(List.of(cbs));
            return this;
        }

        /** How to divide the model's parameters into groups (one group by default). */
        public Builder splitter(Function<Module, List<List<Parameter>>> s) {
            this.splitter = Objects.requireNonNull(s);
            return this;
        }

        /** Weight decay for every group; the optimizer's default if not set. */
        public Builder wd(double v) {
            this.wd = v;
            return this;
        }

        /** Whether normalisation layers keep training when their group is frozen (default true). */
        public Builder trainBn(boolean v) {
            this.trainBn = v;
            return this;
        }

        /** Momentum range for one-cycle: start, middle, end (default 0.95, 0.85, 0.95). */
        public Builder moms(double start, double mid, double end) {
            this.moms = new double[] {start, mid, end};
            return this;
        }

        /** Default learning rate (1e-3). */
        public Builder lr(double v) {
            this.lr = v;
            return this;
        }

        /** Folder for saved models and plots (current folder by default). */
        public Builder path(Path p) {
            this.path = Objects.requireNonNull(p);
            return this;
        }

        /** Whether to show progress bars and print the epoch table (default true). */
        public Builder progress(boolean v) {
            this.progress = v;
            return this;
        }

        /**
         * The device to train on ({@code Device.cpu()}, {@code Device.gpu(n)}); the model moves there when the learner
         * is built. Default: {@code FASTAI4J_DEVICE} (see {@link Devices}), else where the model was built.
         */
        public Builder device(Device d) {
            this.device = Devices.check(Objects.requireNonNull(d));
            return this;
        }

        /**
         * Whether the learner tunes glibc's allocator for training (once per process) and gives its free memory back
         * after each epoch and fit ({@link NativeMemory}). Default: the system property {@value
         * NativeMemory#PROPERTY} (the command line sets it), else off: the library alone changes nothing.
         */
        public Builder tuneNativeMemory(boolean v) {
            this.tuneNativeMemory = v;
            return this;
        }

        /** A resource (e.g. the NDManager that created the model) the learner closes with itself. */
        public Builder owning(AutoCloseable resource) {
            owned.add(Objects.requireNonNull(resource));
            return this;
        }

        public Learner build() {
            return new Learner(this);
        }
    }
}

package ai.fastai4j.learner;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.fastai4j.io.Safetensors;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A training checkpoint: everything needed to continue a fit exactly where it was. One safetensors file holds
 * the model's state dict ({@code model.*}: weights and buffers such as BatchNorm statistics), the optimizer's
 * ({@code opt.*}: hyper-parameters and state) and, in the file's metadata, a JSON {@code checkpoint.meta} with the position (epoch,
 * next training batch, whether that epoch's training is done), the schedule's position ({@code pctTrain}, the
 * training iteration), the random generators' position (the learner's seed and batch count, from which dropout
 * and MixUp draws derive, and the data loaders' epoch numbers, from which shuffling and augmentation derive) and
 * the {@link Recorder}'s history. {@link Learner#loadFrom} reads its weights like any saved model.
 *
 * <p>Written atomically ({@link ai.fastai4j.io.AtomicFiles}): to a temporary file, then moved over the previous
 * checkpoint, so a crash or SIGKILL while writing leaves the previous checkpoint whole.
 *
 * <p>Resume with {@code learn.fit(nEpoch, lr, Checkpoint.resumeFrom(file))} (or {@code fitOneCycle} and the
 * other fit methods, with the same arguments as the interrupted fit).
 */
public final class Checkpoint {
    /** Key of the JSON metadata in the file's safetensors {@code __metadata__}. */
    public static final String META = "checkpoint.meta";
    /** File name used in a checkpoint folder. */
    public static final String FILE_NAME = "checkpoint.safetensors";
    static final int FORMAT = 1;
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private Checkpoint() {}

    /**
     * Where a fit stands and what its generators and recorder hold; {@code extra} carries what an application
     * needs to restart the same fit (e.g. the CLI's learning rate).
     */
    public record Meta(int format, int epoch, int nEpoch, int nextIter, boolean afterTrain, int nIter,
            int trainIter, double pctTrain, long batchesTrained, long seed, int trainLoaderEpoch,
            int validLoaderEpoch, Recorder.State recorder, Map<String, Object> extra) {}

    /** The file of a checkpoint given as a folder (holding {@value #FILE_NAME}) or as the file itself. */
    public static Path file(Path dirOrFile) {
        return Files.isDirectory(dirOrFile) ? dirOrFile.resolve(FILE_NAME) : dirOrFile;
    }

    /** Writes the learner's state at {@code meta}'s position to {@code file}, atomically. */
    static Path write(Learner learn, Path file, Meta meta) {
        try (NDManager tmp = NDManager.newBaseManager()) {
            Map<String, NDArray> state = new LinkedHashMap<>();
            learn.model().stateDict().forEach((k, v) -> state.put("model." + k, v)); // live views, only read
            learn.opt().stateDict().forEach((k, v) -> {
                v.attach(tmp); // fresh copies: freed with tmp
                state.put("opt." + k, v);
            });
            Safetensors.write(state, Map.of(META, JSON.writeValueAsString(meta)), file);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint " + file + ": " + e.getMessage(), e);
        }
    }

    /** Reads only the metadata of a checkpoint (folder or file). */
    public static Meta readMeta(Path dirOrFile) {
        Path file = file(dirOrFile);
        try {
            return meta(Safetensors.metadata(file), file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read checkpoint " + file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw e instanceof IllegalArgumentException iae ? iae
                    : new IllegalArgumentException("not a checkpoint: " + file + ": " + e.getMessage(), e);
        }
    }

    private static Meta meta(Map<String, String> metadata, Path file) {
        String json = metadata.get(META);
        if (json == null) {
            throw new IllegalArgumentException(file + " is not a checkpoint (no " + META + " metadata): a saved"
                    + " model? use learn.loadFrom for weights only");
        }
        try {
            Meta m = JSON.readValue(json, Meta.class);
            if (m.format() != FORMAT) {
                throw new IllegalArgumentException("checkpoint " + file + " has format " + m.format()
                        + ", this version reads " + FORMAT);
            }
            return m;
        } catch (IOException e) {
            throw new IllegalArgumentException("checkpoint " + file + ": unreadable metadata: " + e.getMessage(), e);
        }
    }

    /**
     * A callback for {@code fit} that continues the fit saved in {@code dirOrFile}: before the first batch it
     * loads the weights, the optimizer state, the schedule's position, the generators' positions and the
     * recorder's history, and the fit starts at the saved epoch and batch. Give the fit the same arguments as
     * the interrupted one; the number of epochs and of batches per epoch must match.
     */
    public static Callback resumeFrom(Path dirOrFile) {
        return new Resume(file(dirOrFile));
    }

    /** Loads a checkpoint into the learner in beforeFit, after the recorder and the train/eval callback reset. */
    private static final class Resume implements Callback {
        private final Path file;

        Resume(Path file) {
            this.file = file;
        }

        @Override
        public int order() {
            return 55;
        }

        @Override
        public void beforeFit(Learner learn) {
            Meta m = readMeta(file);
            int nIter = learn.dls().train().numBatches();
            if (m.nEpoch() != learn.nEpoch() || m.nIter() != nIter) {
                throw new IllegalArgumentException("checkpoint " + file + " is of a fit of " + m.nEpoch()
                        + " epochs of " + m.nIter() + " batches; this fit has " + learn.nEpoch() + " epochs of "
                        + nIter + " batches");
            }
            try (NDManager tmp = NDManager.newBaseManager()) {
                Map<String, NDArray> model = new LinkedHashMap<>();
                Map<String, NDArray> opt = new LinkedHashMap<>();
                try {
                    Safetensors.read(file, tmp).forEach((n, a) -> {
                        if (n.startsWith("model.")) {
                            model.put(n.substring(6), a);
                        } else if (n.startsWith("opt.")) {
                            opt.put(n.substring(4), a);
                        }
                    });
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read checkpoint " + file + ": " + e.getMessage(), e);
                }
                learn.model().loadStateDict(model, true);
                learn.opt().loadStateDict(opt);
                learn.setTrainIter(m.trainIter());
                learn.setPctTrain(m.pctTrain());
                learn.setSeed(m.seed());
                learn.setBatchesTrained(m.batchesTrained());
                learn.dls().train().setEpochsStarted(m.trainLoaderEpoch());
                learn.dls().valid().setEpochsStarted(m.validLoaderEpoch());
                learn.recorder().restore(m.recorder());
                learn.startAt(m.epoch(), m.nextIter(), m.afterTrain());
            }
        }
    }
}

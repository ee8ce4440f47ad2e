package ai.fastai4j.cli;

import ai.fastai4j.data.DataException;
import ai.fastai4j.engine.EngineDefaults;
import ai.fastai4j.engine.NativeMemory;
import ai.fastai4j.learner.TrainingInterruptedException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code fastai4j} command: train, find a learning rate, predict, and the quickstart tour. */
@Command(name = "fastai4j", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Practical deep learning on the JVM, in the spirit of fastai.",
        subcommands = {QuickstartCommand.class, TrainCommand.class, LrFindCommand.class, PredictCommand.class,
                InterpretCommand.class, ExportCommand.class, ServeCommand.class,
                TrainTabularCommand.class, TrainCollabCommand.class, RecommendCommand.class, TrainTextCommand.class,
                BatchPredictCommand.class,
                CommandLine.HelpCommand.class},
        footer = {"", "Exit codes: 0 success, 1 failure while running, 2 bad usage, 3 bad input data, 4 bad model file,",
                "130 stopped by Ctrl-C (SIGINT), 143 stopped by SIGTERM: the running batch finishes and train writes",
                "its checkpoint (continue with train --resume DIR); a second Ctrl-C stops at once."})
public final class Main implements Runnable {
    /** Exit code for bad usage (an unknown option, a value out of range). */
    public static final int EXIT_USAGE = 2;
    /** Exit code for bad input data (a corrupt image, a missing column...). */
    public static final int EXIT_DATA = 3;
    /** Exit code for a model file that cannot be read. */
    public static final int EXIT_MODEL = 4;
    /**
     * Exit code when the work was stopped by the process shutting down (128 + SIGINT); a signal's own exit code
     * (130 for SIGINT, 143 for SIGTERM) is what the process returns.
     */
    public static final int EXIT_INTERRUPTED = 130;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /**
     * What the command line turns on for the whole process before the engine loads, unless the user set it: OpenMP
     * threads that sleep when idle ({@link EngineDefaults}), glibc tuned for training and trimmed after each epoch
     * ({@link NativeMemory#PROPERTY}), and no warning from DJL's CUDA probe when no GPU driver is present.
     */
    static void processDefaults() {
        EngineDefaults.apply();
        if (System.getProperty(NativeMemory.PROPERTY) == null) {
            System.setProperty(NativeMemory.PROPERTY, "true");
        }
        String cudaLog = "org.slf4j.simpleLogger.log.ai.djl.util.cuda.CudaUtils";
        if (System.getProperty(cudaLog) == null) {
            System.setProperty(cudaLog, "error");
        }
    }

    /** Runs the command line and returns the exit code. */
    public static int execute(String... args) {
        processDefaults();
        CommandLine cl = new CommandLine(new Main());
        cl.setParameterExceptionHandler((e, a) -> usage(e.getCommandLine(), e.getMessage()));
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            UsageException usage = find(e, UsageException.class);
            if (usage != null) {
                return usage(cmd, usage.getMessage());
            }
            int known = UserErrors.report(e, cmd.getErr());
            if (known >= 0) {
                return known;
            }
            DataException data = find(e, DataException.class);
            if (data != null) {
                cmd.getErr().println("error: bad input data: " + data.getMessage());
                return EXIT_DATA;
            }
            TrainingInterruptedException stop = find(e, TrainingInterruptedException.class);
            if (stop != null) {
                cmd.getErr().println("stopped: " + stop.getMessage());
                cmd.getErr().flush(); // the JVM may halt while this thread waits in System.exit
                return EXIT_INTERRUPTED;
            }
            ModelFileException model = find(e, ModelFileException.class);
            if (model != null) {
                cmd.getErr().println("error: " + model.getMessage());
                return EXIT_MODEL;
            }
            cmd.getErr().println("error: " + e);
            if (Boolean.getBoolean("fastai4j.debug")) {
                e.printStackTrace(cmd.getErr());
            }
            return 1;
        });
        return cl.execute(args);
    }

    /** One line for an option the command cannot use, pointing to its help; exit code 2. */
    private static int usage(CommandLine cmd, String message) {
        cmd.getErr().println("error: " + message + " (see: " + cmd.getCommandSpec().qualifiedName() + " --help)");
        return EXIT_USAGE;
    }

    static <T extends Throwable> T find(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Version from the jar manifest, or "development". */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"fastai4j " + (v == null ? "0.1.0-SNAPSHOT" : v)};
        }
    }
}

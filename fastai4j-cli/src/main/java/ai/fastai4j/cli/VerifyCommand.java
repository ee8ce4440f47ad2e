package ai.fastai4j.cli;

import ai.fastai4j.vision.DataSetJournal;
import ai.fastai4j.vision.ImageFiles;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code fastai4j verify DIR}: every bad image file of a data set at once (fastai's verify_images). */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Check every image file under DIR (in parallel) and list every bad one with its reason.",
                "Exit 0 when all are good, 3 when any is bad."})
final class VerifyCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DIR", description = "The data set's folder.")
    Path dir;

    @Option(names = "--full", description = "Decode every pixel (finds truncated files too); the default reads headers only.")
    boolean full;

    @Option(names = "--move-bad", description = "Move bad files aside into DIR/" + DataSetJournal.TRASH
            + " (never deleted), recorded in DIR/" + DataSetJournal.JOURNAL + " so that they can be moved back.")
    boolean moveBad;

    @Override
    public Integer call() {
        if (!java.nio.file.Files.isDirectory(dir)) {
            throw new UsageException("DIR " + dir + " is not a folder");
        }
        int total = ImageFiles.recursive(dir).size();
        List<ImageFiles.BadImage> bad = ImageFiles.verify(dir, full);
        DataSetJournal journal = moveBad ? DataSetJournal.of(dir) : null;
        for (ImageFiles.BadImage b : bad) {
            System.out.println("bad: " + b.reason());
            if (journal != null) {
                System.out.println("  moved to " + journal.trash(b.file(), b.reason()));
            }
        }
        System.out.printf("%d image files checked (%s), %d bad%n", total, full ? "full decode" : "headers", bad.size());
        return bad.isEmpty() ? 0 : Main.EXIT_DATA;
    }

    /**
     * The fast check {@code train} runs before reading any data: every bad image file under {@code folder} is
     * printed to standard error at once.
     *
     * @return whether all files are good (a folder that does not exist is left to the data loading to report)
     */
    static boolean allGood(Path folder) {
        if (folder == null || !java.nio.file.Files.isDirectory(folder)) {
            return true;
        }
        List<ImageFiles.BadImage> bad = ImageFiles.verify(folder, false);
        for (ImageFiles.BadImage b : bad) {
            System.err.println("error: bad image: " + b.reason());
        }
        if (!bad.isEmpty()) {
            System.err.printf("error: %d bad image files under %s; move them aside with: fastai4j verify %s --move-bad%n",
                    bad.size(), folder, folder);
        }
        return bad.isEmpty();
    }
}

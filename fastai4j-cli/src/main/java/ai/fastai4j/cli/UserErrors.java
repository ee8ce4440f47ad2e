package ai.fastai4j.cli;

import ai.fastai4j.export.ExportException;
import ai.fastai4j.io.torch.TorchFormatException;
import ai.fastai4j.vision.models.pretrained.WeightsUnavailableException;
import java.io.PrintWriter;

/** Errors a user causes with a file or a setting, each reported as one clear message and its exit code. */
final class UserErrors {
    private UserErrors() {}

    /** Prints {@code e}'s message if it is one of these errors and returns its exit code; else -1. */
    static int report(Throwable e, PrintWriter err) {
        TorchFormatException weights = Main.find(e, TorchFormatException.class);
        if (weights != null) {
            err.println("error: bad weights file: " + weights.getMessage());
            return Main.EXIT_MODEL;
        }
        ai.fastai4j.export.ModelFileException model = Main.find(e, ai.fastai4j.export.ModelFileException.class);
        if (model != null) {
            err.println("error: " + model.getMessage());
            return Main.EXIT_MODEL;
        }
        WeightsUnavailableException unavailable = Main.find(e, WeightsUnavailableException.class);
        if (unavailable != null) {
            err.println("error: " + unavailable.getMessage() + "\nWith the fastai4j command: --no-pretrained trains"
                    + " from scratch, --weights FILE starts from a local .pth or safetensors file.");
            return 1;
        }
        ExportException export = Main.find(e, ExportException.class);
        if (export != null) { // e.g. a training that failed: nothing was exported
            err.println("error: " + export.getMessage());
            return 1;
        }
        return -1;
    }
}

package ai.fastai4j.cli;

import java.util.List;
import picocli.CommandLine.Option;

/**
 * The columns and model of a tabular learner (shared by train-tabular and lr-find): target, categorical and
 * continuous columns, procs, task, hidden layers and y_range.
 */
final class TabularOptions {
    @Option(names = "--y", paramLabel = "COL", description = "Target column (a table instead of images).")
    String y;

    @Option(names = "--cat", split = ",", paramLabel = "COL",
            description = "Categorical columns (comma-separated). With neither --cat nor --cont every other column is "
                    + "split by fastai's cont_cat_split: numbers with more than --max-card distinct integer values, "
                    + "or any non-integer number, are continuous; the rest (text, booleans, few integers) categorical.")
    List<String> cat;

    @Option(names = "--cont", split = ",", paramLabel = "COL",
            description = "Continuous columns (comma-separated). Given with only one of --cat/--cont, the other is "
                    + "every remaining column.")
    List<String> cont;

    @Option(names = "--max-card", defaultValue = "20",
            description = "cont_cat_split's max_card: integer columns with more distinct values are continuous "
                    + "(default: ${DEFAULT-VALUE}).")
    int maxCard;

    @Option(names = "--procs", split = ",", defaultValue = "FillMissing,Categorify,Normalize",
            description = "Procs, any of FillMissing, Categorify, Normalize (default: ${DEFAULT-VALUE}).")
    List<String> procs;

    @Option(names = "--task", defaultValue = "auto",
            description = "auto, regression or classification. auto: regression when every target value is a number "
                    + "and there are more than --max-card distinct values, else classification (default: ${DEFAULT-VALUE}).")
    String task;

    @Option(names = "--log-y", description = "Regression on the natural log of the target (e.g. a price); "
            + "predictions are given as log and as value.")
    boolean logY;

    @Option(names = "--layers", split = ",", defaultValue = "200,100",
            description = "Hidden layer sizes (default: ${DEFAULT-VALUE}).")
    List<Integer> layers;

    @Option(names = "--y-range", defaultValue = "auto", paramLabel = "auto|none|LOW,HIGH",
            description = "Regression output range (a sigmoid). auto: the training targets' range widened by 5%% of it"
                    + " on each side (default: ${DEFAULT-VALUE}).")
    String yRange;
}

package ai.fastai4j.cli;

import ai.fastai4j.collab.CollabExport;
import ai.fastai4j.data.DataException;
import ai.fastai4j.export.InferenceModel;
import ai.fastai4j.export.Manifest;
import ai.fastai4j.export.Params;
import ai.fastai4j.learner.Prediction;
import ai.fastai4j.tabular.Table;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code fastai4j recommend}: the items with the highest predicted rating for a user of a collab model. */
@Command(name = "recommend", mixinStandardHelpOptions = true,
        description = {"Score every item of a collaborative-filtering model (.fai from train-collab) for one user and "
                + "print the K best: item, predicted rating (and title with --csv and --title-col).",
            "With --csv (the ratings), the items the user already rated are left out. An unknown user: exit 3."})
final class RecommendCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = "Exported collab model (.fai).")
    Path modelFile;

    @Option(names = "--user", required = true, paramLabel = "U", description = "The user, as in the training data.")
    String user;

    @Option(names = {"--k", "-k"}, defaultValue = "10", description = "How many items (default: ${DEFAULT-VALUE}).")
    int k;

    @Option(names = "--csv", paramLabel = "FILE", description = "Ratings: leave out the items the user rated.")
    Path csv;

    @Option(names = "--title-col", paramLabel = "COL", description = "Column of --csv naming the items.")
    String titleCol;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (k < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--k must be at least 1");
        }
        if (!Files.isRegularFile(modelFile)) {
            throw new ModelFileException("model file " + modelFile + " does not exist", null);
        }
        InferenceModel model;
        try {
            model = InferenceModel.load(modelFile);
        } catch (RuntimeException e) {
            throw new ModelFileException("cannot load " + modelFile + ": " + e.getMessage(), e);
        }
        try (model) {
            Manifest.Component in = model.manifest().inputs().get(0);
            if (!CollabExport.BLOCK.equals(in.name())) {
                throw new ModelFileException("model file " + modelFile + " is not a collaborative-filtering model "
                        + "(its input: " + in.name() + ")", null);
            }
            String userCol = Params.getString(in.params(), "user_name");
            String itemCol = Params.getString(in.params(), "item_name");
            List<String> users = Params.getStringList(in.params(), "users");
            List<String> items = Params.getStringList(in.params(), "items");
            if (!users.subList(1, users.size()).contains(user)) {
                throw new DataException("user '" + user + "' is not in " + modelFile + " (it knows " + (users.size() - 1)
                        + " users, e.g. " + users.subList(1, Math.min(6, users.size())) + ")");
            }
            Set<String> rated = new HashSet<>();
            Map<String, String> titles = new HashMap<>();
            if (csv != null) {
                Table t = Table.readCsv(csv);
                for (String c : titleCol == null ? List.of(userCol, itemCol) : List.of(userCol, itemCol, titleCol)) {
                    if (!t.hasColumn(c)) {
                        throw new CommandLine.ParameterException(spec.commandLine(), csv + " has no column '" + c
                                + "' (columns: " + t.columns() + ")");
                    }
                }
                String[] us = t.column(userCol);
                String[] is = t.column(itemCol);
                String[] ts = titleCol == null ? null : t.column(titleCol);
                for (int i = 0; i < us.length; i++) {
                    if (user.equals(us[i])) {
                        rated.add(is[i]);
                    }
                    if (ts != null && is[i] != null && ts[i] != null) {
                        titles.putIfAbsent(is[i], ts[i]);
                    }
                }
            }
            List<String> cand = new ArrayList<>();
            List<Object> rows = new ArrayList<>();
            for (String it : items.subList(1, items.size())) {
                if (!rated.contains(it)) {
                    cand.add(it);
                    Map<String, String> row = new LinkedHashMap<>();
                    row.put(userCol, user);
                    row.put(itemCol, it);
                    rows.add(row);
                }
            }
            List<Prediction> ps = model.predictBatch(rows);
            Integer[] order = new Integer[cand.size()];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            java.util.Arrays.sort(order, Comparator.comparingDouble((Integer i) -> -ps.get(i).probs()[0]));
            System.out.printf(Locale.ROOT, "top %d of %d items for user %s%s:%n", Math.min(k, order.length), cand.size(),
                    user, csv == null ? "" : " (" + rated.size() + " rated items left out)");
            for (int r = 0; r < Math.min(k, order.length); r++) {
                String it = cand.get(order[r]);
                System.out.printf(Locale.ROOT, "%d\t%s\t%.4f%s%n", r + 1, it, ps.get(order[r]).probs()[0],
                        titles.containsKey(it) ? "\t" + titles.get(it) : "");
            }
        }
        return 0;
    }
}

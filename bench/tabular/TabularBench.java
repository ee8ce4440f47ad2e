import ai.djl.engine.Engine;
import ai.fastai4j.collab.CollabDataLoaders;
import ai.fastai4j.collab.CollabLearner;
import ai.fastai4j.collab.CollabLearners;
import ai.fastai4j.data.Splitters;
import ai.fastai4j.engine.Torch;
import ai.fastai4j.learner.Callback;
import ai.fastai4j.learner.Learner;
import ai.fastai4j.learner.Preds;
import ai.fastai4j.metrics.Metrics;
import ai.fastai4j.tabular.Table;
import ai.fastai4j.tabular.TabularConfig;
import ai.fastai4j.tabular.TabularDataLoaders;
import ai.fastai4j.tabular.TabularLearner;
import ai.fastai4j.tabular.TabularLearners;
import ai.fastai4j.tabular.TabularModel;
import ai.fastai4j.tabular.TabularProcessor;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;

/**
 * Issue 5's "Must show": fastai4j's tabular and collab learners on real data beside a linear/logistic baseline,
 * XGBoost and the same model and recipe in plain PyTorch (bench/tabular/tabular_twin.py, run as a subprocess on
 * the very same preprocessed arrays and split). Run with bench/tabular/run.sh.
 *
 * <pre>
 *   --data DIR       the shared data folder (default ../shared/data): ames/ames.csv, credit/credit_data.csv,
 *                    movielens/ratings.csv
 *   --tasks LIST     ames,credit,movielens (default all)
 *   --seeds N        Ames and credit: training seeds 0..N-1 (default 5; every column is printed per seed, then its
 *                    mean and standard deviation); the validation split stays the same (-Dsplit.seed, 42)
 *   --threads N      intra-op threads of both engines (default 1: see README.md)
 *   --python PATH    the twin's interpreter (default /usr/bin/python3); --no-twin to skip it
 *   --out DIR        where the arrays for the twin go (default bench/tabular/target/run)
 * </pre>
 */
public final class TabularBench {
    static Path data = Path.of("../shared/data");
    static Path out = Path.of("bench/tabular/target/run");
    static String python = "/usr/bin/python3";
    static boolean twin = true;
    static int seeds = 5;
    static int threads = 1;

    public static void main(String[] args) throws Exception {
        List<String> tasks = List.of("ames", "credit", "movielens");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--data" -> data = Path.of(args[++i]);
                case "--tasks" -> tasks = List.of(args[++i].split(","));
                case "--seeds" -> seeds = Integer.parseInt(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--python" -> python = args[++i];
                case "--no-twin" -> twin = false;
                case "--out" -> out = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        Engine.getInstance();
        System.out.printf(Locale.ROOT, "fastai4j tabular bench: data %s, engine %s %s, intra-op threads %d, cores %d%n",
                data.toAbsolutePath().normalize(), Engine.getInstance().getEngineName(),
                Engine.getInstance().getVersion(), Torch.intraOpThreads(), Runtime.getRuntime().availableProcessors());
        Files.createDirectories(out);
        if (tasks.contains("ames")) {
            ames();
        }
        if (tasks.contains("credit")) {
            credit();
        }
        if (tasks.contains("movielens")) {
            movielens();
        }
    }

    // ------------------------------------------------------------------------------------------------- Ames

    static final int AMES_EPOCHS = Integer.getInteger("ames.epochs", 10);
    static final double AMES_LR = Double.parseDouble(System.getProperty("ames.lr", "1e-2"));
    static final double AMES_WD = Double.parseDouble(System.getProperty("ames.wd", "0.01"));
    static final List<Integer> AMES_LAYERS = Arrays.stream(System.getProperty("ames.layers", "200,100").split(","))
            .map(Integer::valueOf).toList();
    static final double AMES_PS = Double.parseDouble(System.getProperty("ames.ps", "0"));
    static final double AMES_EMBP = Double.parseDouble(System.getProperty("ames.embp", "0"));
    static final int AMES_MAXCARD = Integer.getInteger("ames.maxcard", 20);
    static final boolean BASELINES = !Boolean.getBoolean("nobaselines");
    static final int BS = 64;
    /** The fixed seed of the random 20% validation split (fastai's habit); the runs' seeds change the training. */
    static final long SPLIT_SEED = Long.getLong("split.seed", 42);

    static void ames() throws Exception {
        Path csv = data.resolve("ames/ames.csv");
        Table t = Table.readCsv(csv).withDoubleColumn("Sale_Price", "log_price", Math::log).dropColumns("Sale_Price");
        System.out.printf(Locale.ROOT, "%n== Ames housing (%s): %d rows, target log(Sale_Price), random 20%% valid "
                + "(split seed %d), %d training seeds ==%n", csv, t.nRows(), SPLIT_SEED, seeds);
        Table.ContCatSplit split = t.contCatSplit(20, "log_price");
        System.out.printf(Locale.ROOT, "cont_cat_split(max_card=20): %d continuous, %d categorical columns%n",
                split.contNames().size(), split.catNames().size());
        // y_range: the training rows' range, widened by 0.2 on each side (the split is the same for every seed)
        int[] trainRows = Splitters.<Table.Row>random(0.2, SPLIT_SEED).split(t.rows()).train();
        double lo = Arrays.stream(trainRows).mapToDouble(i -> Double.parseDouble(t.get(i, "log_price"))).min()
                .orElseThrow();
        double hi = Arrays.stream(trainRows).mapToDouble(i -> Double.parseDouble(t.get(i, "log_price"))).max()
                .orElseThrow();
        double[] yRange = {Math.floor(lo * 10) / 10 - 0.2, Math.ceil(hi * 10) / 10 + 0.2};
        System.out.printf(Locale.ROOT, "recipe: tabular_learner(layers [200, 100], y_range (%.1f, %.1f)), "
                + "fit_one_cycle(%d, %.0e), bs %d, Adam wd 0.01 (fastai's defaults)%n", yRange[0], yRange[1],
                AMES_EPOCHS, AMES_LR, BS);
        List<Map<String, Double>> rows = new ArrayList<>();
        for (int seed = 0; seed < seeds; seed++) {
            Map<String, Double> r = new LinkedHashMap<>();
            try (TabularDataLoaders dls = TabularDataLoaders.fromTable(t).yNames("log_price")
                    .splitter(Splitters.random(0.2, SPLIT_SEED)).seed(seed).maxCard(AMES_MAXCARD).batchSize(BS).build()) {
                Engine.getInstance().setRandomSeed(seed);
                TabularConfig cfg = TabularConfig.defaults().withYRange(yRange[0], yRange[1]);
                if (AMES_PS > 0) {
                    cfg = cfg.withPs(AMES_PS);
                }
                cfg = cfg.withEmbedP(AMES_EMBP);
                try (TabularLearner learn = TabularLearners.create(dls, AMES_LAYERS, cfg, Map.of(),
                        b -> b.progress(false).wd(AMES_WD).callbacks(PHASES ? new PhaseTimer() : new Callback() {}),
                        Metrics.rmse())) {
                    learn.fitOneCycle(AMES_EPOCHS, AMES_LR);
                    r.put("fastai4j", lastMetric(learn));
                    if (Boolean.getBoolean("ames.residuals")) {
                        residuals(learn, dls);
                    }
                    r.put("fastai4j_s_per_epoch", secondsPerEpoch(learn));
                }
                Features f = Features.of(dls);
                if (BASELINES) {
                    r.put("linear", Linear.ridgeRmse(f));
                    r.put("xgboost", Xgb.regress(f, seed));
                }
                if (twin) {
                    Path dir = export(dls, f, "ames_seed" + seed, "regression", yRange, AMES_LAYERS, AMES_PS,
                            AMES_EMBP, AMES_EPOCHS, AMES_LR, AMES_WD, seed);
                    Map<String, Double> tw = runTwin(dir);
                    r.put("pytorch", tw.get("rmse"));
                    r.put("pytorch_s_per_epoch", tw.get("s_per_epoch"));
                }
            }
            System.out.printf(Locale.ROOT, "seed %d: log-price RMSE fastai4j %.4f | PyTorch twin %s | ridge %s | "
                    + "XGBoost %s ; s/epoch fastai4j %.3f, PyTorch %s%n", seed, r.get("fastai4j"), fmt(r.get("pytorch")),
                    fmt(r.get("linear")), fmt(r.get("xgboost")), r.get("fastai4j_s_per_epoch"), fmt(r.get("pytorch_s_per_epoch")));
            rows.add(r);
        }
        summary("Ames log-price RMSE", rows, "fastai4j", "pytorch", "linear", "xgboost");
    }

    static final boolean PHASES = !Boolean.getBoolean("nophases");

    /** With -Dphases=true: where the training iterations' time goes. */
    static final class PhaseTimer implements Callback {
        long t;
        long last;
        final long[] sum = new long[5];
        int n;

        @Override
        public void beforeBatch(Learner learn) {
            if (learn.isTraining()) {
                long now = System.nanoTime();
                if (last != 0) {
                    sum[0] += now - last;
                }
                t = now;
            }
        }

        @Override
        public void afterPred(Learner learn) {
            if (learn.isTraining()) {
                long now = System.nanoTime();
                sum[1] += now - t;
                t = now;
            }
        }

        @Override
        public void afterLoss(Learner learn) {
            if (learn.isTraining()) {
                long now = System.nanoTime();
                sum[2] += now - t;
                t = now;
            }
        }

        @Override
        public void afterBackward(Learner learn) {
            if (learn.isTraining()) {
                long now = System.nanoTime();
                sum[3] += now - t;
                t = now;
            }
        }

        @Override
        public void afterStep(Learner learn) {
            if (learn.isTraining()) {
                long now = System.nanoTime();
                sum[4] += now - t;
                last = now;
                n++;
            }
        }

        @Override
        public void afterTrain(Learner learn) {
            last = 0;
        }

        @Override
        public void afterFit(Learner learn) {
            System.out.printf(Locale.ROOT, "  fastai4j, per training iteration (ms): load+schedule %.2f, forward %.2f, loss %.2f, "
                    + "backward %.2f, step %.2f%n", sum[0] / 1e6 / n, sum[1] / 1e6 / n, sum[2] / 1e6 / n,
                    sum[3] / 1e6 / n, sum[4] / 1e6 / n);
        }
    }

    /** Prints the largest validation errors (to see what dominates the RMSE). */
    static void residuals(Learner learn, TabularDataLoaders dls) {
        try (Preds p = learn.getPreds()) {
            float[] pr = p.probs().reshape(-1).toFloatArray();
            float[] ta = p.targets().toFloatArray();
            int[] va = dls.dls().datasets().split().valid();
            Integer[] order = new Integer[pr.length];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (a, b) -> Double.compare(Math.abs(pr[b] - ta[b]), Math.abs(pr[a] - ta[a])));
            double se = 0;
            for (int i = 0; i < pr.length; i++) {
                se += (pr[i] - ta[i]) * (pr[i] - ta[i]);
            }
            double se5 = se;
            for (int k = 0; k < 8; k++) {
                int i = order[k];
                se5 -= (pr[i] - ta[i]) * (pr[i] - ta[i]);
                System.out.printf(Locale.ROOT, "  row %d: predicted %.3f, actual %.3f, Gr_Liv_Area %s, Sale_Condition %s%n",
                        va[i] + 1, pr[i], ta[i], dls.table().get(va[i], "Gr_Liv_Area"),
                        dls.table().get(va[i], "Sale_Condition"));
            }
            System.out.printf(Locale.ROOT, "  rmse %.4f, without the 8 largest errors %.4f%n", Math.sqrt(se / pr.length),
                    Math.sqrt(se5 / (pr.length - 8)));
        }
    }

    // ------------------------------------------------------------------------------------------------- credit

    static final int CREDIT_EPOCHS = 5;
    static final double CREDIT_LR = 1e-2;

    static void credit() throws Exception {
        Path csv = data.resolve("credit/credit_data.csv");
        Table t = Table.readCsv(csv);
        System.out.printf(Locale.ROOT, "%n== credit_data (%s): %d rows, target Status, random 20%% valid (split seed %d), "
                + "%d training seeds ==%n", csv, t.nRows(), SPLIT_SEED, seeds);
        System.out.printf(Locale.ROOT, "recipe: tabular_learner(layers [200, 100]), fit_one_cycle(%d, %.0e), bs %d, "
                + "Adam wd 0.01; procs FillMissing, Categorify, Normalize; positive class 'bad'%n", CREDIT_EPOCHS,
                CREDIT_LR, BS);
        List<Map<String, Double>> rows = new ArrayList<>();
        for (int seed = 0; seed < seeds; seed++) {
            Map<String, Double> r = new LinkedHashMap<>();
            try (TabularDataLoaders dls = TabularDataLoaders.fromTable(t).yNames("Status")
                    .splitter(Splitters.random(0.2, SPLIT_SEED)).seed(seed).batchSize(BS).build()) {
                int pos = dls.vocab().indexOf("bad");
                Engine.getInstance().setRandomSeed(seed);
                try (TabularLearner learn = TabularLearners.create(dls, List.of(200, 100), TabularConfig.defaults(),
                        Map.of(), b -> b.progress(false).callbacks(PHASES ? new PhaseTimer() : new Callback() {}),
                        Metrics.accuracy())) {
                    learn.fitOneCycle(CREDIT_EPOCHS, CREDIT_LR);
                    try (Preds p = learn.getPreds()) {
                        float[] probs = p.probs().toFloatArray();
                        long[] targets = p.targets().toLongArray();
                        double[] score = new double[targets.length];
                        int[] label = new int[targets.length];
                        int correct = 0;
                        for (int i = 0; i < targets.length; i++) {
                            score[i] = probs[2 * i + pos];
                            label[i] = targets[i] == pos ? 1 : 0;
                            int predicted = probs[2 * i + 1] > probs[2 * i] ? 1 : 0;
                            correct += predicted == targets[i] ? 1 : 0;
                        }
                        r.put("fastai4j_acc", (double) correct / targets.length);
                        r.put("fastai4j_auc", Stats.auc(score, label));
                    }
                    r.put("fastai4j_s_per_epoch", secondsPerEpoch(learn));
                }
                Features f = Features.of(dls);
                double[] lr = Linear.logistic(f, pos);
                r.put("logistic_acc", lr[0]);
                r.put("logistic_auc", lr[1]);
                double[] xg = Xgb.classify(f, seed, pos);
                r.put("xgboost_acc", xg[0]);
                r.put("xgboost_auc", xg[1]);
                if (twin) {
                    Path dir = export(dls, f, "credit_seed" + seed, "classification", null, List.of(200, 100), 0, 0,
                            CREDIT_EPOCHS, CREDIT_LR, 0.01, seed);
                    Map<String, Double> tw = runTwin(dir);
                    r.put("pytorch_acc", tw.get("accuracy"));
                    r.put("pytorch_auc", tw.get("auc"));
                    r.put("pytorch_s_per_epoch", tw.get("s_per_epoch"));
                }
            }
            System.out.printf(Locale.ROOT, "seed %d: accuracy / AUC fastai4j %.4f / %.4f | PyTorch twin %s / %s | "
                    + "logistic %.4f / %.4f | XGBoost %.4f / %.4f ; s/epoch fastai4j %.3f, PyTorch %s%n", seed,
                    r.get("fastai4j_acc"), r.get("fastai4j_auc"), fmt(r.get("pytorch_acc")), fmt(r.get("pytorch_auc")),
                    r.get("logistic_acc"), r.get("logistic_auc"), r.get("xgboost_acc"), r.get("xgboost_auc"),
                    r.get("fastai4j_s_per_epoch"), fmt(r.get("pytorch_s_per_epoch")));
            rows.add(r);
        }
        summary("credit accuracy", rows, "fastai4j_acc", "pytorch_acc", "logistic_acc", "xgboost_acc");
        summary("credit ROC AUC", rows, "fastai4j_auc", "pytorch_auc", "logistic_auc", "xgboost_auc");
    }

    // ------------------------------------------------------------------------------------------------- MovieLens

    static final int ML_EPOCHS = Integer.getInteger("ml.epochs", 5);
    static final double ML_LR = 5e-3;
    static final double ML_WD = 0.1;

    static void movielens() throws Exception {
        Path csv = data.resolve("movielens/ratings.csv");
        long t0 = System.nanoTime();
        Table t = Table.readCsv(csv);
        System.out.printf(Locale.ROOT, "%n== MovieLens (%s): %d ratings, random 20%% valid (seed 42) ==%n", csv,
                t.nRows());
        System.out.printf(Locale.ROOT, "recipe: collab_learner(n_factors 50, y_range (0, 5.5)), fit_one_cycle(%d, "
                + "%.0e, wd %.1f), bs %d%n", ML_EPOCHS, ML_LR, ML_WD, BS);
        Map<String, Double> r = new LinkedHashMap<>();
        try (CollabDataLoaders dls = CollabDataLoaders.fromTable(t).userName("userId").itemName("movieId")
                .ratingName("rating").seed(42).batchSize(BS).build()) {
            System.out.printf(Locale.ROOT, "read and encoded in %.1f s: %d users, %d movies (+ #na#)%n",
                    (System.nanoTime() - t0) / 1e9, dls.users().size() - 1, dls.items().size() - 1);
            Engine.getInstance().setRandomSeed(42);
            try (CollabLearner learn = CollabLearners.create(dls, 50, new double[] {0, 5.5}, false,
                    b -> b.wd(ML_WD).progress(false).callbacks(PHASES ? new PhaseTimer() : new Callback() {}),
                    Metrics.rmse())) {
                learn.fitOneCycle(ML_EPOCHS, ML_LR);
                r.put("fastai4j", lastMetric(learn));
                r.put("fastai4j_s_per_epoch", secondsPerEpoch(learn));
                System.out.println("epochs (train_loss, valid_loss, rmse): " + learn.recorder().values());
                Map<String, String> titles = new HashMap<>();
                String[] ids = t.column("movieId");
                String[] names = t.column("title");
                String[] years = t.column("year");
                for (int i = 0; i < ids.length; i++) {
                    titles.putIfAbsent(ids[i], names[i] + (years[i] == null ? "" : " (" + years[i] + ")"));
                }
                int[] counts = dls.itemRatingCounts();
                List<CollabLearner.Scored> biases = learn.itemBiases(1);
                System.out.println("top ten movies by bias (what raters like beyond their own taste):");
                for (CollabLearner.Scored s : biases.subList(0, 10)) {
                    System.out.printf(Locale.ROOT, "  %+.3f  %s [%d ratings]%n", s.score(), titles.get(s.key()),
                            counts[dls.encoder().itemCode(s.key())]);
                }
                System.out.println("bottom ten movies by bias:");
                for (CollabLearner.Scored s : biases.subList(biases.size() - 10, biases.size())) {
                    System.out.printf(Locale.ROOT, "  %+.3f  %s [%d ratings]%n", s.score(), titles.get(s.key()),
                            counts[dls.encoder().itemCode(s.key())]);
                }
                List<List<CollabLearner.Scored>> pcs = learn.itemFactorComponents(2, 50);
                for (int c = 0; c < 2; c++) {
                    List<CollabLearner.Scored> pc = pcs.get(c);
                    System.out.printf(Locale.ROOT, "principal component %d of the item factors (movies with >= 50 "
                            + "ratings): one end: %s; other end: %s%n", c + 1,
                            names(pc.subList(0, 5), titles), names(pc.subList(pc.size() - 5, pc.size()), titles));
                }
                System.out.println("top 5 for user 1 (unrated movies only): " + names(learn.recommend("1", 5), titles));
            }
            r.put("bias_only", BiasBaseline.rmse(dls));
            if (twin) {
                Path dir = exportCollab(dls, "movielens");
                Map<String, Double> tw = runTwin(dir);
                r.put("pytorch", tw.get("rmse"));
                r.put("pytorch_s_per_epoch", tw.get("s_per_epoch"));
            }
        }
        System.out.printf(Locale.ROOT, "MovieLens valid RMSE: fastai4j EmbeddingDotBias %.4f | PyTorch twin %s | "
                + "bias-only baseline %.4f ; s/epoch fastai4j %.2f, PyTorch %s, ratio PyTorch/fastai4j %s%n",
                r.get("fastai4j"), fmt(r.get("pytorch")), r.get("bias_only"), r.get("fastai4j_s_per_epoch"),
                fmt(r.get("pytorch_s_per_epoch")), r.get("pytorch_s_per_epoch") == null ? "-"
                        : fmt(r.get("pytorch_s_per_epoch") / r.get("fastai4j_s_per_epoch")));
    }

    static String names(List<CollabLearner.Scored> s, Map<String, String> titles) {
        List<String> out = new ArrayList<>();
        for (CollabLearner.Scored x : s) {
            out.add(titles.get(x.key()));
        }
        return String.join("; ", out);
    }

    // ------------------------------------------------------------------------------------------------- helpers

    static double lastMetric(Learner learn) {
        List<List<Double>> v = learn.recorder().values();
        return v.get(v.size() - 1).get(2);
    }

    /** Mean seconds of the epochs after the first (train + validation, as fastai's epoch time). */
    static double secondsPerEpoch(Learner learn) {
        List<Double> s = learn.recorder().epochSeconds();
        return s.size() == 1 ? s.get(0) : s.subList(1, s.size()).stream().mapToDouble(Double::doubleValue).average()
                .orElseThrow();
    }

    static String fmt(Double d) {
        return d == null ? "-" : String.format(Locale.ROOT, "%.4f", d);
    }

    static void summary(String title, List<Map<String, Double>> rows, String... keys) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%s over %d seeds (mean +- std):", title,
                rows.size()));
        for (String k : keys) {
            double[] v = rows.stream().filter(r -> r.get(k) != null).mapToDouble(r -> r.get(k)).toArray();
            if (v.length > 0) {
                sb.append(String.format(Locale.ROOT, " %s %.4f +- %.4f;", k, Stats.mean(v), Stats.std(v)));
            }
        }
        double[] a = rows.stream().mapToDouble(r -> r.get("fastai4j_s_per_epoch")).toArray();
        double[] b = rows.stream().filter(r -> r.get("pytorch_s_per_epoch") != null)
                .mapToDouble(r -> r.get("pytorch_s_per_epoch")).toArray();
        sb.append(String.format(Locale.ROOT, " s/epoch fastai4j %.3f", Stats.mean(a)));
        if (b.length > 0) {
            sb.append(String.format(Locale.ROOT, ", PyTorch %.3f, ratio PyTorch/fastai4j %.2f", Stats.mean(b),
                    Stats.mean(b) / Stats.mean(a)));
        }
        System.out.println(sb);
    }

    /** Runs the PyTorch twin on an exported folder and reads its "RESULT key value" lines. */
    static Map<String, Double> runTwin(Path dir) throws IOException, InterruptedException {
        Path script = Path.of("bench/tabular/tabular_twin.py");
        ProcessBuilder pb = new ProcessBuilder(python, script.toString(), dir.toString(), "--threads",
                Integer.toString(threads));
        pb.redirectErrorStream(true);
        Process p = pb.start();
        Map<String, Double> res = new HashMap<>();
        StringBuilder log = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                log.append(line).append('\n');
                if (line.startsWith("  per training iteration")) {
                    System.out.println(line.replace("per training", "PyTorch twin, per training"));
                }
                if (line.startsWith("RESULT ")) {
                    String[] parts = line.split(" ");
                    res.put(parts[1], Double.parseDouble(parts[2]));
                }
            }
        }
        if (p.waitFor() != 0) {
            throw new IllegalStateException("the PyTorch twin failed:\n" + log);
        }
        return res;
    }

    // ------------------------------------------------------------------------------------------------- export

    /** The processed arrays of both splits, as the model sees them (codes, normalised values, targets). */
    record Features(int nCat, int nCont, int[] cards, float[][] train, float[][] valid, float[] yTrain, float[] yValid) {

        static Features of(TabularDataLoaders dls) {
            TabularProcessor p = dls.processor();
            int[] tr = dls.dls().datasets().split().train();
            int[] va = dls.dls().datasets().split().valid();
            Table t = dls.table();
            float[][] xt = new float[tr.length][];
            float[][] xv = new float[va.length][];
            float[] yt = new float[tr.length];
            float[] yv = new float[va.length];
            boolean cat = dls.yBlock() == TabularDataLoaders.YBlock.CATEGORY;
            List<String> vocab = dls.vocab();
            for (int i = 0; i < tr.length; i++) {
                xt[i] = p.encode(t.row(tr[i]));
                String y = t.get(tr[i], dls.yName());
                yt[i] = cat ? vocab.indexOf(y) : Float.parseFloat(y);
            }
            for (int i = 0; i < va.length; i++) {
                xv[i] = p.encode(t.row(va[i]));
                String y = t.get(va[i], dls.yName());
                yv[i] = cat ? vocab.indexOf(y) : Float.parseFloat(y);
            }
            return new Features(p.catNames().size(), p.contNames().size(), p.cardinalities(), xt, xv, yt, yv);
        }
    }

    static Path export(TabularDataLoaders dls, Features f, String name, String task, double[] yRange,
            List<Integer> layers, double ps, double embP, int epochs, double lr, double wd, int seed) throws IOException {
        Path dir = out.resolve(name);
        Files.createDirectories(dir);
        writeSplit(dir, "train", f.train(), f.yTrain(), f.nCat(), task);
        writeSplit(dir, "valid", f.valid(), f.yValid(), f.nCat(), task);
        List<int[]> szs = TabularModel.embSzs(dls.processor(), Map.of());
        StringBuilder emb = new StringBuilder("[");
        for (int i = 0; i < szs.size(); i++) {
            emb.append(i == 0 ? "" : ", ").append('[').append(szs.get(i)[0]).append(", ").append(szs.get(i)[1])
                    .append(']');
        }
        emb.append(']');
        String meta = String.format(Locale.ROOT, "{\"kind\": \"tabular\", \"task\": \"%s\", \"n_train\": %d, "
                + "\"n_valid\": %d, \"n_cat\": %d, \"n_cont\": %d, \"emb_szs\": %s, \"n_out\": %d, \"layers\": %s,"
                + " \"ps\": %s, \"embed_p\": %s, \"y_range\": %s, \"epochs\": %d, \"lr\": %s, \"wd\": %s, \"bs\": %d, \"seed\": %d, \"pos\": %d}",
                task, f.train().length, f.valid().length, f.nCat(), f.nCont(), emb, dls.c(), layers, ps, embP,
                yRange == null ? "null" : "[" + yRange[0] + ", " + yRange[1] + "]", epochs, lr, wd, BS, seed,
                Math.max(0, dls.vocab().indexOf("bad")));
        Files.writeString(dir.resolve("meta.json"), meta);
        return dir;
    }

    static void writeSplit(Path dir, String split, float[][] x, float[] y, int nCat, String task) throws IOException {
        int n = x.length;
        int w = n == 0 ? 0 : x[0].length;
        ByteBuffer cats = ByteBuffer.allocate(8 * n * nCat).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer conts = ByteBuffer.allocate(4 * n * (w - nCat)).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer ys = ByteBuffer.allocate(8 * n).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < nCat; j++) {
                cats.putLong(Math.round(x[i][j]));
            }
            for (int j = nCat; j < w; j++) {
                conts.putFloat(x[i][j]);
            }
            if (task.equals("classification")) {
                ys.putLong((long) y[i]);
            } else {
                ys.putFloat(y[i]);
            }
        }
        Files.write(dir.resolve(split + "_cats.bin"), cats.array());
        Files.write(dir.resolve(split + "_conts.bin"), conts.array());
        Files.write(dir.resolve(split + "_y.bin"), Arrays.copyOf(ys.array(), ys.position()));
    }

    static Path exportCollab(CollabDataLoaders dls, String name) throws IOException {
        Path dir = out.resolve(name);
        Files.createDirectories(dir);
        for (String split : List.of("train", "valid")) {
            int[] idx = split.equals("train") ? dls.dls().datasets().split().train() : dls.dls().datasets().split().valid();
            ByteBuffer x = ByteBuffer.allocate(16 * idx.length).order(ByteOrder.LITTLE_ENDIAN);
            ByteBuffer y = ByteBuffer.allocate(4 * idx.length).order(ByteOrder.LITTLE_ENDIAN);
            for (int i : idx) {
                long[] c = dls.encoder().encode(dls.table().row(i));
                x.putLong(c[0]).putLong(c[1]);
                y.putFloat(Float.parseFloat(dls.table().get(i, dls.ratingName())));
            }
            Files.write(dir.resolve(split + "_cats.bin"), x.array());
            Files.write(dir.resolve(split + "_y.bin"), y.array());
        }
        String meta = String.format(Locale.ROOT, "{\"kind\": \"collab\", \"task\": \"regression\", \"n_train\": %d, "
                + "\"n_valid\": %d, \"n_users\": %d, \"n_items\": %d, \"n_factors\": 50, \"y_range\": [0, 5.5], "
                + "\"epochs\": %d, \"lr\": %s, \"wd\": %s, \"bs\": %d, \"seed\": 42}",
                dls.dls().datasets().split().train().length, dls.dls().datasets().split().valid().length,
                dls.users().size(), dls.items().size(), ML_EPOCHS, ML_LR, ML_WD, BS);
        Files.writeString(dir.resolve("meta.json"), meta);
        return dir;
    }

    // ------------------------------------------------------------------------------------------------- baselines

    static final class Stats {
        static double mean(double[] v) {
            return Arrays.stream(v).average().orElse(Double.NaN);
        }

        static double std(double[] v) {
            double m = mean(v);
            return Math.sqrt(Arrays.stream(v).map(x -> (x - m) * (x - m)).sum() / Math.max(1, v.length - 1));
        }

        /** ROC AUC by the rank-sum (Mann-Whitney) formula, ties counted as one half. */
        static double auc(double[] score, int[] label) {
            Integer[] order = new Integer[score.length];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (a, b) -> Double.compare(score[a], score[b]));
            double rankSum = 0;
            long nPos = 0;
            int i = 0;
            while (i < order.length) {
                int j = i;
                while (j + 1 < order.length && score[order[j + 1]] == score[order[i]]) {
                    j++;
                }
                double rank = (i + j) / 2.0 + 1;
                for (int k = i; k <= j; k++) {
                    if (label[order[k]] == 1) {
                        rankSum += rank;
                        nPos++;
                    }
                }
                i = j + 1;
            }
            long nNeg = score.length - nPos;
            return (rankSum - nPos * (nPos + 1) / 2.0) / ((double) nPos * nNeg);
        }
    }

    /** Ridge and logistic regression on one-hot categories and the normalised continuous columns. */
    static final class Linear {

        static double[][] design(Features f, float[][] x) {
            int d = 1;
            for (int c : f.cards()) {
                d += c;
            }
            d += f.nCont();
            double[][] out = new double[x.length][d];
            for (int i = 0; i < x.length; i++) {
                out[i][0] = 1;
                int off = 1;
                for (int j = 0; j < f.nCat(); j++) {
                    out[i][off + Math.round(x[i][j])] = 1;
                    off += f.cards()[j];
                }
                for (int j = 0; j < f.nCont(); j++) {
                    out[i][off + j] = x[i][f.nCat() + j];
                }
            }
            return out;
        }

        /** Solves (X'WX + lambda I') w = X'z by Cholesky (no penalty on the intercept). */
        static double[] solve(double[][] x, double[] wts, double[] z, double lambda) {
            int d = x[0].length;
            double[][] a = new double[d][d];
            double[] b = new double[d];
            for (int i = 0; i < x.length; i++) {
                double[] r = x[i];
                double w = wts == null ? 1 : wts[i];
                for (int p = 0; p < d; p++) {
                    if (r[p] == 0) {
                        continue;
                    }
                    double rp = r[p] * w;
                    b[p] += rp * z[i];
                    for (int q = p; q < d; q++) {
                        a[p][q] += rp * r[q];
                    }
                }
            }
            for (int p = 0; p < d; p++) {
                a[p][p] += p == 0 ? 1e-8 : lambda;
                for (int q = 0; q < p; q++) {
                    a[p][q] = a[q][p];
                }
            }
            // Cholesky
            double[][] l = new double[d][d];
            for (int p = 0; p < d; p++) {
                for (int q = 0; q <= p; q++) {
                    double s = a[p][q];
                    for (int k = 0; k < q; k++) {
                        s -= l[p][k] * l[q][k];
                    }
                    l[p][q] = p == q ? Math.sqrt(Math.max(s, 1e-12)) : s / l[q][q];
                }
            }
            double[] yv = new double[d];
            for (int p = 0; p < d; p++) {
                double s = b[p];
                for (int k = 0; k < p; k++) {
                    s -= l[p][k] * yv[k];
                }
                yv[p] = s / l[p][p];
            }
            double[] w = new double[d];
            for (int p = d - 1; p >= 0; p--) {
                double s = yv[p];
                for (int k = p + 1; k < d; k++) {
                    s -= l[k][p] * w[k];
                }
                w[p] = s / l[p][p];
            }
            return w;
        }

        static double dot(double[] a, double[] b) {
            double s = 0;
            for (int i = 0; i < a.length; i++) {
                s += a[i] * b[i];
            }
            return s;
        }

        /** Ridge regression; lambda chosen among 0.1, 1, 10, 100 on the last 20% of the training rows. */
        static double ridgeRmse(Features f) {
            double[][] xt = design(f, f.train());
            double[][] xv = design(f, f.valid());
            double[] yt = toDouble(f.yTrain());
            int cut = (int) (xt.length * 0.8);
            double best = Double.NaN;
            double bestErr = Double.POSITIVE_INFINITY;
            for (double lambda : new double[] {0.1, 1, 10, 100}) {
                double[] w = solve(Arrays.copyOf(xt, cut), null, Arrays.copyOf(yt, cut), lambda);
                double err = 0;
                for (int i = cut; i < xt.length; i++) {
                    double e = dot(w, xt[i]) - yt[i];
                    err += e * e;
                }
                if (err < bestErr) {
                    bestErr = err;
                    best = lambda;
                }
            }
            double[] w = solve(xt, null, yt, best);
            double se = 0;
            for (int i = 0; i < xv.length; i++) {
                double e = dot(w, xv[i]) - f.yValid()[i];
                se += e * e;
            }
            return Math.sqrt(se / xv.length);
        }

        /** L2 logistic regression by Newton's method (IRLS), lambda chosen as for ridge; {accuracy, AUC}. */
        static double[] logistic(Features f, int pos) {
            double[][] xt = design(f, f.train());
            double[][] xv = design(f, f.valid());
            double[] yt = new double[xt.length];
            for (int i = 0; i < yt.length; i++) {
                yt[i] = f.yTrain()[i] == pos ? 1 : 0;
            }
            int cut = (int) (xt.length * 0.8);
            double best = 1;
            double bestLoss = Double.POSITIVE_INFINITY;
            for (double lambda : new double[] {0.1, 1, 10, 100}) {
                double[] w = irls(Arrays.copyOf(xt, cut), Arrays.copyOf(yt, cut), lambda);
                double loss = 0;
                for (int i = cut; i < xt.length; i++) {
                    double p = sigmoid(dot(w, xt[i]));
                    loss -= yt[i] == 1 ? Math.log(Math.max(p, 1e-12)) : Math.log(Math.max(1 - p, 1e-12));
                }
                if (loss < bestLoss) {
                    bestLoss = loss;
                    best = lambda;
                }
            }
            double[] w = irls(xt, yt, best);
            double[] score = new double[xv.length];
            int[] label = new int[xv.length];
            int correct = 0;
            for (int i = 0; i < xv.length; i++) {
                score[i] = sigmoid(dot(w, xv[i]));
                label[i] = f.yValid()[i] == pos ? 1 : 0;
                correct += (score[i] > 0.5 ? 1 : 0) == label[i] ? 1 : 0;
            }
            return new double[] {(double) correct / xv.length, Stats.auc(score, label)};
        }

        static double[] irls(double[][] x, double[] y, double lambda) {
            int d = x[0].length;
            double[] w = new double[d];
            for (int it = 0; it < 25; it++) {
                double[] wts = new double[x.length];
                double[] z = new double[x.length];
                for (int i = 0; i < x.length; i++) {
                    double eta = dot(w, x[i]);
                    double p = sigmoid(eta);
                    double v = Math.max(p * (1 - p), 1e-6);
                    wts[i] = v;
                    z[i] = eta + (y[i] - p) / v;
                }
                double[] next = solve(x, wts, z, lambda);
                double change = 0;
                for (int p = 0; p < d; p++) {
                    change = Math.max(change, Math.abs(next[p] - w[p]));
                }
                w = next;
                if (change < 1e-6) {
                    break;
                }
            }
            return w;
        }

        static double sigmoid(double v) {
            return 1 / (1 + Math.exp(-v));
        }

        static double[] toDouble(float[] v) {
            double[] d = new double[v.length];
            for (int i = 0; i < v.length; i++) {
                d[i] = v[i];
            }
            return d;
        }
    }

    /** XGBoost (xgboost4j) on the same processed columns (category codes as numbers, normalised values). */
    static final class Xgb {

        static DMatrix matrix(float[][] x, float[] y) throws XGBoostError {
            int w = x[0].length;
            float[] flat = new float[x.length * w];
            for (int i = 0; i < x.length; i++) {
                System.arraycopy(x[i], 0, flat, i * w, w);
            }
            DMatrix m = new DMatrix(flat, x.length, w, Float.NaN);
            m.setLabel(y);
            return m;
        }

        static Map<String, Object> params(int seed, String objective) {
            Map<String, Object> p = new HashMap<>();
            p.put("eta", 0.03);
            p.put("max_depth", 4);
            p.put("subsample", 0.8);
            p.put("colsample_bytree", 0.5);
            p.put("min_child_weight", 1);
            p.put("objective", objective);
            p.put("nthread", threads);
            p.put("seed", seed);
            p.put("verbosity", 0);
            return p;
        }

        /** Validation RMSE of 1500 rounds of depth-4 trees at eta 0.03. */
        static double regress(Features f, int seed) throws XGBoostError {
            DMatrix tr = matrix(f.train(), f.yTrain());
            DMatrix va = matrix(f.valid(), f.yValid());
            Booster b = XGBoost.train(tr, params(seed, "reg:squarederror"), 1500, new HashMap<>(), null, null);
            float[][] p = b.predict(va);
            double se = 0;
            for (int i = 0; i < p.length; i++) {
                double e = p[i][0] - f.yValid()[i];
                se += e * e;
            }
            b.dispose();
            tr.dispose();
            va.dispose();
            return Math.sqrt(se / p.length);
        }

        /** {accuracy, AUC} of 500 rounds of depth-4 trees at eta 0.03, positive class {@code pos}. */
        static double[] classify(Features f, int seed, int pos) throws XGBoostError {
            float[] yt = f.yTrain().clone();
            for (int i = 0; i < yt.length; i++) {
                yt[i] = yt[i] == pos ? 1 : 0;
            }
            DMatrix tr = matrix(f.train(), yt);
            DMatrix va = matrix(f.valid(), new float[f.valid().length]);
            Booster b = XGBoost.train(tr, params(seed, "binary:logistic"), 500, new HashMap<>(), null, null);
            float[][] p = b.predict(va);
            double[] score = new double[p.length];
            int[] label = new int[p.length];
            int correct = 0;
            for (int i = 0; i < p.length; i++) {
                score[i] = p[i][0];
                label[i] = f.yValid()[i] == pos ? 1 : 0;
                correct += (score[i] > 0.5 ? 1 : 0) == label[i] ? 1 : 0;
            }
            b.dispose();
            tr.dispose();
            va.dispose();
            return new double[] {(double) correct / p.length, Stats.auc(score, label)};
        }
    }

    /**
     * The classic bias-only predictor: global mean plus user and item biases fitted by alternating regularised least
     * squares (lambda 5 users, 10 items, 10 sweeps) on the training ratings, clipped to the rating range.
     */
    static final class BiasBaseline {
        static double rmse(CollabDataLoaders dls) {
            int[] tr = dls.dls().datasets().split().train();
            int[] va = dls.dls().datasets().split().valid();
            int nu = dls.users().size();
            int ni = dls.items().size();
            int[] u = new int[tr.length];
            int[] it = new int[tr.length];
            double[] y = new double[tr.length];
            double mu = 0;
            for (int k = 0; k < tr.length; k++) {
                long[] c = dls.encoder().encode(dls.table().row(tr[k]));
                u[k] = (int) c[0];
                it[k] = (int) c[1];
                y[k] = Double.parseDouble(dls.table().get(tr[k], dls.ratingName()));
                mu += y[k];
            }
            mu /= tr.length;
            double[] bu = new double[nu];
            double[] bi = new double[ni];
            for (int sweep = 0; sweep < 10; sweep++) {
                double[] s = new double[ni];
                int[] n = new int[ni];
                for (int k = 0; k < tr.length; k++) {
                    s[it[k]] += y[k] - mu - bu[u[k]];
                    n[it[k]]++;
                }
                for (int j = 0; j < ni; j++) {
                    bi[j] = s[j] / (10 + n[j]);
                }
                double[] su = new double[nu];
                int[] nn = new int[nu];
                for (int k = 0; k < tr.length; k++) {
                    su[u[k]] += y[k] - mu - bi[it[k]];
                    nn[u[k]]++;
                }
                for (int j = 0; j < nu; j++) {
                    bu[j] = su[j] / (5 + nn[j]);
                }
            }
            double se = 0;
            for (int k : va) {
                long[] c = dls.encoder().encode(dls.table().row(k));
                double p = Math.max(0.5, Math.min(5, mu + bu[(int) c[0]] + bi[(int) c[1]]));
                double e = p - Double.parseDouble(dls.table().get(k, dls.ratingName()));
                se += e * e;
            }
            return Math.sqrt(se / va.length);
        }
    }

    static {
        Locale.setDefault(Locale.ROOT);
    }
}

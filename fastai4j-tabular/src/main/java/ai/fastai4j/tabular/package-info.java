/**
 * Tabular data, as in fastai's {@code fastai.tabular}: a {@link ai.fastai4j.tabular.Table} of text cells (from CSV,
 * rows, columns or a Tablesaw data frame), date expansion ({@link ai.fastai4j.tabular.DatePart}), the procs learned
 * on the training split ({@link ai.fastai4j.tabular.FillMissing}, {@link ai.fastai4j.tabular.Categorify},
 * {@link ai.fastai4j.tabular.Normalize}), {@link ai.fastai4j.tabular.TabularDataLoaders},
 * {@link ai.fastai4j.tabular.TabularModel} and {@link ai.fastai4j.tabular.TabularLearners}. A trained learner exports
 * to a {@code .fai} file ({@link ai.fastai4j.tabular.TabularExport}) that {@link ai.fastai4j.export.InferenceModel}
 * loads and predicts rows with.
 *
 * <pre>{@code
 * try (TabularDataLoaders dls = TabularDataLoaders.fromCsv(Path.of("credit_data.csv")).yNames("Status").build();
 *         TabularLearner learn = TabularLearners.create(dls, Metrics.accuracy())) {
 *     System.out.println(dls.showBatch(5));
 *     learn.fitOneCycle(5, 1e-2);
 *     TabularPrediction p = learn.predictRow(Map.of("Seniority", "9", "Home", "rent", ...));
 *     System.out.println(p.label() + " " + p.row());
 *     ModelExport.export(learn, Path.of("credit.fai"));             // procs' state + weights, no code inside
 * }
 * try (InferenceModel model = InferenceModel.load(Path.of("credit.fai"))) {
 *     // a Map of column to value: empty or NA cells are missing, unseen categories become #na#
 *     Prediction p = model.predict(Map.of("Seniority", "9", "Home", "rent", ...));
 *     System.out.println(p.label() + " " + p.maxProb());
 *     List<Prediction> many = model.predictBatch(rows);  // Maps or Table.Rows
 * }
 * }</pre>
 *
 * <p>A Tablesaw data frame ({@code tech.tablesaw:tablesaw-core}, an optional dependency) works like a CSV file:
 * {@code TabularDataLoaders.fromTablesaw(tech.tablesaw.api.Table.read().csv("credit_data.csv"))}.
 */
package ai.fastai4j.tabular;

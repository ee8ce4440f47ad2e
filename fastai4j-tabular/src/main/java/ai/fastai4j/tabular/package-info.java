/**
 * Tabular data, as in fastai's {@code fastai.tabular}: a {@link ai.fastai4j.tabular.Table} of text cells (from CSV,
 * rows or columns), date expansion ({@link ai.fastai4j.tabular.DatePart}), the procs learned on the training split
 * ({@link ai.fastai4j.tabular.FillMissing}, {@link ai.fastai4j.tabular.Categorify},
 * {@link ai.fastai4j.tabular.Normalize}), {@link ai.fastai4j.tabular.TabularDataLoaders},
 * {@link ai.fastai4j.tabular.TabularModel} and {@link ai.fastai4j.tabular.TabularLearners}.
 *
 * <pre>{@code
 * try (TabularDataLoaders dls = TabularDataLoaders.fromCsv(Path.of("credit_data.csv")).yNames("Status").build();
 *         TabularLearner learn = TabularLearners.create(dls, Metrics.accuracy())) {
 *     System.out.println(dls.showBatch(5));
 *     learn.fitOneCycle(5, 1e-2);
 *     TabularPrediction p = learn.predictRow(Map.of("Seniority", "9", "Home", "rent", ...));
 *     System.out.println(p.label() + " " + p.row());
 * }
 * }</pre>
 */
package ai.fastai4j.tabular;

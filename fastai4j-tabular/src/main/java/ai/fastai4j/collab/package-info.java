/**
 * Collaborative filtering, as in fastai's {@code fastai.collab}: {@link ai.fastai4j.collab.CollabDataLoaders} from
 * (user, item, rating) rows, {@link ai.fastai4j.collab.EmbeddingDotBias} and {@link ai.fastai4j.collab.EmbeddingNN},
 * {@link ai.fastai4j.collab.CollabLearners#create} with fastai's defaults, and the interpretation of
 * {@link ai.fastai4j.collab.CollabLearner}: item biases, principal components of the item factors ({@link
 * ai.fastai4j.collab.Pca}) and recommendations that skip what a user already rated. A trained learner exports to a
 * {@code .fai} file ({@link ai.fastai4j.collab.CollabExport}) that {@link ai.fastai4j.export.InferenceModel} loads
 * and rates (user, item) pairs with.
 *
 * <pre>{@code
 * try (CollabDataLoaders dls = CollabDataLoaders.fromCsv(Path.of("ratings.csv")).userName("userId")
 *         .itemName("movieId").ratingName("rating").build();
 *         CollabLearner learn = CollabLearners.create(dls, 50, new double[] {0, 5.5}, false, b -> b.wd(0.1),
 *                 Metrics.rmse())) {
 *     learn.fitOneCycle(5, 5e-3);
 *     learn.itemBiases(1).subList(0, 10).forEach(System.out::println);
 *     learn.recommend("1", 5).forEach(System.out::println);
 *     ModelExport.export(learn, Path.of("ratings.fai"));
 * }
 * try (InferenceModel model = InferenceModel.load(Path.of("ratings.fai"))) {
 *     float rating = (Float) model.predict(Map.of("userId", "1", "movieId", "318")).label();
 *     // a user or movie not seen in training is a DataException naming it
 * }
 * }</pre>
 */
package ai.fastai4j.collab;

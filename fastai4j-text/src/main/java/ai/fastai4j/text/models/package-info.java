/**
 * fastai's AWD-LSTM and ULMFiT models: {@link ai.fastai4j.text.models.AwdLstm} with its dropouts
 * ({@link ai.fastai4j.text.models.EmbeddingDropout}, {@link ai.fastai4j.text.models.WeightDropout},
 * {@link ai.fastai4j.text.models.RNNDropout}), the {@link ai.fastai4j.text.models.LanguageModel} with its tied
 * {@link ai.fastai4j.text.models.LinearDecoder}, the {@link ai.fastai4j.text.models.TextClassifierModel}
 * ({@link ai.fastai4j.text.models.SentenceEncoder} + {@link ai.fastai4j.text.models.PoolingLinearClassifier}),
 * fastai's configs ({@link ai.fastai4j.text.models.AwdLstmConfig}) and its pretrained weights' layout
 * ({@link ai.fastai4j.text.models.AwdLstmWeights}).
 */
package ai.fastai4j.text.models;

/**
 * ULMFiT's learners: {@link ai.fastai4j.text.learner.TextLearners} builds the language-model and classifier
 * learners with fastai's text defaults; {@link ai.fastai4j.text.learner.ModelResetter} and
 * {@link ai.fastai4j.text.learner.RNNRegularizer} are fastai's text callbacks.
 */
package ai.fastai4j.text.learner;

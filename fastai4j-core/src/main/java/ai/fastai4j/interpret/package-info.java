/**
 * Looking at a trained model, as fastai's {@code interpret} module does: {@link
 * ai.fastai4j.interpret.ClassificationInterpretation} (confusion matrix, most confused classes, top losses,
 * classification report) and {@link ai.fastai4j.interpret.TrainingReport}, a self-contained HTML page of a
 * training run.
 */
package ai.fastai4j.interpret;

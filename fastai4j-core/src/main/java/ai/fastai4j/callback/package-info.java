/**
 * fastai's {@code fastai.callback}: trackers of a monitored value ({@link ai.fastai4j.callback.SaveModelCallback},
 * {@link ai.fastai4j.callback.EarlyStoppingCallback}, {@link ai.fastai4j.callback.ReduceLROnPlateau}), logging
 * ({@link ai.fastai4j.callback.CsvLogger}, {@link ai.fastai4j.callback.LiveReport}), training tricks
 * ({@link ai.fastai4j.callback.GradientAccumulation}, {@link ai.fastai4j.callback.GradientClip},
 * {@link ai.fastai4j.callback.MixUp}, {@link ai.fastai4j.callback.CutMix}).
 */
package ai.fastai4j.callback;

/**
 * Pretrained weights: torchvision's published ResNet weights (URLs and hashes), a verified and cached
 * download, and loading {@code .pth} state dicts into fastai4j's ResNets and vision models
 * ({@link ai.fastai4j.vision.models.pretrained.PretrainedWeights}). Files are read with
 * {@link ai.fastai4j.io.torch.TorchStateDictReader}, which never runs code from a file.
 */
package ai.fastai4j.vision.models.pretrained;

/**
 * Vision architectures and fastai's model assembly: torchvision-compatible {@link
 * ai.fastai4j.vision.models.ResNet}s, small nets for 28x28 images, and {@link
 * ai.fastai4j.vision.models.VisionModels} (body + head, parameter groups, torchvision weights).
 */
package ai.fastai4j.vision.models;

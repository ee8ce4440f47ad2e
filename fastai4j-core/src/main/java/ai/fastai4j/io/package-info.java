/**
 * Files: the one safetensors reader and writer ({@link ai.fastai4j.io.Safetensors}) behind {@code .fai} model files,
 * {@code learn.save}/{@code load} and pretrained weights, and {@link ai.fastai4j.io.AtomicFiles}, which makes every
 * file this library writes appear whole or not at all. Subpackages: {@link ai.fastai4j.io.download} (downloads,
 * archives, checksums) and {@link ai.fastai4j.io.torch} (PyTorch {@code .pth} files). Depends on nothing else of
 * fastai4j.
 */
package ai.fastai4j.io;

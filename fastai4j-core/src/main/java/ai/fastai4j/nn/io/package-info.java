/**
 * Reading and writing model weights without running code: PyTorch {@code .pth} state dicts through a
 * restricted unpickler ({@link ai.fastai4j.nn.io.TorchStateDictReader}) and safetensors files
 * ({@link ai.fastai4j.nn.io.SafetensorsIO}). Both give {@code Map<String, NDArray>} in file order, ready for
 * {@link ai.fastai4j.nn.Module#loadStateDict}.
 */
package ai.fastai4j.nn.io;

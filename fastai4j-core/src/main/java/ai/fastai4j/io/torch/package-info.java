/**
 * Reading PyTorch {@code .pth} state dicts without running code: a restricted unpickler
 * ({@link ai.fastai4j.io.torch.TorchStateDictReader}) that gives {@code Map<String, NDArray>} in file order, ready
 * for {@link ai.fastai4j.nn.Module#loadStateDict}. Safetensors files are read by {@link ai.fastai4j.io.Safetensors}.
 */
package ai.fastai4j.io.torch;

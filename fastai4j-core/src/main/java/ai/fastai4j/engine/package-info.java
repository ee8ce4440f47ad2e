/**
 * The engine seam: the only package that touches DJL's PyTorch internals ({@code ai.djl.pytorch.*}).
 *
 * <ul>
 *   <li>{@link ai.fastai4j.engine.Torch}: grad mode and thread settings of the native engine.</li>
 *   <li>{@link ai.fastai4j.engine.NoGrad}: a try-with-resources scope with autograd off.</li>
 *   <li>{@link ai.fastai4j.engine.Gradients}: reading and zeroing a parameter's gradient.</li>
 *   <li>{@link ai.fastai4j.engine.Kernels}: native kernels DJL's NDArray API lacks (fused Adam, adaptive
 *       average pooling, embedding lookup).</li>
 *   <li>{@link ai.fastai4j.engine.Int64Cell}: a counter read and written in place through a raw view.</li>
 *   <li>{@link ai.fastai4j.engine.Devices}: device names and the configured device ({@code FASTAI4J_DEVICE}).</li>
 *   <li>{@link ai.fastai4j.engine.Autocast}: FLOAT16 convolutions and linear layers on CUDA, never on the CPU.</li>
 *   <li>{@link ai.fastai4j.engine.EngineDefaults}: thread settings an application applies before libtorch loads.</li>
 *   <li>{@link ai.fastai4j.engine.NativeMemory}: glibc allocator tuning and trimming, when the application asks.</li>
 * </ul>
 *
 * Everything else in fastai4j (and its benches and tests) goes through these classes, so a change of engine or
 * of DJL's internals touches this package only. Nothing here runs on class load.
 */
package ai.fastai4j.engine;

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
 *   <li>{@link ai.fastai4j.engine.NativeMemory}: glibc allocator tuning and trimming.</li>
 * </ul>
 *
 * Everything else in fastai4j (and its benches and tests) goes through these classes, so a change of engine or
 * of DJL's internals touches this package only.
 */
package ai.fastai4j.engine;

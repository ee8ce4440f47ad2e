/**
 * Fetching files safely: {@link ai.fastai4j.io.download.Downloader} (http(s), {@code file:} and {@code classpath:}
 * sources, with a progress bar), {@link ai.fastai4j.io.download.Checksums} (size and SHA-256/MD5 verification) and
 * {@link ai.fastai4j.io.download.Archives} (tar, tar.gz and zip extraction that refuses paths leaving the target).
 * Used by the datasets of {@link ai.fastai4j.data.external} and by pretrained weights.
 */
package ai.fastai4j.io.download;

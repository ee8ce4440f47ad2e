package ai.fastai4j.text.models;

import ai.fastai4j.data.external.DatasetSpec;
import ai.fastai4j.data.external.ExternalData;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * fastai's published AWD-LSTM language models, fetched as fastai's {@code untar_data(URLs.WT103_FWD)} does
 * (through {@link ExternalData}: data folders, cache, then a download, unless offline).
 */
public final class TextPretrained {
    /** fastai's model zoo ({@code URLs.S3_MODEL}). */
    public static final String S3_MODEL = "https://s3.amazonaws.com/fast-ai-modelzoo/";

    /**
     * {@code URLs.WT103_FWD}: the forward AWD-LSTM pretrained on WikiText-103 ({@code lstm_fwd.pth} and
     * {@code itos_wt103.pkl}), emb 400, hidden 1152, 3 layers, 60,000 words. fastai publishes no checksum for this
     * archive (its {@code checks.txt} lists none), so the download is not verified; size unknown.
     */
    public static final DatasetSpec WT103_FWD = DatasetSpec.archive("WikiText-103 AWD-LSTM (forward)", "wt103-fwd",
            DatasetSpec.Resource.sha256(URI.create(S3_MODEL + "wt103-fwd.tgz"), -1, null));

    private TextPretrained() {}

    /** The weights ({@code .pth}) and vocabulary ({@code .pkl}) files of an extracted model folder. */
    public record ModelFiles(Path weights, Path vocab) {}

    /** Finds {@code spec}'s files locally or downloads them, then returns the {@code .pth} and the {@code .pkl}. */
    public static ModelFiles fetch(DatasetSpec spec) throws IOException {
        return find(ExternalData.untarData(spec));
    }

    /** The single {@code .pth} and single {@code .pkl} under {@code folder} (as fastai's glob). */
    public static ModelFiles find(Path folder) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.walk(folder)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        List<Path> pth = files.stream().filter(p -> p.toString().endsWith(".pth")).toList();
        List<Path> pkl = files.stream().filter(p -> p.toString().endsWith(".pkl")).toList();
        if (pth.size() != 1 || pkl.size() != 1) {
            throw new IOException(folder + " should hold one .pth and one .pkl file, found " + pth + " and " + pkl);
        }
        return new ModelFiles(pth.get(0), pkl.get(0));
    }
}

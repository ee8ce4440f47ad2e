package ai.fastai4j.serve;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** The page at {@code GET /}: one self-contained HTML file (inline CSS and script, nothing fetched elsewhere). */
final class WebPage {
    private WebPage() {}

    static final String RESOURCE = "/ai/fastai4j/serve/index.html";

    static byte[] html() {
        try (InputStream in = WebPage.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("resource " + RESOURCE + " is missing from the fastai4j-serve jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

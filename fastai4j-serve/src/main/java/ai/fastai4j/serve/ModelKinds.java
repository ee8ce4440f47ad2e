package ai.fastai4j.serve;

import ai.fastai4j.export.Manifest;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

/** The kinds of model the server serves, each recognised from the manifest and served by its handler. */
final class ModelKinds {
    private ModelKinds() {}

    /**
     * One kind of model.
     *
     * @param name what {@code GET /metadata} shows as {@code input.kind}
     * @param takes what the model takes, for the message refusing a model no kind serves ("one image ('image')")
     * @param serves whether a model's manifest is of this kind
     * @param handler creates the handler for one served model
     */
    record Kind(String name, String takes, Predicate<Manifest> serves, Function<HandlerContext, ModelHandler> handler) {}

    /** The registered kinds; the first that serves a model is used. Add a new kind here. */
    static final List<Kind> ALL = List.of(
            new Kind("image_segmentation", "one image ('image') with a mask target ('mask')",
                    m -> takes(m, "image") && m.target().name().equals("mask"),
                    c -> new ImageHandler(c, MaskAnswer::write)),
            new Kind("image", "one image ('image')", m -> takes(m, "image"), ImageHandler::new),
            new Kind("rows", "one table row ('tabular') or one (user, item) row ('collab')",
                    m -> takes(m, "tabular") || takes(m, "collab"), RowsHandler::new),
            new Kind("text", "one text ('text', a classifier)", TextHandler::serves, TextHandler::new));

    /** Whether the model takes exactly one input, of the block {@code block}. */
    static boolean takes(Manifest m, String block) {
        return m.inputs().size() == 1 && m.inputs().get(0).name().equals(block);
    }

    /** The kind serving the model of {@code file}; refuses a model no kind serves, naming what it takes. */
    static Kind of(Manifest m, Path file) {
        for (Kind k : ALL) {
            if (k.serves().test(m)) {
                return k;
            }
        }
        throw new IllegalArgumentException("model " + file + " takes " + m.inputs().stream()
                .map(Manifest.Component::name).toList() + "; the server serves models that take "
                + String.join(", ", ALL.stream().map(Kind::takes).toList()));
    }
}

package ai.fastai4j.export;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What an exported model takes as one input, read from its manifest: one image, one table row of named columns,
 * one (user, item) row, or one text. Front ends (the HTTP server, Spark scoring, the command line) use it to decode their
 * input and to check it before any work starts.
 *
 * @param kind     the kind of input
 * @param block    the id of the model's input block
 * @param columns  the columns a row must have, in order (tabular: date, categorical, continuous; collab: user,
 *                 item); empty for an image
 * @param channels an image's channel count (1 or 3); 0 for rows
 */
public record ModelInput(Kind kind, String block, List<String> columns, int channels) {

    /** The kinds of input a front end can feed. */
    public enum Kind {
        /** One image ({@code image} block): a file, its encoded bytes or a decoded picture. */
        IMAGE,
        /** A table row of named columns ({@code tabular} block). */
        TABULAR,
        /** A (user, item) pair given as a row ({@code collab} block). */
        COLLAB,
        /** One text, for a text classifier ({@code text} block). */
        TEXT;

        /** Whether the model predicts on rows of column to value. */
        public boolean rows() {
            return this == TABULAR || this == COLLAB;
        }
    }

    public ModelInput {
        columns = List.copyOf(columns);
    }

    /**
     * The input of the model a manifest describes.
     *
     * @param file the model file, for the message
     * @throws IllegalArgumentException when the model takes anything but one image, table row or (user, item) row
     */
    public static ModelInput of(Manifest m, Path file) {
        if (m.inputs().size() == 1) {
            Manifest.Component in = m.inputs().get(0);
            Map<String, Object> p = in.params();
            switch (in.name()) {
                case "image":
                    return new ModelInput(Kind.IMAGE, in.name(), List.of(),
                            p.get("channels") instanceof Number n ? n.intValue() : 3);
                case "tabular": {
                    List<String> cols = new ArrayList<>(dateColumns(p));
                    cols.addAll(Params.getStringList(p, "cat_names"));
                    cols.addAll(Params.getStringList(p, "cont_names"));
                    return new ModelInput(Kind.TABULAR, in.name(), cols.stream().distinct().toList(), 0);
                }
                case "collab":
                    return new ModelInput(Kind.COLLAB, in.name(),
                            List.of(Params.getString(p, "user_name"), Params.getString(p, "item_name")), 0);
                case "text":
                    if (Boolean.TRUE.equals(p.get("is_lm"))) {
                        throw new IllegalArgumentException("model " + file + " is a language model: it generates "
                                + "text from a prompt (TextLearners' predict) rather than predicting one answer per text");
                    }
                    return new ModelInput(Kind.TEXT, in.name(), List.of(), 0);
                default:
                    break;
            }
        }
        throw new IllegalArgumentException("model " + file + " takes " + m.inputs().stream()
                .map(Manifest.Component::name).toList() + "; expected one image ('image'), one table row ('tabular'), "
                + "one (user, item) row ('collab') or one text ('text')");
    }

    /** The date columns of a tabular input block's parameters (each expanded into parts by the model). */
    public static List<String> dateColumns(Map<String, Object> p) {
        List<String> out = new ArrayList<>();
        if (p.get("date_parts") instanceof List<?> l) {
            for (Object o : l) {
                if (o instanceof Map<?, ?> dm && dm.get("column") instanceof String c) {
                    out.add(c);
                }
            }
        }
        return out;
    }
}

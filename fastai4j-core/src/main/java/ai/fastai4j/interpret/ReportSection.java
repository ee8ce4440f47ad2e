package ai.fastai4j.interpret;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A section that a module adds to a {@link TrainingReport} (e.g. the tabular feature importance): a heading and
 * content in order, paragraphs, tables, preformatted text and PNGs that lie in the report's folder. The report
 * escapes every text; a section holds no HTML.
 *
 * <pre>{@code
 * ReportSection s = ReportSection.builder("Feature importance")
 *         .paragraph("Increase of the validation RMSE when a column is shuffled.")
 *         .table(List.of("column", "importance"), rows)
 *         .image(png, "importance").build();
 * TrainingReport.builder(learn).section(s).build().write(dir);
 * }</pre>
 */
public record ReportSection(String title, List<Part> parts) {

    public ReportSection {
        Objects.requireNonNull(title, "title");
        parts = List.copyOf(parts);
    }

    /** One piece of content. */
    public sealed interface Part permits Paragraph, Table, Image, Pre, Subtitle {}

    /** A paragraph of text. */
    public record Paragraph(String text) implements Part {}

    /** A sub-heading. */
    public record Subtitle(String text) implements Part {}

    /** Preformatted text. */
    public record Pre(String text) implements Part {}

    /** A table; cells that read as numbers are right-aligned. */
    public record Table(List<String> header, List<List<String>> rows) implements Part {
        public Table {
            header = List.copyOf(header);
            rows = rows.stream().map(List::copyOf).toList();
        }
    }

    /** A PNG in the report's folder, linked by its file name. */
    public record Image(Path png, String alt) implements Part {}

    public static Builder builder(String title) {
        return new Builder(title);
    }

    /** Collects a section's content in order. */
    public static final class Builder {
        private final String title;
        private final List<Part> parts = new ArrayList<>();

        private Builder(String title) {
            this.title = Objects.requireNonNull(title, "title");
        }

        public Builder paragraph(String text) {
            parts.add(new Paragraph(text));
            return this;
        }

        public Builder subtitle(String text) {
            parts.add(new Subtitle(text));
            return this;
        }

        public Builder pre(String text) {
            parts.add(new Pre(text));
            return this;
        }

        public Builder table(List<String> header, List<List<String>> rows) {
            parts.add(new Table(header, rows));
            return this;
        }

        public Builder image(Path png, String alt) {
            parts.add(new Image(png, alt));
            return this;
        }

        public ReportSection build() {
            return new ReportSection(title, parts);
        }
    }
}

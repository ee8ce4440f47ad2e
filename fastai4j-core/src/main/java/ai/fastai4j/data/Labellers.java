package ai.fastai4j.data;

import java.nio.file.Path;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** fastai's labelling functions: parent folder, regex on the file name, a table column. */
public final class Labellers {
    private Labellers() {}

    /** The name of the folder that holds the file. */
    public static Function<Path, Object> parentFolder() {
        return p -> {
            Path parent = p.toAbsolutePath().getParent();
            if (parent == null || parent.getFileName() == null) {
                throw new DataException("file " + p + " has no parent folder to take a label from");
            }
            return parent.getFileName().toString();
        };
    }

    /** The first capture group of {@code regex} matched against the file name (fastai's RegexLabeller). */
    public static Function<Path, Object> regex(String regex) {
        Pattern pattern = Pattern.compile(regex);
        if (pattern.matcher("").groupCount() < 1) {
            throw new IllegalArgumentException("regex needs a capture group: " + regex);
        }
        return p -> {
            String name = p.getFileName().toString();
            Matcher m = pattern.matcher(name);
            if (!m.find()) {
                throw new DataException("regex " + regex + " does not match file name '" + name + "' (" + p + ")");
            }
            return m.group(1);
        };
    }

    /** The value of a table column. */
    public static Function<CsvTable.Row, Object> column(String column) {
        return r -> r.get(column);
    }
}
